"""The service catalogue (🗂 Categories, /categories): list, add, rename, reorder, hide, default
priority and hint. Only the super-admin's router includes it, for messages and buttons alike."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from app.db.repositories import Repositories
from app.fsm.states import CategoryEdit
from app.fsm.transitions import advance, reset
from app.keyboards import categories as keyboards
from app.keyboards import reply
from app.keyboards.callback_data import CategoryAction, CategoryCallback
from app.models.categories import (
    MAX_CATEGORIES,
    Catalogue,
    CategoryOutcome,
    Language,
    category_hint,
    category_name,
)
from app.models.telegram_text import TEXT_LIMIT, fit_html
from app.models.tickets import Priority
from app.models.users import Role, User
from app.models.validators import InvalidInput
from app.services.categories import CategoryChange, CategoryService
from app.texts import categories as texts
from app.texts import labels
from app.utils.messages import show, show_at


def catalogue_view(catalogue: Catalogue) -> tuple[str, InlineKeyboardMarkup]:
    return fit_html(texts.catalogue_panel(catalogue), TEXT_LIMIT), keyboards.catalogue_keyboard(catalogue)


def category_view(catalogue: Catalogue, category_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    category = catalogue.get(category_id)
    if category is None:
        return None
    place = catalogue.categories.index(category) + 1
    return texts.category_panel(category, place, len(catalogue.categories)), keyboards.category_keyboard(category)


def refused(callback_answer: CallbackAnswer, outcome: CategoryOutcome) -> None:
    callback_answer.text, callback_answer.show_alert = texts.refusal(outcome), True


async def catalogue_screen(message: Message, repos: Repositories) -> None:
    text, markup = catalogue_view(await repos.categories.fresh())
    await message.answer(text, reply_markup=markup)


async def list_callback(query: CallbackQuery, repos: Repositories) -> None:
    await show(query, *catalogue_view(await repos.categories.fresh()))


async def open_category(
    query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: CategoryCallback, repos: Repositories
) -> None:
    view = category_view(await repos.categories.fresh(), callback_data.category)
    if view is None:
        refused(callback_answer, CategoryOutcome.NOT_FOUND)
        return
    await show(query, *view)


async def changed(
    query: CallbackQuery, callback_answer: CallbackAnswer, change: CategoryChange, repos: Repositories
) -> None:
    """The category's screen as the change left it; why nothing changed, in an alert."""
    if not change.done:
        refused(callback_answer, change.outcome)
    view = category_view(await repos.categories.fresh(), change.category.id) if change.category else None
    if view is not None:
        await show(query, *view)


async def act(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: CategoryCallback,
    user: User,
    repos: Repositories,
    categories: CategoryService,
) -> None:
    """Up, Down, Hide, Show and the default priority: one tap, done."""
    target, action = callback_data.category, callback_data.action
    if action in (CategoryAction.UP, CategoryAction.DOWN):
        change = await categories.move(target, -1 if action is CategoryAction.UP else 1, user.id)
    elif action in (CategoryAction.HIDE, CategoryAction.SHOW):
        change = await categories.set_hidden(target, action is CategoryAction.HIDE, user.id)
    else:
        priority = Priority(callback_data.priority) if callback_data.priority else None
        change = await categories.set_priority(target, priority, user.id)
    await changed(query, callback_answer, change, repos)


async def priorities(
    query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: CategoryCallback, repos: Repositories
) -> None:
    category = (await repos.categories.fresh()).get(callback_data.category)
    if category is None:
        refused(callback_answer, CategoryOutcome.NOT_FOUND)
        return
    await show(query, texts.priority_choice(category), keyboards.priority_keyboard(category))


async def start_typing(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: CategoryCallback,
    state: FSMContext,
    repos: Repositories,
) -> None:
    """Add (names asked one language after another), Rename or Hint: the next message is the text."""
    catalogue = await repos.categories.fresh()
    action, language = callback_data.action, callback_data.language
    panel = query.message.message_id if isinstance(query.message, Message) else None
    if action is CategoryAction.ADD:
        if len(catalogue.categories) >= MAX_CATEGORIES:
            refused(callback_answer, CategoryOutcome.TOO_MANY)
            return
        language = Language.UK
        category = None
    else:
        category = catalogue.get(callback_data.category)
        if category is None:
            refused(callback_answer, CategoryOutcome.NOT_FOUND)
            return
    step = CategoryEdit.hint if action is CategoryAction.HINT else CategoryEdit.name
    await advance(
        state, step, fresh=True, category=category.id if category else 0, language=language.value, names={}, panel=panel
    )
    if category is not None and action is CategoryAction.HINT:
        text, keyboard = texts.hint_prompt(language, category), keyboards.hint_step_keyboard()
    else:
        text, keyboard = texts.name_prompt(language, category), reply.cancel_only()
    await query.bot.send_message(query.from_user.id, text, reply_markup=keyboard)  # type: ignore[union-attr]


async def finish(
    message: Message, state: FSMContext, role: Role, repos: Repositories, change: CategoryChange, done: str
) -> None:
    """Leave the typing step and refresh the screen it started from (the category's own)."""
    data = await state.get_data()
    if change.outcome is CategoryOutcome.NAME_TAKEN:  # the same step again: another name
        await message.answer(texts.refusal(change.outcome))
        return
    await reset(state)
    await message.answer(done if change.done else texts.refusal(change.outcome), reply_markup=reply.main_menu(role))
    view = category_view(await repos.categories.fresh(), change.category.id) if change.category else None
    panel = data.get("panel")
    if view is not None and message.bot is not None:
        await show_at(message.bot, message.chat.id, panel if isinstance(panel, int) else None, *view)


async def got_name(
    message: Message, state: FSMContext, user: User, role: Role, repos: Repositories, categories: CategoryService
) -> None:
    data: dict[str, Any] = await state.get_data()
    language = Language(data.get("language", Language.UK.value))
    try:
        name = category_name(message.text or "")
    except InvalidInput as error:
        await message.answer(texts.name_problem(error.problem))
        return
    target = int(data.get("category", 0))
    if target:
        change = await categories.rename(target, language, name, user.id)
        await finish(message, state, role, repos, change, texts.saved())
        return
    if await categories.name_problem(name, language) is not None:
        await message.answer(texts.refusal(CategoryOutcome.NAME_TAKEN))
        return
    names = {**data.get("names", {}), language.value: name}
    remaining = [lang for lang in Language if lang.value not in names]
    if remaining:  # the next language's name
        await advance(state, CategoryEdit.name, language=remaining[0].value, names=names)
        await message.answer(texts.name_prompt(remaining[0], None), reply_markup=reply.cancel_only())
        return
    change = await categories.add(names, user.id)
    await finish(message, state, role, repos, change, texts.added(change.category) if change.category else "")


async def got_hint(
    message: Message, state: FSMContext, user: User, role: Role, repos: Repositories, categories: CategoryService
) -> None:
    data = await state.get_data()
    hint: str | None = None
    if message.text != labels.NO_HINT:
        try:
            hint = category_hint(message.text or "")
        except InvalidInput as error:
            await message.answer(texts.hint_problem(error.problem))
            return
    language = Language(data.get("language", Language.UK.value))
    change = await categories.set_hint(int(data.get("category", 0)), language, hint, user.id)
    await finish(message, state, role, repos, change, texts.saved())


async def cancel_typing(message: Message, state: FSMContext, role: Role) -> None:
    await reset(state)
    await message.answer(texts.cancelled(), reply_markup=reply.main_menu(role))


async def wrong_input(message: Message) -> None:
    await message.answer(texts.text_expected())


def create_router() -> Router:
    router = Router(name="superadmin_categories")
    router.message.register(catalogue_screen, StateFilter(None), F.text == labels.CATEGORIES)
    router.message.register(catalogue_screen, StateFilter(None), Command("categories"))
    action = CategoryCallback.filter
    router.callback_query.register(list_callback, action(F.action == CategoryAction.LIST))
    router.callback_query.register(open_category, action(F.action == CategoryAction.OPEN))
    router.callback_query.register(priorities, action(F.action == CategoryAction.PRIORITIES))
    typing = (CategoryAction.ADD, CategoryAction.RENAME, CategoryAction.HINT)
    router.callback_query.register(start_typing, action(F.action.in_(typing)))
    router.callback_query.register(act, action())  # Up, Down, Hide, Show, Set priority
    editing = StateFilter(CategoryEdit)
    router.message.register(cancel_typing, editing, F.text == labels.CANCEL)
    router.message.register(cancel_typing, editing, Command("cancel"))
    router.message.register(got_name, CategoryEdit.name, F.text)  # "/…" too: told a name cannot start so
    router.message.register(got_hint, CategoryEdit.hint, F.text, ~F.text.startswith("/"))
    router.message.register(wrong_input, editing)
    return router
