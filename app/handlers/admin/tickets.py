"""The staff view of a ticket, opened from a new-ticket notification."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.db.repositories import Repositories
from app.keyboards.callback_data import StaffTicketAction, StaffTicketCallback
from app.models import Ticket
from app.rendering import ticket_card
from app.services.media import send_media
from app.utils.messages import show


def staff_card(ticket: Ticket) -> str:
    contact = f"@{escape(ticket.username)}" if ticket.username else f'<a href="tg://user?id={ticket.user_id}">{ticket.user_id}</a>'
    return "\n".join(
        [
            ticket_card(ticket),
            _("<b>From:</b> {name}").format(name=escape(ticket.full_name)),
            _("<b>Phone:</b> {phone}").format(phone=escape(ticket.phone)),
            _("<b>Telegram:</b> {who}").format(who=contact),
        ]
    )


async def open_ticket(query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: StaffTicketCallback, repos: Repositories) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    builder = InlineKeyboardBuilder()
    if ticket.media:
        builder.button(
            text=_("🖼 Show attachments ({count})").format(count=len(ticket.media)),
            callback_data=StaffTicketCallback(action=StaffTicketAction.MEDIA, number=ticket.number),
        )
    await show(query, staff_card(ticket), builder.as_markup() if ticket.media else None)


async def show_media(query: CallbackQuery, callback_answer: CallbackAnswer, callback_data: StaffTicketCallback, repos: Repositories, bot: Bot) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None or not ticket.media:
        callback_answer.text, callback_answer.show_alert = _("This ticket has no attachments."), True
        return
    await send_media(bot, query.from_user.id, ticket.media)


def create_router() -> Router:
    router = Router(name="admin_tickets")
    router.callback_query.register(open_ticket, StaffTicketCallback.filter(F.action == StaffTicketAction.OPEN))
    router.callback_query.register(show_media, StaffTicketCallback.filter(F.action == StaffTicketAction.MEDIA))
    return router
