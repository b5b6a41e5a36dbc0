"""«My tickets»: the owner's active tickets and history, paginated, with detail cards."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards import labels
from app.keyboards.callback_data import MyTicketsAction, MyTicketsCallback, TicketScope
from app.keyboards.pagination import page_arrows
from app.models.tickets import Ticket
from app.models.users import User
from app.services.media import send_media
from app.services.tickets.service import USER_PAGE_SIZE, TicketService
from app.texts.formatting import short
from app.texts.tickets import STATUS_MARKERS, ticket_card
from app.utils.messages import show


def list_view(tickets: list[Ticket], total: int, scope: TicketScope, page: int) -> tuple[str, InlineKeyboardMarkup]:
    history = scope is TicketScope.HISTORY
    builder = InlineKeyboardBuilder()
    for ticket in tickets:
        builder.button(
            text=f"{STATUS_MARKERS[ticket.status]} #{ticket.number} · {short(ticket.description, 30)}",
            callback_data=MyTicketsCallback(action=MyTicketsAction.OPEN, scope=scope, page=page, number=ticket.number),
        )
    pages = max(1, -(-total // USER_PAGE_SIZE))
    navigation = page_arrows(page, pages)
    for arrow, target in navigation:
        builder.button(
            text=arrow, callback_data=MyTicketsCallback(action=MyTicketsAction.PAGE, scope=scope, page=target)
        )
    other = TicketScope.ACTIVE if history else TicketScope.HISTORY
    builder.button(
        text=_("📋 Active tickets") if history else _("🗂 History"),
        callback_data=MyTicketsCallback(action=MyTicketsAction.PAGE, scope=other, page=0),
    )
    builder.adjust(*([1] * len(tickets)), len(navigation) or 1, 1)
    if history:
        title = _("🗂 <b>Closed and rejected tickets</b>")
        empty = _("No closed or rejected tickets yet.")
    else:
        title = _("📋 <b>Your active tickets</b>")
        empty = _("You have no active tickets. Tap «{new}» to create one.").format(new=labels.NEW_TICKET)
    if not tickets:
        return f"{title}\n\n{empty}", builder.as_markup()
    page_line = _("Page {page} of {pages} · tickets: {total}").format(page=page + 1, pages=pages, total=total)
    return f"{title}\n{page_line}\n\n" + _("Tap a ticket to open it."), builder.as_markup()


async def my_tickets(message: Message, user: User, tickets: TicketService) -> None:
    items, total = await tickets.page_for_owner(user.id, history=False, page=0)
    text, markup = list_view(items, total, TicketScope.ACTIVE, 0)
    await message.answer(text, reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
) -> None:
    page = max(0, callback_data.page)
    history = callback_data.scope is TicketScope.HISTORY
    items, total = await tickets.page_for_owner(user.id, history=history, page=page)
    if not items and page > 0:  # the list shrank since the button was drawn
        page = 0
        items, total = await tickets.page_for_owner(user.id, history=history, page=0)
    text, markup = list_view(items, total, callback_data.scope, page)
    await show(query, text, markup)


async def open_ticket(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
) -> None:
    ticket = await tickets.get_for_owner(user.id, callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    builder = InlineKeyboardBuilder()
    if ticket.media:
        builder.button(
            text=_("🖼 Show attachments ({count})").format(count=len(ticket.media)),
            callback_data=MyTicketsCallback(action=MyTicketsAction.MEDIA, number=ticket.number),
        )
    builder.button(
        text=_("⬅️ Back to the list"),
        callback_data=MyTicketsCallback(
            action=MyTicketsAction.PAGE, scope=callback_data.scope, page=callback_data.page
        ),
    )
    builder.adjust(1)
    await show(query, ticket_card(ticket), builder.as_markup())


async def resend_media(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
    bot: Bot,
) -> None:
    ticket = await tickets.get_for_owner(user.id, callback_data.number)
    if ticket is None or not ticket.media:
        callback_answer.text, callback_answer.show_alert = _("This ticket has no attachments."), True
        return
    await send_media(bot, query.from_user.id, ticket.media)


def create_router() -> Router:
    router = Router(name="my_tickets")
    router.message.register(my_tickets, StateFilter(None), F.text == labels.MY_TICKETS)
    router.message.register(my_tickets, StateFilter(None), Command("my"))
    router.callback_query.register(turn_page, MyTicketsCallback.filter(F.action == MyTicketsAction.PAGE))
    router.callback_query.register(open_ticket, MyTicketsCallback.filter(F.action == MyTicketsAction.OPEN))
    router.callback_query.register(resend_media, MyTicketsCallback.filter(F.action == MyTicketsAction.MEDIA))
    return router
