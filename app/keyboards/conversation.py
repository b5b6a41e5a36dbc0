"""Inline buttons of a ticket's conversation: on the staff card and notices, under delivered
messages, the "which ticket?" question and the timeline's pages."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import (
    EDIT_IN_PLACE,
    ConversationAction,
    ConversationCallback,
    StaffTicketAction,
    StaffTicketCallback,
    TicketMessageAction,
    TicketMessageCallback,
)
from app.keyboards.pagination import page_arrows
from app.models.conversation import note_refusal, reply_refusal
from app.models.tickets import QueueView, Ticket, TicketStatus, finish_refusal
from app.models.timeline import TimelinePage
from app.models.users import Role
from app.texts.conversation import is_shortened_in_timeline, ticket_line

# Where a «💬 Take and reply» button is, in its `ref`: once it took the ticket, that message is
# refreshed so it offers no stale "take" — a card (or a new-ticket notice) is re-rendered as the
# card, in the queue view it came from; under an employee's message only the buttons change.
ON_CARD = "c"  # + the QueueView's value; the callback's `page` is the queue page
UNDER_COPY = "i"


def card_view_of(ref: str) -> QueueView | None:
    """The queue view of a card's (or notice's) reply button; None for any other button."""
    if ref.startswith(ON_CARD) and ref[len(ON_CARD) :] in {view.value for view in QueueView}:
        return QueueView(ref[len(ON_CARD) :])
    return None


def reply_label(ticket_status: TicketStatus) -> str:
    return _("💬 Take and reply") if ticket_status is TicketStatus.NEW else _("💬 Reply")


def _callback(action: ConversationAction, number: int, page: int = 0, ref: str = "-") -> ConversationCallback:
    return ConversationCallback(action=action, number=number, page=page, ref=ref)


def _own(action: TicketMessageAction, number: int = 0, ref: str = "-") -> TicketMessageCallback:
    return TicketMessageCallback(action=action, number=number, ref=ref)


def add_card_buttons(
    builder: InlineKeyboardBuilder,
    ticket: Ticket,
    viewer_id: int,
    role: Role,
    view: QueueView = QueueView.NEW,
    page: int = 0,
) -> None:
    """The staff card's conversation buttons: Reply / Note for whoever may write, Conversation for all."""
    superadmin = role is Role.SUPERADMIN
    if ticket.status is TicketStatus.NEW or reply_refusal(ticket, viewer_id, superadmin=superadmin) is None:
        reply = _callback(ConversationAction.REPLY, ticket.number, page, ref=ON_CARD + view.value)
        builder.button(text=reply_label(ticket.status), callback_data=reply)
    if note_refusal(ticket, viewer_id, superadmin=superadmin) is None:
        builder.button(text=_("📝 Note"), callback_data=_callback(ConversationAction.NOTE, ticket.number))
    builder.button(text=conversation_label(), callback_data=_callback(ConversationAction.TIMELINE, ticket.number))


def new_ticket_keyboard(number: int) -> InlineKeyboardMarkup:
    """Under the staff's notice of a new ticket."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Open"), callback_data=StaffTicketCallback(action=StaffTicketAction.OPEN, number=number))
    reply = _callback(ConversationAction.REPLY, number, ref=ON_CARD + QueueView.NEW.value)
    builder.button(text=reply_label(TicketStatus.NEW), callback_data=reply)
    builder.adjust(2)
    return builder.as_markup()


def incoming_keyboard(ticket: Ticket) -> InlineKeyboardMarkup:
    """Under an employee's message as staff receive it (and a reply refused as not taken yet)."""
    builder = InlineKeyboardBuilder()
    reply = _callback(ConversationAction.REPLY, ticket.number, ref=UNDER_COPY)
    builder.button(text=reply_label(ticket.status), callback_data=reply)
    builder.button(
        text=_("Open"), callback_data=StaffTicketCallback(action=StaffTicketAction.OPEN_NEW, number=ticket.number)
    )
    builder.adjust(2)
    return builder.as_markup()


def after_reply_keyboard(ticket: Ticket, viewer_id: int, role: Role) -> InlineKeyboardMarkup:
    """Under "delivered": close the ticket (the usual close flow), write more, or wait for the answer."""
    builder = InlineKeyboardBuilder()
    if finish_refusal(ticket, viewer_id, superadmin=role is Role.SUPERADMIN, to=TicketStatus.CLOSED) is None:
        builder.button(
            text=_("✅ Close"), callback_data=StaffTicketCallback(action=StaffTicketAction.CLOSE, number=ticket.number)
        )
    builder.button(text=_("✍️ Write more"), callback_data=_callback(ConversationAction.REPLY, ticket.number))
    if ticket.status is TicketStatus.IN_PROGRESS:
        builder.button(
            text=_("⏳ Wait for the answer"), callback_data=_callback(ConversationAction.WAIT, ticket.number)
        )
    builder.button(
        text=_("Open"), callback_data=StaffTicketCallback(action=StaffTicketAction.OPEN_NEW, number=ticket.number)
    )
    builder.adjust(2, 1, 1)
    return builder.as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("❌ Cancel"), callback_data=_own(TicketMessageAction.CANCEL))
    return builder.as_markup()


def add_message_keyboard(number: int) -> InlineKeyboardMarkup:
    """Under a staff message the employee received, and on their own card."""
    builder = InlineKeyboardBuilder()
    builder.button(text=add_message_label(), callback_data=_own(TicketMessageAction.ADD, number))
    return builder.as_markup()


def add_message_label() -> str:
    return _("💬 Add a message")


def add_owner_card_button(builder: InlineKeyboardBuilder, ticket: Ticket) -> None:
    if ticket.status.is_active:
        builder.button(text=add_message_label(), callback_data=_own(TicketMessageAction.ADD, ticket.number))


def choose_ticket_keyboard(tickets: list[Ticket], ref: str, reopen: int | None = None) -> InlineKeyboardMarkup:
    """The employee's active tickets (newest first) for a message written outside any form;
    `reopen`: the finished ticket the message was meant for, which may still be reopened."""
    builder = InlineKeyboardBuilder()
    for ticket in tickets:
        builder.button(text=ticket_line(ticket), callback_data=_own(TicketMessageAction.PICK, ticket.number, ref=ref))
    if reopen is not None:
        builder.button(
            text=_("🔁 Reopen #{number}").format(number=reopen),
            callback_data=_own(TicketMessageAction.REOPEN, reopen, ref=ref),
        )
    builder.button(text=_("📝 New ticket with this"), callback_data=_own(TicketMessageAction.NEW, ref=ref))
    builder.button(text=_("❌ Cancel"), callback_data=_own(TicketMessageAction.CANCEL, ref=ref))
    builder.adjust(1)
    return builder.as_markup()


def _entry_buttons(page: TimelinePage) -> list[tuple[str, str, bool]]:
    """(label, message id, whole text?) for the messages of a timeline page that need a button."""
    buttons: list[tuple[str, str, bool]] = []
    for index, message in enumerate(page.messages.items, start=1):
        if is_shortened_in_timeline(message):
            buttons.append((f"📄 {index}", str(message.id), True))
        if message.content.parts:
            buttons.append((f"📎 {index}", str(message.id), False))
    return buttons


def timeline_keyboard(number: int, page: TimelinePage) -> InlineKeyboardMarkup:
    """Staff: pages, the whole text or the attachments of an entry, back to the card."""
    builder = InlineKeyboardBuilder()
    arrows = page_arrows(page.messages.number, page.messages.pages)
    for arrow, target in arrows:
        builder.button(
            text=arrow, callback_data=_callback(ConversationAction.TIMELINE, number, target, ref=EDIT_IN_PLACE)
        )
    entries = _entry_buttons(page)
    for label, message_id, whole in entries:
        action = ConversationAction.FULL_TEXT if whole else ConversationAction.MEDIA
        builder.button(text=label, callback_data=_callback(action, number, ref=message_id))
    builder.button(text=_("Open"), callback_data=StaffTicketCallback(action=StaffTicketAction.OPEN, number=number))
    builder.adjust(*([len(arrows)] if arrows else []), *_rows(len(entries)), 1)
    return builder.as_markup()


def owner_timeline_keyboard(ticket: Ticket, page: TimelinePage) -> InlineKeyboardMarkup:
    """The employee's: pages, an entry's whole text or attachments, and «Add a message» while active."""
    builder = InlineKeyboardBuilder()
    arrows = page_arrows(page.messages.number, page.messages.pages)
    for arrow, target in arrows:
        data = TicketMessageCallback(
            action=TicketMessageAction.TIMELINE, number=ticket.number, page=target, ref=EDIT_IN_PLACE
        )
        builder.button(text=arrow, callback_data=data)
    entries = _entry_buttons(page)
    for label, message_id, whole in entries:
        action = TicketMessageAction.FULL_TEXT if whole else TicketMessageAction.MEDIA
        builder.button(text=label, callback_data=_own(action, ticket.number, ref=message_id))
    add_owner_card_button(builder, ticket)
    builder.adjust(*([len(arrows)] if arrows else []), *_rows(len(entries)), 1)
    return builder.as_markup()


def conversation_label() -> str:
    return _("💬 Conversation")


def _rows(count: int) -> list[int]:
    """Entry buttons five to a row."""
    return [min(5, count - start) for start in range(0, count, 5)]
