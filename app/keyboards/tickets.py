"""Inline keyboards about tickets: the staff queue and card, «My tickets» and the owner's card, "Open"."""

from __future__ import annotations

import contextlib

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import (
    ConversationCallback,
    MyTicketsAction,
    MyTicketsCallback,
    QueueCallback,
    QueueCategoryCallback,
    SearchCallback,
    SearchScope,
    StaffTicketAction,
    StaffTicketCallback,
    TicketMessageAction,
    TicketMessageCallback,
    TicketScope,
)
from app.keyboards.conversation import add_card_buttons, add_owner_card_button, conversation_label
from app.keyboards.handover import reassign_button
from app.keyboards.pagination import page_arrows
from app.models.categories import Catalogue, Category
from app.models.paging import Page
from app.models.tickets import QueueView, Ticket, TicketStatus, finish_refusal, reassign_refusal
from app.models.users import Role
from app.texts.tickets import category_choice_label, owner_line, queue_filter_label, queue_line


def attachments_label(ticket: Ticket) -> str:
    return _("🖼 Show attachments ({count})").format(count=len(ticket.media))


def full_text_label() -> str:
    """Under a card whose long texts were shortened to fit one message."""
    return _("📄 Full text")


def queue_keyboard(tickets: Page[Ticket], view: QueueView, category: Category | None = None) -> InlineKeyboardMarkup:
    """`category`: the viewer's category filter (None: every category)."""
    builder = InlineKeyboardBuilder()
    for ticket in tickets.items:
        builder.button(
            text=queue_line(ticket),
            callback_data=StaffTicketCallback(
                action=StaffTicketAction.OPEN, number=ticket.number, view=view, page=tickets.number
            ),
        )
    arrows = page_arrows(tickets.number, tickets.pages)
    for arrow, target in arrows:
        builder.button(text=arrow, callback_data=QueueCallback(view=view, page=target))
    filters = [
        (QueueView.NEW, _("🆕 New")),
        (QueueView.MINE, _("🛠 Mine")),
        (QueueView.IN_WORK, _("👥 All in progress")),
        (QueueView.FINISHED, _("🗂 Finished")),
    ]
    for target_view, label in filters:
        builder.button(
            text=("• " + label) if target_view is view else label, callback_data=QueueCallback(view=target_view)
        )
    builder.button(text=queue_filter_label(category), callback_data=QueueCategoryCallback(view=view, choose=True))
    builder.adjust(*([1] * len(tickets.items)), *([len(arrows)] if arrows else []), 2, 2, 1)
    return builder.as_markup()


def queue_category_keyboard(catalogue: Catalogue, view: QueueView, current: int | None) -> InlineKeyboardMarkup:
    """The queue's category filter: every category (hidden ones too), then all of them."""
    builder = InlineKeyboardBuilder()
    for category in catalogue.categories:
        builder.button(
            text=category_choice_label(category, current=category.id == current),
            callback_data=QueueCategoryCallback(view=view, category=category.id),
        )
    builder.button(
        text=category_choice_label(None, current=current is None), callback_data=QueueCategoryCallback(view=view)
    )
    builder.adjust(2)
    return builder.as_markup()


def search_keyboard(found: Page[Ticket], own: bool) -> InlineKeyboardMarkup:
    """Search results: each opens its card (whose «Back» returns here), arrows, a new search.
    Pages are the person's last search (SearchCallback's docstring)."""
    builder = InlineKeyboardBuilder()
    arrows = page_arrows(found.number, found.pages)
    for ticket in found.items:
        if own:
            builder.button(
                text=owner_line(ticket),
                callback_data=MyTicketsCallback(
                    action=MyTicketsAction.OPEN, scope=TicketScope.SEARCH, page=found.number, number=ticket.number
                ),
            )
        else:
            builder.button(
                text=queue_line(ticket),
                callback_data=StaffTicketCallback(
                    action=StaffTicketAction.OPEN, number=ticket.number, view=QueueView.SEARCH, page=found.number
                ),
            )
    for arrow, target in arrows:
        if own:
            page = MyTicketsCallback(action=MyTicketsAction.PAGE, scope=TicketScope.SEARCH, page=target)
            builder.button(text=arrow, callback_data=page)
        else:
            builder.button(text=arrow, callback_data=QueueCallback(view=QueueView.SEARCH, page=target))
    builder.button(
        text=_("🔎 New search"), callback_data=SearchCallback(scope=SearchScope.OWN if own else SearchScope.ALL)
    )
    builder.adjust(*([1] * len(found.items)), *([len(arrows)] if arrows else []), 1)
    return builder.as_markup()


def staff_card_keyboard(
    ticket: Ticket,
    viewer_id: int,
    role: Role,
    view: QueueView = QueueView.NEW,
    page: int = 0,
    *,
    full_text: bool = False,
) -> InlineKeyboardMarkup:
    """The actions the viewer may take now, and the way back to the list the card was opened from.

    `full_text`: the card shortened something, so offer it whole."""
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
    add_card_buttons(builder, ticket, viewer_id, role, view, page)
    if reassign_refusal(ticket, viewer_id, superadmin=superadmin) is None:
        builder.button(text=_("🔀 Reassign"), callback_data=reassign_button(ticket.number))
    if full_text:
        button(full_text_label(), StaffTicketAction.FULL_TEXT)
    if ticket.media:
        button(attachments_label(ticket), StaffTicketAction.MEDIA)
    builder.button(text=_("⬅️ Back to the list"), callback_data=QueueCallback(view=view, page=page))
    builder.adjust(1)
    return builder.as_markup()


def is_card(markup: InlineKeyboardMarkup | None) -> bool:
    """The buttons of a staff card (every card has «💬 Conversation»; a queue list never does)."""
    buttons = [button for row in (markup.inline_keyboard if markup else []) for button in row]
    for button in buttons:
        with contextlib.suppress(TypeError, ValueError):
            if button.callback_data and ConversationCallback.unpack(button.callback_data):
                return True
    return False


def open_ticket_keyboard(number: int) -> InlineKeyboardMarkup:
    """Under a staff notification about a ticket."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Open"), callback_data=StaffTicketCallback(action=StaffTicketAction.OPEN_NEW, number=number))
    return builder.as_markup()


def owner_list_keyboard(tickets: Page[Ticket], scope: TicketScope) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for ticket in tickets.items:
        builder.button(
            text=owner_line(ticket),
            callback_data=MyTicketsCallback(
                action=MyTicketsAction.OPEN, scope=scope, page=tickets.number, number=ticket.number
            ),
        )
    navigation = page_arrows(tickets.number, tickets.pages)
    for arrow, target in navigation:
        builder.button(
            text=arrow, callback_data=MyTicketsCallback(action=MyTicketsAction.PAGE, scope=scope, page=target)
        )
    history = scope is TicketScope.HISTORY
    builder.button(
        text=_("📋 Active tickets") if history else _("🗂 History"),
        callback_data=MyTicketsCallback(
            action=MyTicketsAction.PAGE, scope=TicketScope.ACTIVE if history else TicketScope.HISTORY, page=0
        ),
    )
    builder.button(text=_("🔎 Search my tickets"), callback_data=SearchCallback(scope=SearchScope.OWN))
    builder.adjust(*([1] * len(tickets.items)), *([len(navigation)] if navigation else []), 2)
    return builder.as_markup()


def owner_card_keyboard(
    ticket: Ticket, scope: TicketScope, page: int, *, full_text: bool = False
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    add_owner_card_button(builder, ticket)
    builder.button(
        text=conversation_label(),
        callback_data=TicketMessageCallback(action=TicketMessageAction.TIMELINE, number=ticket.number),
    )
    if full_text:
        builder.button(
            text=full_text_label(),
            callback_data=MyTicketsCallback(action=MyTicketsAction.FULL_TEXT, number=ticket.number),
        )
    if ticket.media:
        builder.button(
            text=attachments_label(ticket),
            callback_data=MyTicketsCallback(action=MyTicketsAction.MEDIA, number=ticket.number),
        )
    builder.button(
        text=_("⬅️ Back to the list"),
        callback_data=MyTicketsCallback(action=MyTicketsAction.PAGE, scope=scope, page=page),
    )
    builder.adjust(1)
    return builder.as_markup()
