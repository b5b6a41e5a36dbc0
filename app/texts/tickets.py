"""Everything written about tickets: labels, the form summary, the owner's and the staff's card, list lines.

Call inside an i18n context (handlers have one; notifications open one per recipient)."""

from __future__ import annotations

from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.models.tickets import ChangeNote, Priority, QueueView, StatusChange, Ticket, TicketStatus
from app.models.validators import units
from app.texts.formatting import age, short, telegram_link, when

MESSAGE_LIMIT = 4096
NAME_SHOWN = 40  # staff names in a card, cut before escaping

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


def change_note(note: ChangeNote) -> str:
    return {ChangeNote.ASSIGNEE_LEFT: _("the assignee left the support staff")}[note]


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


def _head(ticket: Ticket) -> list[str]:
    return [
        _("<b>Ticket #{number}</b>").format(number=ticket.number),
        _("<b>Status:</b> {status}").format(status=status_label(ticket.status)),
        _("<b>Priority:</b> {priority}").format(priority=priority_label(ticket.priority)),
    ]


def ticket_card(ticket: Ticket) -> str:
    """The owner's card."""
    lines = [
        *_head(ticket),
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


def staff_card(ticket: Ticket) -> str:
    """The staff's card: who filed it and how to reach them, and the whole history."""
    lines = [
        *_head(ticket),
        _("<b>Created:</b> {at} ({age} ago)").format(at=when(ticket.created_at), age=age(ticket.created_at)),
        _("<b>Full name:</b> {name}").format(name=escape(ticket.full_name)),
        _("<b>Phone:</b> {phone}").format(phone=escape(ticket.phone)),
        _("<b>Telegram:</b> {who}").format(who=telegram_link(ticket.user_id, ticket.username)),
        _("<b>Description:</b> {text}").format(text=escape(ticket.description)),
        _("<b>Attachments:</b> {count}").format(count=len(ticket.media)),
    ]
    if ticket.assignee is not None:
        lines.append(_("<b>Assignee:</b> {name}").format(name=escape(short(ticket.assignee.name, NAME_SHOWN))))
    lines.append(_("<b>History:</b>"))
    history = [history_line(change) for change in ticket.history]
    # A long description, a long comment and many changes could pass Telegram's limit
    # together: the oldest changes give way (the HTML's length bounds the parsed one).
    text = "\n".join([*lines, *history])
    for hidden in range(1, len(history)):
        if units(text) <= MESSAGE_LIMIT:
            break
        text = "\n".join([*lines, _("• … {n} earlier changes").format(n=hidden), *history[hidden:]])
    return text


def history_line(change: StatusChange) -> str:
    who = escape(short(change.by.name, NAME_SHOWN)) if change.by else _("the user")
    line = f"• {when(change.at)} — {status_label(change.to_status)} ({who})"
    if change.note is not None:
        line += f": {change_note(change.note)}"
    elif change.comment:
        line += f": {escape(change.comment)}"
    return line


def queue_line(ticket: Ticket) -> str:
    """A ticket as one button in the staff queue."""
    name, description = short(ticket.full_name, 20), short(ticket.description, 30)
    return f"{PRIORITY_MARKERS[ticket.priority]} #{ticket.number} · {name} · {description}"


def owner_line(ticket: Ticket) -> str:
    """A ticket as one button in «My tickets»."""
    return f"{STATUS_MARKERS[ticket.status]} #{ticket.number} · {short(ticket.description, 30)}"


def queue_title(view: QueueView) -> str:
    return {
        QueueView.NEW: _("🆕 New tickets"),
        QueueView.MINE: _("🛠 In my work"),
        QueueView.IN_WORK: _("👥 In progress, everyone"),
        QueueView.FINISHED: _("🗂 Closed and rejected, last 30 days"),
    }[view]


def page_line(page: int, pages: int, total: int) -> str:
    return _("Page {page} of {pages} · tickets: {total}").format(page=page + 1, pages=pages, total=total)


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
