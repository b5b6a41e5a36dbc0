"""Everything written about tickets: labels, the form summary, the owner's and the staff's card, list lines.

Cards always fit one Telegram message: when they would not, the long texts people wrote
(description, comments, names) are shortened with "…" — `Fitted.shortened` tells the
keyboard to offer «📄 Full text», which sends them whole (`full_text_messages`).

Call inside an i18n context (handlers have one; notifications open one per recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from app.models.categories import Category
from app.models.conversation import Direction, TicketMessage
from app.models.telegram_text import TEXT_LIMIT, Fitted, fit, shorten, split_text, visible_len
from app.models.tickets import ChangeNote, Draft, Outcome, Priority, QueueView, StatusChange, Ticket, TicketStatus
from app.models.validators import COMMENT_MAX
from app.texts.feedback import feedback_line
from app.texts.formatting import age, counted_length, short, telegram_link, when

RECENT_QUOTE = 80  # a message's start on the card; «💬 Conversation» has more, «📄 n» all of it
MESSAGE_MARKERS = {Direction.IN: "⬅️", Direction.OUT: "➡️", Direction.NOTE: "📝"}
HISTORY_SHOWN = 10  # the staff card's latest changes; a ticket passed around for months stays readable
NAME_IN_ALERT = 64  # keeps "already taken by …" inside a button alert's 200 characters

PRIORITY_MARKERS = {
    Priority.LOW: "🟢",
    Priority.NORMAL: "🟡",
    Priority.HIGH: "🟠",
    Priority.CRITICAL: "🔴",
}
STATUS_MARKERS = {
    TicketStatus.NEW: "🆕",
    TicketStatus.IN_PROGRESS: "🛠",
    TicketStatus.WAITING: "⏳",
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


NO_CATEGORY = "—"  # tickets filed before the catalogue, or whose category is gone


def category_label(category: Category | None) -> str:
    """The category's name in the reader's language, for HTML (escaped: the super-admin typed it)."""
    return escape(category_button(category))


def category_button(category: Category | None) -> str:
    """The same name as plain text: for buttons, which Telegram does not parse."""
    return category.name(get_i18n().current_locale) if category is not None else NO_CATEGORY


def status_label(status: TicketStatus, *, owner: bool = False) -> str:
    """`owner`: worded for the ticket's owner (whose answer a waiting ticket waits for)."""
    names = {
        TicketStatus.NEW: _("New"),
        TicketStatus.IN_PROGRESS: _("In progress"),
        TicketStatus.WAITING: _("Waiting for your answer") if owner else _("Waiting for the employee"),
        TicketStatus.CLOSED: _("Closed"),
        TicketStatus.REJECTED: _("Rejected"),
    }
    return f"{STATUS_MARKERS[status]} {names[status]}"


def change_note(note: ChangeNote) -> str:
    return {
        ChangeNote.ASSIGNEE_LEFT: _("the assignee left the support staff"),
        ChangeNote.NO_ANSWER: _("closed automatically: the employee did not answer in time"),
        ChangeNote.NOT_SOLVED: _("reopened: the employee says the problem is not solved"),
        ChangeNote.WROTE_AGAIN: _("reopened: the employee wrote to it again"),
        ChangeNote.REASSIGNED: _("handed to another staff member"),
    }[note]


def _cut(value: str, room: int | None) -> str:
    """A person's text, shortened to `room` units when the message would not fit (see fit)."""
    return escape(value if room is None else shorten(value, room))


def form_summary(draft: Draft, category: Category | None = None, room: int | None = None) -> str:
    lines = [
        _("<b>Category:</b> {category}").format(category=category_label(category)),
        _("<b>Full name:</b> {name}").format(name=_cut(draft.full_name, room)),
        _("<b>Phone:</b> {phone}").format(phone=escape(draft.phone)),
        _("<b>Description:</b> {text}").format(text=_cut(draft.description, room)),
        _("<b>Attachments:</b> {count}").format(count=len(draft.media)),
    ]
    if draft.priority is not None:
        lines.append(_("<b>Priority:</b> {priority}").format(priority=priority_label(draft.priority)))
    return "\n".join(lines)


def _head(ticket: Ticket, category: Category | None, *, owner: bool = False) -> list[str]:
    return [
        _("<b>Ticket #{number}</b>").format(number=ticket.number),
        _("<b>Status:</b> {status}").format(status=status_label(ticket.status, owner=owner)),
        _("<b>Priority:</b> {priority}").format(priority=priority_label(ticket.priority)),
        _("<b>Category:</b> {category}").format(category=category_label(category)),
    ]


def _owner_comment(ticket: Ticket) -> tuple[str, str] | None:
    """What the owner is told about how their ticket ended: (label, text)."""
    if ticket.status is TicketStatus.CLOSED and ticket.last_comment:
        return _("<b>Comment:</b>"), ticket.last_comment
    if ticket.status is TicketStatus.REJECTED and ticket.last_comment:
        return _("<b>Reason:</b>"), ticket.last_comment
    return None


def created_line(number: int) -> str:
    return _("✅ Ticket #{number} created. We will let you know when its status changes.").format(number=number)


def recent_lines(recent: Sequence[TicketMessage], room: int | None) -> list[str]:
    """The conversation's latest messages on a card, oldest of them first, one line each."""
    if not recent:
        return []
    lines = [_("<b>Latest messages:</b>")]
    for message in reversed(recent):
        who = _cut(message.author_name, NAME_IN_ALERT if room is None else min(room, NAME_IN_ALERT))
        text = short(message.content.text, RECENT_QUOTE if room is None else min(room, RECENT_QUOTE))
        attached = f" 📎{len(message.content.parts)}" if message.content.parts else ""
        lines.append(
            f"{MESSAGE_MARKERS[message.direction]} <i>{when(message.created_at)}</i> {who}{attached}: {escape(text)}"
        )
    return lines


def ticket_card(
    ticket: Ticket, category: Category | None, lead: str = "", recent: Sequence[TicketMessage] = ()
) -> Fitted:
    """The owner's card (after `lead`, e.g. "Ticket #5 created"); long texts give way to fit.
    `category`: the ticket's, from the catalogue (None: it has none, shown as "—"); `recent`: the
    conversation's latest messages (never notes)."""

    def render(room: int | None) -> str:
        lines = [
            *_head(ticket, category, owner=True),
            _("<b>Created:</b> {at}").format(at=when(ticket.created_at)),
            _("<b>Description:</b> {text}").format(text=_cut(ticket.description, room)),
            _("<b>Attachments:</b> {count}").format(count=len(ticket.media)),
        ]
        if ticket.assignee is not None:
            lines.append(_("<b>Assignee:</b> {name}").format(name=_cut(ticket.assignee.name, room)))
        if ticket.updated_at != ticket.created_at:
            lines.append(_("<b>Updated:</b> {at}").format(at=when(ticket.updated_at)))
        ending = _owner_comment(ticket)
        if ending is not None:
            lines.append(f"{ending[0]} {_cut(ending[1], room)}")
        rating = feedback_line(ticket, room)
        if rating is not None:
            lines.append(rating)
        lines += recent_lines(recent, room)
        card = "\n".join(lines)
        return f"{lead}\n\n{card}" if lead else card

    return fit(render)


def change_line(change: StatusChange, room: int | None, *, owner: bool = False) -> str:
    """A status change as one line of the card's history or the timeline."""
    who = _cut(change.by.name, room) if change.by else _("the user")
    if change.note is ChangeNote.REASSIGNED and change.assignee is not None:
        to = _("🔀 handed to {name}").format(name=_cut(change.assignee.name, room))
        line = f"• {when(change.at)} — {to} ({who})"
        return f"{line}: {_cut(change.comment, room)}" if change.comment else line
    line = f"• {when(change.at)} — {status_label(change.to_status, owner=owner)} ({who})"
    if change.note is not None:  # stored as a code, worded in the reader's language
        return f"{line}: {change_note(change.note)}"
    return f"{line}: {_cut(change.comment, room)}" if change.comment else line


def staff_card(
    ticket: Ticket, category: Category | None, recent: Sequence[TicketMessage] = (), clocks: Sequence[str] = ()
) -> Fitted:
    """The staff's card: who filed it and how to reach them, its SLA `clocks` (lines), the
    recent history and the conversation's latest messages (`recent`, notes included)."""
    shown = ticket.history[-HISTORY_SHOWN:]
    earlier = len(ticket.history) - len(shown)

    def render(room: int | None) -> str:
        lines = [
            *_head(ticket, category),
            _("<b>Created:</b> {at} ({age} ago)").format(at=when(ticket.created_at), age=age(ticket.created_at)),
            _("<b>Full name:</b> {name}").format(name=_cut(ticket.full_name, room)),
            _("<b>Phone:</b> {phone}").format(phone=escape(ticket.phone)),
            _("<b>Telegram:</b> {who}").format(who=telegram_link(ticket.user_id, ticket.username)),
            _("<b>Description:</b> {text}").format(text=_cut(ticket.description, room)),
            _("<b>Attachments:</b> {count}").format(count=len(ticket.media)),
        ]
        if ticket.assignee is not None:
            lines.append(_("<b>Assignee:</b> {name}").format(name=_cut(ticket.assignee.name, room)))
        lines += clocks
        rating = feedback_line(ticket, room)
        if rating is not None:
            lines.append(rating)
        lines.append(_("<b>History:</b>"))
        if earlier:
            lines.append(_("• … {n} earlier changes").format(n=earlier))
        lines += [change_line(change, room) for change in shown]
        lines += recent_lines(recent, room)
        return "\n".join(lines)

    return fit(render)


def full_text_messages(ticket: Ticket, *, staff: bool) -> list[str]:
    """«📄 Full text»: the description and the comments whole, in as many messages as they need."""
    sections = [(_("📄 <b>Ticket #{number}: description</b>").format(number=ticket.number), ticket.description)]
    if staff:
        for change in ticket.history:
            if change.comment:
                who = escape(change.by.name) if change.by else _("the user")
                title = f"<b>{when(change.at)} — {status_label(change.to_status)} ({who}):</b>"
                sections.append((title, change.comment))
    else:
        ending = _owner_comment(ticket)
        if ending is not None:
            sections.append(ending)
    messages: list[str] = []
    for title, text in sections:
        head = split_text(text, max(TEXT_LIMIT - visible_len(title) - 1, 2))[0]
        messages.append(f"{title}\n{escape(head)}")
        rest = text[len(head) :]
        if rest.strip():
            messages += [escape(piece) for piece in split_text(rest, TEXT_LIMIT) if piece.strip()]
    return messages


def comment_too_long(text: str) -> str:
    return _("The comment is too long: at most {max} characters, yours has {n}.").format(
        max=COMMENT_MAX, n=counted_length(text.strip())
    )


def refusal(outcome: Outcome, ticket: Ticket | None) -> str:
    """Why a staff action did not happen (a button's alert: 200 characters at most)."""
    if outcome is Outcome.NOT_STAFF:
        return _("You are no longer on the support staff.")
    if outcome is Outcome.NOT_FOUND or ticket is None:
        return _("Ticket not found.")
    if outcome is Outcome.ALREADY_YOURS:
        return _("Ticket #{number} is already yours.").format(number=ticket.number)
    if outcome is Outcome.ALREADY_TAKEN and ticket.assignee is not None:
        return _("Ticket #{number} is already taken by {name}.").format(
            number=ticket.number, name=shorten(ticket.assignee.name, NAME_IN_ALERT)
        )
    if outcome is Outcome.NOT_ASSIGNEE:
        return _("Only the assignee or the super-admin can do this with ticket #{number}.").format(number=ticket.number)
    if ticket.status is TicketStatus.NEW:
        return _("Take ticket #{number} into work first.").format(number=ticket.number)
    if ticket.status is TicketStatus.CLOSED:
        return _("Ticket #{number} is already closed.").format(number=ticket.number)
    return _("Ticket #{number} is already rejected.").format(number=ticket.number)


def queue_line(ticket: Ticket) -> str:
    """A ticket as one button in the staff queue."""
    name, description = short(ticket.full_name, 20), short(ticket.description, 30)
    # The employee wrote last and waits for staff (a finished ticket waits for nobody).
    waiting = "💬 " if ticket.awaiting_staff and ticket.status.is_active else ""
    overdue = "🔥 " if ticket.sla_overdue and ticket.status.is_active else ""  # past an SLA target
    return f"{overdue}{waiting}{PRIORITY_MARKERS[ticket.priority]} #{ticket.number} · {name} · {description}"


def owner_line(ticket: Ticket) -> str:
    """A ticket as one button in «My tickets»."""
    return f"{STATUS_MARKERS[ticket.status]} #{ticket.number} · {short(ticket.description, 30)}"


def queue_title(view: QueueView) -> str:
    return {
        QueueView.NEW: _("🆕 New tickets"),
        QueueView.MINE: _("🛠 In my work"),
        QueueView.IN_WORK: _("👥 In progress, everyone"),
        QueueView.FINISHED: _("🗂 Closed and rejected, last 30 days"),
        QueueView.SEARCH: _("🔎 Search results"),
    }[view]


def queue_filter_label(category: Category | None) -> str:
    """The queue's category filter button, plain text (escape it for the header's line)."""
    if category is None:
        return _("🏷 Category: all")
    return _("🏷 Category: {category}").format(category=category_button(category))


def queue_category_choice(view: QueueView) -> str:
    return _("<b>{title}</b>\nShow the tickets of which category?").format(title=queue_title(view))


def category_choice_label(category: Category | None, *, current: bool) -> str:
    """A category in the queue's filter list; hidden ones are still listed (their tickets are there)."""
    name = _("All categories") if category is None else category_button(category)
    if category is not None and category.hidden:
        name = _("{name} (hidden)").format(name=name)
    return f"• {name}" if current else name


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
