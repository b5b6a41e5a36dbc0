"""What the bot tells people on its own initiative: staff about new work and server-room calls,
owners about their ticket's status. Each fits one message whatever people typed.

Call inside an i18n context (the notifier opens one per recipient, in their language)."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.categories import Category
from app.models.telegram_text import fit, shorten
from app.models.tickets import ChangeNote, StatusChange, Ticket, TicketStatus
from app.models.users import User
from app.texts.feedback import solved_question
from app.texts.formatting import telegram_link
from app.texts.tickets import category_label, priority_label

NOTICE_DESCRIPTION = 300  # the start of the description in the staff's notice; «Open» shows it all


def new_ticket_notice(ticket: Ticket, category: Category | None) -> str:
    def render(room: int | None) -> str:
        name = ticket.full_name if room is None else shorten(ticket.full_name, room)
        return _("🆕 <b>New ticket #{number}</b> · {priority} · {category}\n<b>From:</b> {name}\n{description}").format(
            number=ticket.number,
            priority=priority_label(ticket.priority),
            category=category_label(category),
            name=escape(name),
            description=escape(shorten(" ".join(ticket.description.split()), NOTICE_DESCRIPTION)),
        )

    return fit(render).text


def server_room_notice(user: User, phone: str | None, note: str | None) -> str:
    def render(room: int | None) -> str:
        def cut(value: str) -> str:
            return escape(value if room is None else shorten(value, room))

        lines = [
            _("🚨 <b>Call to the server room!</b>"),
            _("<b>From:</b> {name}").format(name=cut(user.display_name)),
            _("<b>Phone:</b> {phone}").format(phone=escape(phone) if phone else _("unknown")),
            _("<b>Telegram:</b> {who}").format(who=telegram_link(user.id, user.username)),
        ]
        if note:
            lines.append(_("<b>Note:</b> {note}").format(note=cut(note)))
        return "\n".join(lines)

    return fit(render).text


def status_notice(ticket: Ticket, change: StatusChange) -> str:
    """The owner's notice of a status change."""

    def render(room: int | None) -> str:
        def cut(value: str) -> str:
            return escape(value if room is None else shorten(value, room))

        who = cut(change.by.name) if change.by else _("support")
        comment = cut(change.comment) if change.comment else ""
        if change.note is ChangeNote.REASSIGNED and change.assignee is not None:
            return _("🔀 Your ticket #{number} is now handled by {name}.").format(
                number=ticket.number, name=cut(change.assignee.name)
            )
        if change.to_status is TicketStatus.IN_PROGRESS:
            text = _("🛠 Your ticket #{number} was taken into work by {who}.")
        elif change.to_status is TicketStatus.WAITING:
            text = _("⏳ Ticket #{number} is waiting for your answer.")
        elif change.to_status is TicketStatus.CLOSED:
            text = _("✅ Your ticket #{number} was closed.")
            if comment:
                text += "\n" + _("<b>Comment:</b> {comment}")
            text += "\n\n" + solved_question()
        elif change.to_status is TicketStatus.REJECTED:
            text = _("⛔ Your ticket #{number} was rejected.")
            if comment:
                text += "\n" + _("<b>Reason:</b> {comment}")
        else:
            text = _("🆕 Your ticket #{number} is back in the queue.")
        return text.format(number=ticket.number, who=who, comment=comment)

    return fit(render).text


def answered_notice(ticket: Ticket) -> str:
    """The assignee's: the employee answered a waiting ticket."""
    return _("🛠 Ticket #{number}: the employee answered, it is in progress again.").format(number=ticket.number)


def waiting_reminder(ticket: Ticket) -> str:
    return _("⏳ Reminder: ticket #{number} is waiting for your answer.").format(number=ticket.number)


def auto_closed_owner(ticket: Ticket, days: int) -> str:
    return "\n".join(
        [
            _("✅ Your ticket #{number} was closed.").format(number=ticket.number),
            _("No answer came within the waiting time ({days} days).").format(days=days),
            "",
            solved_question(),
        ]
    )


def auto_closed_staff(ticket: Ticket, days: int) -> str:
    return _("✅ Ticket #{number} was closed by itself: no answer came within the waiting time ({days} days).").format(
        number=ticket.number, days=days
    )
