"""The staff queue: new tickets by priority and age, my work, all work, recently finished."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.keyboards.callback_data import QueueCallback, QueueCategoryCallback
from app.keyboards.tickets import is_card, queue_category_keyboard, queue_keyboard
from app.models.tickets import QueueView, TicketStatus
from app.models.users import User
from app.texts import labels
from app.texts.tickets import STATUS_MARKERS, page_line, queue_category_choice, queue_filter_label, queue_title
from app.utils.messages import show

PAGE_SIZE = 10


async def render_queue(
    repos: Repositories, viewer: User, view: QueueView, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The viewer's category filter applies (a category gone since reads as none)."""
    category = (await repos.categories.catalogue()).get(viewer.queue_category)
    counts = await repos.tickets.count_by_status()
    chosen = category.id if category is not None else None
    tickets = await repos.tickets.queue_page(view, viewer.id, page, PAGE_SIZE, counts, category=chosen)
    header = " · ".join(f"{STATUS_MARKERS[TicketStatus(s)]} {n}" for s, n in counts.items())
    lines = [f"<b>{queue_title(view)}</b>", header]
    if category is not None:
        lines.append(escape(queue_filter_label(category)))
    lines.append(page_line(tickets.number, tickets.pages, tickets.total) if tickets.items else _("Nothing here."))
    return "\n".join(lines), queue_keyboard(tickets, view, category)


async def queue_from_menu(message: Message, user: User, repos: Repositories) -> None:
    """From the menu the queue shows every category: a filter set while paging is not left on
    unnoticed (and the buttons under it keep it while paging)."""
    if user.queue_category is not None:
        await repos.users.set_queue_category(user.id, None)
        user.queue_category = None
    view = QueueView.MINE if message.text == labels.IN_MY_WORK else QueueView.NEW
    text, markup = await render_queue(repos, user, view, 0)
    await message.answer(text, reply_markup=markup)


async def filter_by_category(
    query: CallbackQuery, callback_data: QueueCategoryCallback, user: User, repos: Repositories
) -> None:
    """The filter's choices, or the chosen one applied from the first page."""
    catalogue = await repos.categories.catalogue()
    if callback_data.choose:
        markup = queue_category_keyboard(catalogue, callback_data.view, user.queue_category)
        await show(query, queue_category_choice(callback_data.view), markup)
        return
    chosen = catalogue.get(callback_data.category)  # 0, or an id no longer there: every category
    user.queue_category = chosen.id if chosen is not None else None
    await repos.users.set_queue_category(user.id, user.queue_category)
    text, markup = await render_queue(repos, user, callback_data.view, 0)
    await show(query, text, markup)


async def queue_page(query: CallbackQuery, callback_data: QueueCallback, user: User, repos: Repositories) -> None:
    text, markup = await render_queue(repos, user, callback_data.view, callback_data.page)
    was_card = isinstance(query.message, Message) and is_card(query.message.reply_markup)
    shown = await show(query, text, markup)
    if was_card:  # «Back to the list»: a reply to the list is no answer to the ticket any more
        await repos.ticket_messages.forget(user.id, shown)


def create_router() -> Router:
    router = Router(name="admin_queue")
    router.message.register(
        queue_from_menu, StateFilter(None), (F.text == labels.QUEUE) | (F.text == labels.IN_MY_WORK)
    )
    router.message.register(queue_from_menu, StateFilter(None), Command("queue"))
    router.callback_query.register(queue_page, QueueCallback.filter())
    router.callback_query.register(filter_by_category, QueueCategoryCallback.filter())
    return router
