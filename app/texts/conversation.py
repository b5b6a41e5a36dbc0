"""Everything written about a ticket's conversation: headers of copied messages, prompts,
acknowledgements, the "which ticket?" question and the timeline. Every text fits Telegram's
limits whatever people wrote (names and quotes are shortened, long texts are split by the sender).

Call inside an i18n context."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.support import LazyProxy

from app.models.conversation import DeliveryState, TicketMessage
from app.models.telegram_text import TEXT_LIMIT, fit, split_text, visible_len
from app.models.tickets import Ticket, TicketStatus
from app.models.timeline import TimelinePage
from app.texts import labels
from app.texts.formatting import short, when
from app.texts.tickets import MESSAGE_MARKERS, change_line, content_name

NAME_IN_HEADER = 64
QUOTE_IN_HEADER = 40
QUOTE_IN_TIMELINE = 200


def staff_header(number: int, staff_name: str) -> str:
    """Above what staff wrote, as the employee receives it: "#5 · Olha:"."""
    return f"<b>#{number} · {escape(short(staff_name, NAME_IN_HEADER))}:</b>"


def edited_mark() -> str:
    """Under the header of a follow-up that carries a new text of a message already delivered."""
    return _("✏️ edited:")


def employee_header(ticket: Ticket, author_name: str) -> str:
    """Above what the employee wrote, as staff receive it."""
    return _("💬 <b>#{number}</b> «{quote}» · <b>{name}</b>:").format(
        number=ticket.number,
        quote=escape(short(ticket.description, QUOTE_IN_HEADER)),
        name=escape(short(author_name, NAME_IN_HEADER)),
    )


def reply_prompt(number: int) -> str:
    return _(
        "💬 <b>Reply to ticket #{number}</b>\nSend a text, photo, video, document, voice message or album "
        "(up to 10 items): it goes to the employee at once."
    ).format(number=number)


def note_prompt(number: int) -> str:
    return _(
        "📝 <b>Note to ticket #{number}</b>\nSend the note (text or attachments). Only staff see notes; "
        "the employee never does."
    ).format(number=number)


def add_prompt(number: int) -> str:
    return _(
        "💬 <b>Message to ticket #{number}</b>\nSend a text, photo, video, document, voice message or album: "
        "support will get it with your ticket."
    ).format(number=number)


def compose_hint(number: int) -> str:
    return _("You are writing to ticket #{number}. Send the message, or tap «{cancel}».").format(
        number=number, cancel=labels.CANCEL
    )


def cannot_send(message: Message) -> str:
    return _(
        "I cannot pass on {kind}. Send a text, photo, video, document, voice message or album, or tap «{cancel}»."
    ).format(kind=content_name(message), cancel=labels.CANCEL)


def cancelled() -> str:
    return _("Cancelled. Nothing was sent.")


def staff_ack(number: int, state: DeliveryState) -> str:
    if state is DeliveryState.SENT:
        return _("✅ Delivered to the employee (ticket #{number}).").format(number=number)
    if state is DeliveryState.BLOCKED:
        return _("⚠️ Not delivered: the employee has blocked the bot (ticket #{number}).").format(number=number)
    return _("⚠️ Not delivered: Telegram refused the message (ticket #{number}).").format(number=number)


def not_sent(reason: str) -> str:
    """A staff member's Telegram reply to a ticket's message that may not go to the employee."""
    return _("{reason}\nYour message was not sent.").format(reason=reason)


def waiting_ack(number: int) -> str:
    return _("Ticket #{number} is waiting for the employee's answer.").format(number=number)


def note_ack(number: int) -> str:
    return _("📝 Note saved to ticket #{number}. The employee does not see it.").format(number=number)


def employee_ack(number: int, reached: bool) -> str:
    if reached:
        return _("✅ Added to ticket #{number}; support has it.").format(number=number)
    return _("✅ Added to ticket #{number}. Support will see it in the ticket.").format(number=number)


def ask_which_ticket(tickets: list[Ticket]) -> str:
    if len(tickets) == 1:
        return _("Add this to #{number} «{quote}»?").format(
            number=tickets[0].number, quote=escape(short(tickets[0].description, QUOTE_IN_HEADER))
        )
    return _("Which ticket should this be added to?")


def ask_new_ticket() -> str:
    return _("You have no active tickets. Create a ticket from this?")


def ticket_finished(ticket: Ticket, *, reopenable: bool = False) -> str:
    """A message came for a finished ticket: it may be reopened with it (within REOPEN_DAYS), or
    become a new ticket."""
    if reopenable and ticket.status is TicketStatus.CLOSED:
        text = _("Ticket #{number} is closed. Reopen it with this message, or create a new ticket from it?")
    elif reopenable:
        text = _("Ticket #{number} was rejected. Reopen it with this message, or create a new ticket from it?")
    elif ticket.status is TicketStatus.CLOSED:
        text = _("Ticket #{number} is closed and takes no more messages. Create a new ticket from this?")
    else:
        text = _("Ticket #{number} was rejected and takes no more messages. Create a new ticket from this?")
    return text.format(number=ticket.number)


def ticket_takes_no_messages(ticket: Ticket) -> str:
    return _("Ticket #{number} is finished and takes no more messages.").format(number=ticket.number)


def button_inactive() -> str:
    return _("This button is no longer active.")


def choice_expired() -> str:
    return _("This question is out of date; send your message again.")


def ticket_line(ticket: Ticket) -> str:
    """A ticket as one button of the "which ticket?" question."""
    return f"➕ #{ticket.number} · {short(ticket.description, 30)}"


def _marker(message: TicketMessage) -> str:
    return MESSAGE_MARKERS[message.direction]


def _delivery_mark(message: TicketMessage) -> str:
    if message.delivery is DeliveryState.BLOCKED:
        return " " + _("(not delivered: the employee has blocked the bot)")
    if message.delivery is DeliveryState.FAILED:
        return " " + _("(not delivered)")
    return ""


def is_shortened_in_timeline(message: TicketMessage) -> bool:
    """Its timeline entry shows only the start of the text («📄» sends the whole)."""
    return short(message.content.text, QUOTE_IN_TIMELINE) != message.content.text


def timeline(number: int, page: TimelinePage, *, owner: bool = False) -> str:
    """One page of a ticket's timeline, newest first: messages (numbered for their «📄 n» / «📎 n»
    buttons) and the status changes of their time. `owner`: worded for the employee."""
    title = _("💬 <b>Conversation of ticket #{number}</b>").format(number=number)
    messages = page.messages
    counted = (
        _("Messages: {total} · page {page} of {pages}").format(
            total=messages.total, page=messages.number + 1, pages=messages.pages
        )
        if messages.items
        else _("No messages yet.")
    )

    def render(room: int | None) -> str:
        entries: list[tuple[datetime, str]] = []
        for index, message in enumerate(messages.items, start=1):
            text = short(message.content.text, QUOTE_IN_TIMELINE if room is None else min(room, QUOTE_IN_TIMELINE))
            attached = " " + _("📎 {n}").format(n=len(message.content.parts)) if message.content.parts else ""
            who = escape(short(message.author_name, NAME_IN_HEADER if room is None else min(room, NAME_IN_HEADER)))
            head = f"{_marker(message)} {index}. <i>{when(message.created_at)}</i> · <b>{who}</b>{attached}"
            entries.append((message.created_at, f"{head}{_delivery_mark(message)}\n{escape(text)}"))
        for change in page.changes:
            entries.append((change.at, change_line(change, room, owner=owner)))
        entries.sort(key=lambda entry: entry[0], reverse=True)
        lines = [title, counted] + [f"\n{entry}" for _at, entry in entries]
        if page.earlier_changes:
            lines.append(_("• … {n} earlier changes").format(n=page.earlier_changes))
        return "\n".join(lines)

    return fit(render).text


def full_message(number: int, message: TicketMessage) -> list[str]:
    """«📄 n»: one timeline message whole, under its header, in as many messages as it needs."""
    who = escape(short(message.author_name, NAME_IN_HEADER))
    header = f"{_marker(message)} <b>#{number} · {who}</b> · <i>{when(message.created_at)}</i>"
    pieces = split_text(message.content.text, TEXT_LIMIT - visible_len(header) - 1) if message.content.text else [""]
    return [f"{header}\n{escape(pieces[0])}", *(escape(piece) for piece in pieces[1:])]


def attachments_header(number: int, message: TicketMessage) -> str:
    """Above the attachments of one timeline message sent again."""
    who = escape(short(message.author_name, NAME_IN_HEADER))
    return f"{_marker(message)} <b>#{number} · {who}</b> · <i>{when(message.created_at)}</i>"


@lru_cache(maxsize=8)
def _menu_labels(i18n: I18n, locales: tuple[str, ...]) -> frozenset[str]:
    proxies = [value for value in vars(labels).values() if isinstance(value, LazyProxy)]
    found: set[str] = set()
    for locale in locales:
        with i18n.use_locale(locale):
            found.update(str(proxy) for proxy in proxies)
    return frozenset(found)


def is_menu_label(text: str, i18n: I18n) -> bool:
    """A button label of any menu, in any language: typed or tapped, it is never a message."""
    return text in _menu_labels(i18n, tuple(i18n.available_locales))
