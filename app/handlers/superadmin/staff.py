"""Staff management: list admins, add one by id or by picking the person, remove with confirmation."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import AddAdmin
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards import staff as keyboards
from app.keyboards.callback_data import StaffAction, StaffCallback
from app.models.telegram_text import TEXT_LIMIT, fit_html
from app.models.users import Person, Role, User
from app.services.staff import StaffChange, StaffOutcome, StaffService
from app.texts import labels
from app.texts import staff as texts
from app.texts.formatting import short
from app.utils.messages import show, show_at
from config import Settings

PAGE_SIZE = 10
LAST_PAGE = 1_000_000  # clamped to the last page there is


async def render_panel(repos: Repositories, page: int) -> tuple[str, InlineKeyboardMarkup]:
    admins = await repos.admins.page(page, PAGE_SIZE)
    added_by = sorted({a.added_by for a in admins.items if a.added_by is not None})
    names = await repos.users.names(added_by) if added_by else {}
    return texts.staff_panel(admins, names, await repos.tickets.workloads()), keyboards.staff_panel_keyboard(admins)


async def staff_panel(message: Message, repos: Repositories) -> None:
    text, markup = await render_panel(repos, 0)
    await message.answer(text, reply_markup=markup)


async def panel_callback(query: CallbackQuery, callback_data: StaffCallback, repos: Repositories) -> None:
    text, markup = await render_panel(repos, callback_data.page)
    await show(query, text, markup)


async def ask_new_admin(query: CallbackQuery, state: FSMContext) -> None:
    # The panel the Add was tapped on is refreshed once someone is added.
    panel = query.message.message_id if isinstance(query.message, Message) else None
    await advance(state, AddAdmin.user, fresh=True, panel=panel)
    await query.bot.send_message(  # type: ignore[union-attr]
        query.from_user.id,
        _("Send the new admin's numeric Telegram ID, or tap «{pick}» to choose them.").format(
            pick=keyboards.choose_person_label()
        ),
        reply_markup=keyboards.choose_person_keyboard(),
    )


def added_text(change: StaffChange, user_id: int) -> str:
    if change.outcome is StaffOutcome.SUPERADMIN:
        return _("That is the super-admin: they already have every right.")
    if change.outcome is StaffOutcome.ALREADY_ADMIN:
        return _("{name} is already an admin.").format(name=escape(change.name))
    text = _("✅ {name} (id {id}) is now an admin.").format(name=escape(change.name), id=user_id)
    if not change.notified:
        text += "\n" + _(
            "They have not started the bot yet (or blocked it): their panel appears when they send /start."
        )
    return text


async def add_admin(
    message: Message, state: FSMContext, user: User, role: Role, staff: StaffService, user_id: int
) -> None:
    panel = (await state.get_data()).get("panel")
    await reset(state)
    change = await staff.add(user_id, Person(user.id, user.display_name))
    await message.answer(added_text(change, user_id), reply_markup=reply.main_menu(role))
    if change.outcome is StaffOutcome.DONE and isinstance(panel, int) and message.bot is not None:
        text, markup = await render_panel(staff.repos, LAST_PAGE)  # the newest admin is listed last
        await show_at(message.bot, message.chat.id, panel, text, markup)


async def got_admin_id(message: Message, state: FSMContext, user: User, role: Role, staff: StaffService) -> None:
    raw = (message.text or "").strip()
    if not raw.isdigit() or int(raw) <= 0 or int(raw) >= 2**53:
        await message.answer(
            _("A Telegram ID is a positive whole number, for example 123456789. Try again or tap «{cancel}».").format(
                cancel=labels.CANCEL
            )
        )
        return
    await add_admin(message, state, user, role, staff, int(raw))


async def got_shared_user(message: Message, state: FSMContext, user: User, role: Role, staff: StaffService) -> None:
    assert message.users_shared is not None
    await add_admin(message, state, user, role, staff, message.users_shared.users[0].user_id)


async def wrong_admin_input(message: Message) -> None:
    await message.answer(
        _("Send a numeric Telegram ID, use «{pick}», or tap «{cancel}».").format(
            pick=keyboards.choose_person_label(), cancel=labels.CANCEL
        )
    )


async def cancel_add(message: Message, state: FSMContext, role: Role) -> None:
    await reset(state)
    await message.answer(_("Cancelled. Nobody was added."), reply_markup=reply.main_menu(role))


async def confirm_remove(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffCallback,
    repos: Repositories,
    settings: Settings,
) -> None:
    if callback_data.user_id == settings.superadmin_id:
        callback_answer.text = _("The super-admin cannot be removed — and cannot remove themselves.")
        callback_answer.show_alert = True
        return
    admin = await repos.admins.get(callback_data.user_id)
    if admin is None:
        callback_answer.text, callback_answer.show_alert = _("This person is not an admin any more."), True
        return
    await show(
        query,
        _("Remove {name} from the support staff? Their tickets in progress go back to the queue.").format(
            name=escape(admin.label)
        ),
        keyboards.remove_confirmation_keyboard(admin.id, callback_data.page),
    )


async def remove_admin(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffCallback,
    user: User,
    repos: Repositories,
    staff: StaffService,
) -> None:
    change = await staff.remove(callback_data.user_id, Person(user.id, user.display_name))
    if change.outcome is StaffOutcome.SUPERADMIN:
        callback_answer.text = _("The super-admin cannot be removed — and cannot remove themselves.")
        callback_answer.show_alert = True
        return
    if change.outcome is StaffOutcome.NOT_ADMIN:
        callback_answer.text, callback_answer.show_alert = _("This person is not an admin any more."), True
    else:
        callback_answer.text = _("{name} was removed.").format(name=short(change.name, 64))  # an alert: ≤ 200
    text, markup = await render_panel(repos, callback_data.page)
    if change.returned_tickets:
        text += "\n\n" + _("Back to the queue: {tickets}.").format(
            tickets=", ".join(f"#{n}" for n in change.returned_tickets)
        )
    await show(query, fit_html(text, TEXT_LIMIT), markup)


def create_router() -> Router:
    router = Router(name="superadmin_staff")
    router.message.register(staff_panel, StateFilter(None), F.text == labels.STAFF)
    router.message.register(staff_panel, StateFilter(None), Command("staff"))
    router.callback_query.register(panel_callback, StaffCallback.filter(F.action == StaffAction.LIST))
    router.callback_query.register(ask_new_admin, StaffCallback.filter(F.action == StaffAction.ADD))
    router.callback_query.register(confirm_remove, StaffCallback.filter(F.action == StaffAction.REMOVE))
    router.callback_query.register(remove_admin, StaffCallback.filter(F.action == StaffAction.CONFIRM_REMOVE))
    router.message.register(cancel_add, AddAdmin.user, F.text == labels.CANCEL)
    router.message.register(cancel_add, AddAdmin.user, Command("cancel"))
    router.message.register(got_shared_user, AddAdmin.user, F.users_shared)
    router.message.register(got_admin_id, AddAdmin.user, F.text, ~F.text.startswith("/"))
    router.message.register(wrong_admin_input, AddAdmin.user)
    return router
