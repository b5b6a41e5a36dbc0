"""The staff queue: new tickets by priority and age, my work, all work, recently finished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.db.repositories import Repositories
from app.db.tickets import QUEUE_ORDER, RECENT_ORDER
from app.keyboards import labels
from app.keyboards.callback_data import QueueCallback, QueueView, StaffTicketAction, StaffTicketCallback
from app.keyboards.pagination import page_arrows
from app.models.tickets import TicketStatus
from app.models.users import User
from app.texts.formatting import short
from app.texts.tickets import PRIORITY_MARKERS, STATUS_MARKERS
from app.utils.messages import show

PAGE_SIZE = 10
FINISHED_WINDOW = timedelta(days=30)


def view_query(view: QueueView, viewer_id: int) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    if view is QueueView.NEW:
        return {"status": TicketStatus.NEW.value}, QUEUE_ORDER
    if view is QueueView.MINE:
        return {"status": TicketStatus.IN_PROGRESS.value, "assignee.id": viewer_id}, QUEUE_ORDER
    if view is QueueView.IN_WORK:
        return {"status": TicketStatus.IN_PROGRESS.value}, QUEUE_ORDER
    since = datetime.now(UTC) - FINISHED_WINDOW
    return {
        "status": {"$in": [TicketStatus.CLOSED.value, TicketStatus.REJECTED.value]},
        "updated_at": {"$gte": since},
    }, RECENT_ORDER


def view_title(view: QueueView) -> str:
    return {
        QueueView.NEW: _("🆕 New tickets"),
        QueueView.MINE: _("🛠 In my work"),
        QueueView.IN_WORK: _("👥 In work, everyone"),
        QueueView.FINISHED: _("🗂 Closed and rejected, last 30 days"),
    }[view]


async def render_queue(
    repos: Repositories, viewer: User, view: QueueView, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    query, order = view_query(view, viewer.id)
    counts = await repos.tickets.count_by_status()
    # The header's counts already hold the totals of the two whole-status views.
    known = {QueueView.NEW: TicketStatus.NEW, QueueView.IN_WORK: TicketStatus.IN_PROGRESS}.get(view)
    total = counts[known.value] if known else None
    tickets, total = await repos.tickets.page(query, order, page, PAGE_SIZE, total)
    pages = max(1, -(-total // PAGE_SIZE))
    if not tickets and page > 0:  # the list shrank since the buttons were drawn
        page = pages - 1
        tickets, total = await repos.tickets.page(query, order, page, PAGE_SIZE, total)
    header = " · ".join(f"{STATUS_MARKERS[TicketStatus(s)]} {n}" for s, n in counts.items())
    builder = InlineKeyboardBuilder()
    for ticket in tickets:
        builder.button(
            text=f"{PRIORITY_MARKERS[ticket.priority]} #{ticket.number} · {short(ticket.full_name, 20)} · "
            f"{short(ticket.description, 30)}",
            callback_data=StaffTicketCallback(
                action=StaffTicketAction.OPEN, number=ticket.number, view=view, page=page
            ),
        )
    arrows = page_arrows(page, pages)
    for arrow, target in arrows:
        builder.button(text=arrow, callback_data=QueueCallback(view=view, page=target))
    filters = [
        (QueueView.NEW, _("🆕 New")),
        (QueueView.MINE, _("🛠 Mine")),
        (QueueView.IN_WORK, _("👥 All in work")),
        (QueueView.FINISHED, _("🗂 Finished")),
    ]
    for target_view, label in filters:
        builder.button(
            text=("• " + label) if target_view is view else label, callback_data=QueueCallback(view=target_view)
        )
    builder.adjust(*([1] * len(tickets)), *([len(arrows)] if arrows else []), 2, 2)
    lines = [f"<b>{view_title(view)}</b>", header]
    if tickets:
        lines.append(_("Page {page} of {pages} · tickets: {total}").format(page=page + 1, pages=pages, total=total))
    else:
        lines.append(_("Nothing here."))
    return "\n".join(lines), builder.as_markup()


async def queue_from_menu(message: Message, user: User, repos: Repositories) -> None:
    view = QueueView.MINE if message.text == labels.IN_MY_WORK else QueueView.NEW
    text, markup = await render_queue(repos, user, view, 0)
    await message.answer(text, reply_markup=markup)


async def queue_page(query: CallbackQuery, callback_data: QueueCallback, user: User, repos: Repositories) -> None:
    text, markup = await render_queue(repos, user, callback_data.view, max(0, callback_data.page))
    await show(query, text, markup)


def create_router() -> Router:
    router = Router(name="admin_queue")
    router.message.register(
        queue_from_menu, StateFilter(None), (F.text == labels.QUEUE) | (F.text == labels.IN_MY_WORK)
    )
    router.message.register(queue_from_menu, StateFilter(None), Command("queue"))
    router.callback_query.register(queue_page, QueueCallback.filter())
    return router
