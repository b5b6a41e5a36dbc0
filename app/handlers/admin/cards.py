"""The staff ticket card: everything about one ticket, and the actions the viewer may take."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import QueueCallback, QueueView, StaffTicketAction, StaffTicketCallback
from app.models.tickets import Ticket, TicketStatus
from app.models.users import Role
from app.services.tickets.actions import finish_refusal
from app.texts.formatting import when
from app.texts.tickets import priority_label, status_label


def age(moment: datetime, now: datetime | None = None) -> str:
    minutes = int(((now or datetime.now(UTC)) - moment).total_seconds() // 60)
    if minutes < 60:
        return _("{n} min").format(n=max(minutes, 0))
    if minutes < 48 * 60:
        return _("{h} h {m} min").format(h=minutes // 60, m=minutes % 60)
    return _("{d} days").format(d=minutes // (24 * 60))


def contact_link(ticket: Ticket) -> str:
    if ticket.username:
        return f"@{escape(ticket.username)}"
    return f'<a href="tg://user?id={ticket.user_id}">{ticket.user_id}</a>'


def staff_card(ticket: Ticket) -> str:
    lines = [
        _("<b>Ticket #{number}</b>").format(number=ticket.number),
        _("<b>Status:</b> {status}").format(status=status_label(ticket.status)),
        _("<b>Priority:</b> {priority}").format(priority=priority_label(ticket.priority)),
        _("<b>Created:</b> {at} ({age} ago)").format(at=when(ticket.created_at), age=age(ticket.created_at)),
        _("<b>Full name:</b> {name}").format(name=escape(ticket.full_name)),
        _("<b>Phone:</b> {phone}").format(phone=escape(ticket.phone)),
        _("<b>Telegram:</b> {who}").format(who=contact_link(ticket)),
        _("<b>Description:</b> {text}").format(text=escape(ticket.description)),
        _("<b>Attachments:</b> {count}").format(count=len(ticket.media)),
    ]
    if ticket.assignee is not None:
        lines.append(_("<b>Assignee:</b> {name}").format(name=escape(ticket.assignee.name)))
    lines.append(_("<b>History:</b>"))
    for change in ticket.history:
        who = escape(change.by.name) if change.by else _("the user")
        line = f"• {when(change.at)} — {status_label(change.to_status)} ({who})"
        if change.comment:
            line += f": {escape(change.comment)}"
        lines.append(line)
    return "\n".join(lines)


def card_keyboard(
    ticket: Ticket, viewer_id: int, role: Role, view: QueueView = QueueView.NEW, page: int = 0
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(text: str, action: StaffTicketAction) -> None:
        builder.button(
            text=text, callback_data=StaffTicketCallback(action=action, number=ticket.number, view=view, page=page)
        )

    if ticket.status is TicketStatus.NEW:
        button(_("🛠 Take into work"), StaffTicketAction.TAKE)
    superadmin = role is Role.SUPERADMIN
    if finish_refusal(ticket, viewer_id, superadmin=superadmin, to=TicketStatus.CLOSED) is None:
        button(_("✅ Close"), StaffTicketAction.CLOSE)
    if finish_refusal(ticket, viewer_id, superadmin=superadmin, to=TicketStatus.REJECTED) is None:
        button(_("⛔ Reject"), StaffTicketAction.REJECT)
    if ticket.media:
        button(_("🖼 Show attachments ({count})").format(count=len(ticket.media)), StaffTicketAction.MEDIA)
    builder.button(text=_("⬅️ Back to the list"), callback_data=QueueCallback(view=view, page=page))
    builder.adjust(1)
    return builder.as_markup()
