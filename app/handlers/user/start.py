"""Registration (/start), help, language, main menu and cancel."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.transitions import reset
from app.keyboards import reply
from app.keyboards.callback_data import LanguageCallback
from app.keyboards.user import language_keyboard
from app.models.users import Role, User
from app.services.menus import CommandMenus
from app.texts import labels
from app.texts.help import help_text


async def cancel(message: Message, state: FSMContext, role: Role) -> None:
    if await state.get_state() is None:
        text = _("There is nothing to cancel. Choose what to do below.")
    else:
        text = _("Cancelled. Nothing was saved.")
    await reset(state)
    await message.answer(text, reply_markup=reply.main_menu(role))


async def start(message: Message, user: User, role: Role, menus: CommandMenus) -> None:
    if role.is_staff:
        # Telegram refuses a chat's menu until the person has written: on a fresh install
        # the menus set at start-up failed for staff who had not, so /start applies it again.
        await menus.apply(message.chat.id, role, user.language)
    await message.answer(
        _(
            "Hello, {name}! I am the IT support bot.\n"
            "• «{new}» — report a problem to the IT department;\n"
            "• «{mine}» — follow your tickets;\n"
            "• «{call}» — an emergency call to the server room."
        ).format(
            name=escape(user.first_name),
            new=labels.NEW_TICKET,
            mine=labels.MY_TICKETS,
            call=labels.SERVER_ROOM,
        ),
        reply_markup=reply.main_menu(role),
    )


async def help_(message: Message, role: Role) -> None:
    await message.answer(help_text(role), reply_markup=reply.main_menu(role))


async def refresh_menu(message: Message, role: Role, menus: CommandMenus) -> None:
    await menus.apply(message.chat.id, role)
    await message.answer(_("The menu is up to date."), reply_markup=reply.main_menu(role))


async def choose_language(message: Message, i18n: I18n) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard(i18n.available_locales))


async def set_language(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: LanguageCallback,
    user: User,
    role: Role,
    repos: Repositories,
    i18n: I18n,
    raw_state: str | None,
    menus: CommandMenus,
) -> None:
    if raw_state is not None:
        # Mid-form the answer would replace the form's keyboard, and the form's buttons
        # would no longer match in the new language.
        callback_answer.text = _("Finish or cancel what you are doing first, then change the language.")
        callback_answer.show_alert = True
        return
    if callback_data.code not in i18n.available_locales:
        callback_answer.text, callback_answer.show_alert = _("This language is not available."), True
        return
    await repos.users.set_language(user.id, callback_data.code)
    if role.is_staff:
        await menus.apply(user.id, role, callback_data.code)
    with i18n.use_locale(callback_data.code):
        if query.message is not None:
            await query.message.answer(_("Language changed to English."), reply_markup=reply.main_menu(role))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(cancel, F.text == labels.CANCEL)
    router.message.register(cancel, Command("cancel"))
    router.message.register(start, StateFilter(None), CommandStart())
    router.message.register(help_, StateFilter(None), F.text == labels.HELP)
    router.message.register(help_, StateFilter(None), Command("help"))
    router.message.register(refresh_menu, StateFilter(None), F.text == labels.REFRESH_PANEL)
    router.message.register(refresh_menu, StateFilter(None), Command("menu"))
    router.message.register(choose_language, StateFilter(None), F.text == labels.LANGUAGE)
    router.message.register(choose_language, StateFilter(None), Command("language"))
    router.callback_query.register(set_language, LanguageCallback.filter())
    return router
