"""Staff search over every ticket: «🔎 Search» in the panel, /find <query>, and its result pages
(the queue's SEARCH view, so a card opened from the results comes back to them)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from app.db.repositories import Repositories
from app.fsm.states import FindTickets
from app.handlers.user.search import answer_query, ask_query, turn_page
from app.keyboards.callback_data import QueueCallback, SearchCallback, SearchScope
from app.models.tickets import QueueView
from app.models.users import User
from app.texts import labels


async def ask_from_menu(message: Message, state: FSMContext) -> None:
    await ask_query(message, state, own=False)


async def ask_from_button(query: CallbackQuery, state: FSMContext) -> None:
    if isinstance(query.message, Message):
        await ask_query(query.message, state, own=False)


async def find_command(
    message: Message, command: CommandObject, state: FSMContext, user: User, repos: Repositories
) -> None:
    if command.args:
        await answer_query(message, user, repos, command.args, own=False)
    else:
        await ask_query(message, state, own=False)


async def got_query(message: Message, state: FSMContext, user: User, repos: Repositories) -> None:
    # Staff who came from their own «My tickets» search their own tickets there.
    own = (await state.get_data()).get("scope") == SearchScope.OWN.value
    await answer_query(message, user, repos, message.text or "", own=own)


async def results_page(
    query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: QueueCallback, user: User, repos: Repositories
) -> None:
    await turn_page(query, callback_answer, user.last_search, user, repos, callback_data.page, own=False)


def create_router() -> Router:
    router = Router(name="admin_search")
    router.message.register(ask_from_menu, StateFilter(None), F.text == labels.SEARCH)
    router.message.register(find_command, StateFilter(None, FindTickets.query), Command("find"))
    router.message.register(got_query, FindTickets.query, F.text, ~F.text.startswith("/"), ~(F.text == labels.CANCEL))
    router.callback_query.register(ask_from_button, SearchCallback.filter(F.scope == SearchScope.ALL))
    router.callback_query.register(results_page, QueueCallback.filter(F.view == QueueView.SEARCH))
    return router
