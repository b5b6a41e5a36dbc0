"""Search over one's own tickets (/find, «🔎 Search my tickets»); the rendering staff search shares.

After «🔎 Search» the chat stays in search mode: every text is a new query and its results come
back at once, until «❌ Cancel». `/find <query>` searches without entering it. Result pages and
the «Back» of a card opened from them read the person's last search from their profile, so no
button carries the query (it may not fit Telegram's 64 bytes).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import FindTickets
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards.callback_data import MyTicketsAction, MyTicketsCallback, SearchCallback, SearchScope, TicketScope
from app.keyboards.tickets import search_keyboard
from app.models.search import parse_query
from app.models.users import Role, User
from app.services.tickets.service import USER_PAGE_SIZE
from app.texts import labels
from app.texts.search import search_expired, search_hint, search_prompt, search_results, wrong_search_input
from app.utils.messages import show

STAFF_PAGE_SIZE = 10  # as the staff queue's


async def render_search(
    repos: Repositories, user: User, text: str, page: int, *, own: bool
) -> tuple[str, InlineKeyboardMarkup]:
    query = parse_query(text)
    found, cut = await repos.tickets.search(
        query.terms, page, USER_PAGE_SIZE if own else STAFF_PAGE_SIZE, owner=user.id if own else None
    )
    return search_results(query.text, found, cut, own), search_keyboard(found, own)


async def answer_query(message: Message, user: User, repos: Repositories, text: str, *, own: bool) -> None:
    """A typed query: remembered as the last search, its first page sent."""
    query = parse_query(text)
    if not query.terms:
        await message.answer(search_hint())
        return
    await repos.users.set_last_search(user.id, query.text)
    rendered, markup = await render_search(repos, user, query.text, 0, own=own)
    await message.answer(rendered, reply_markup=markup)


async def ask_query(message: Message, state: FSMContext, *, own: bool) -> None:
    await advance(state, FindTickets.query, fresh=True, scope=(SearchScope.OWN if own else SearchScope.ALL).value)
    await message.answer(search_prompt(own), reply_markup=reply.cancel_only())


async def turn_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    text: str | None,
    user: User,
    repos: Repositories,
    page: int,
    *,
    own: bool,
) -> None:
    if not text:
        callback_answer.text, callback_answer.show_alert = search_expired(), True
        return
    await show(query, *await render_search(repos, user, text, page, own=own))


# --- the employee's side (everyone's: staff reach it from their own «My tickets») ---------------


async def find_command(
    message: Message, command: CommandObject, state: FSMContext, user: User, repos: Repositories
) -> None:
    if command.args:
        await answer_query(message, user, repos, command.args, own=True)
    else:
        await ask_query(message, state, own=True)


async def ask_from_button(query: CallbackQuery, state: FSMContext) -> None:
    if isinstance(query.message, Message):
        await ask_query(query.message, state, own=True)


async def got_query(message: Message, user: User, repos: Repositories) -> None:
    await answer_query(message, user, repos, message.text or "", own=True)


async def wrong_input(message: Message) -> None:
    await message.answer(wrong_search_input(str(labels.CANCEL)))


async def leave(message: Message, state: FSMContext, role: Role) -> None:
    await reset(state)
    await message.answer(_("Search closed."), reply_markup=reply.main_menu(role))


async def own_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    repos: Repositories,
) -> None:
    await turn_page(query, callback_answer, user.last_search, user, repos, callback_data.page, own=True)


def create_router() -> Router:
    router = Router(name="user_search")
    router.message.register(leave, FindTickets.query, F.text == labels.CANCEL)
    router.message.register(leave, FindTickets.query, Command("cancel"))
    router.message.register(find_command, StateFilter(None, FindTickets.query), Command("find"))
    router.message.register(got_query, FindTickets.query, F.text, ~F.text.startswith("/"))
    router.message.register(wrong_input, FindTickets.query)
    router.callback_query.register(ask_from_button, SearchCallback.filter(F.scope == SearchScope.OWN))
    router.callback_query.register(
        own_page, MyTicketsCallback.filter((F.action == MyTicketsAction.PAGE) & (F.scope == TicketScope.SEARCH))
    )
    return router
