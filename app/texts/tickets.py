"""Texts shown in more than one place (form summary, cards, notifications), in the current locale."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.models.tickets import Priority, Ticket, TicketStatus

PRIORITY_MARKERS = {
    Priority.LOW: "🟢",
    Priority.NORMAL: "🟡",
    Priority.HIGH: "🟠",
    Priority.CRITICAL: "🔴",
}
STATUS_MARKERS = {
    TicketStatus.NEW: "🆕",
    TicketStatus.IN_PROGRESS: "🛠",
    TicketStatus.CLOSED: "✅",
    TicketStatus.REJECTED: "⛔",
}


def priority_label(priority: Priority) -> str:
    names = {
        Priority.LOW: _("Low"),
        Priority.NORMAL: _("Normal"),
        Priority.HIGH: _("High"),
        Priority.CRITICAL: _("Critical"),
    }
    return f"{PRIORITY_MARKERS[priority]} {names[priority]}"


def priority_meaning(priority: Priority) -> str:
    meanings = {
        Priority.LOW: _("can wait a few days"),
        Priority.NORMAL: _("within a working day"),
        Priority.HIGH: _("blocks my work, today please"),
        Priority.CRITICAL: _("many people or a service are down, right now"),
    }
    return meanings[priority]


def status_label(status: TicketStatus) -> str:
    names = {
        TicketStatus.NEW: _("New"),
        TicketStatus.IN_PROGRESS: _("In progress"),
        TicketStatus.CLOSED: _("Closed"),
        TicketStatus.REJECTED: _("Rejected"),
    }
    return f"{STATUS_MARKERS[status]} {names[status]}"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def form_summary(full_name: str, phone: str, description: str, media_count: int, priority: Priority | None) -> str:
    lines = [
        _("<b>Full name:</b> {name}").format(name=escape(full_name)),
        _("<b>Phone:</b> {phone}").format(phone=escape(phone)),
        _("<b>Description:</b> {text}").format(text=escape(description)),
        _("<b>Attachments:</b> {count}").format(count=media_count),
    ]
    if priority is not None:
        lines.append(_("<b>Priority:</b> {priority}").format(priority=priority_label(priority)))
    return "\n".join(lines)


def ticket_card(ticket: Ticket) -> str:
    lines = [
        _("<b>Ticket #{number}</b>").format(number=ticket.number),
        _("<b>Status:</b> {status}").format(status=status_label(ticket.status)),
        _("<b>Priority:</b> {priority}").format(priority=priority_label(ticket.priority)),
        _("<b>Created:</b> {at}").format(at=when(ticket.created_at)),
        _("<b>Description:</b> {text}").format(text=escape(ticket.description)),
        _("<b>Attachments:</b> {count}").format(count=len(ticket.media)),
    ]
    if ticket.assignee is not None:
        lines.append(_("<b>Assignee:</b> {name}").format(name=escape(ticket.assignee.name)))
    if ticket.updated_at != ticket.created_at:
        lines.append(_("<b>Updated:</b> {at}").format(at=when(ticket.updated_at)))
    if ticket.status is TicketStatus.CLOSED and ticket.last_comment:
        lines.append(_("<b>Comment:</b> {text}").format(text=escape(ticket.last_comment)))
    if ticket.status is TicketStatus.REJECTED and ticket.last_comment:
        lines.append(_("<b>Reason:</b> {text}").format(text=escape(ticket.last_comment)))
    return "\n".join(lines)


def short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def content_name(message: Message) -> str:
    """What the user sent, in words, for "I cannot use … here" hints."""
    if message.sticker:
        return _("a sticker")
    if message.voice or message.audio:
        return _("a voice or audio message")
    if message.video_note:
        return _("a video message")
    if message.photo or message.video or message.document:
        return _("an attachment")
    if message.contact:
        return _("a contact")
    if message.location or message.venue:
        return _("a location")
    if message.text is not None:
        return _("text")
    return _("this kind of message")
