"""«My tickets»: the owner's active tickets and history, paginated, with detail cards."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.keyboards.callback_data import MyTicketsAction, MyTicketsCallback, TicketScope
from app.keyboards.tickets import owner_card_keyboard, owner_list_keyboard
from app.models.paging import Page
from app.models.tickets import Ticket
from app.models.users import User
from app.services.conversation.service import ConversationService
from app.services.media import send_ticket_media
from app.services.tickets.service import TicketService
from app.texts import labels
from app.texts.tickets import full_text_messages, page_line, ticket_card
from app.utils.messages import send_texts, show


def list_view(tickets: Page[Ticket], scope: TicketScope) -> tuple[str, InlineKeyboardMarkup]:
    if scope is TicketScope.HISTORY:
        title = _("🗂 <b>Closed and rejected tickets</b>")
        empty = _("No closed or rejected tickets yet.")
    else:
        title = _("📋 <b>Your active tickets</b>")
        empty = _("You have no active tickets. Tap «{new}» to create one.").format(new=labels.NEW_TICKET)
    markup = owner_list_keyboard(tickets, scope)
    if not tickets.items:
        return f"{title}\n\n{empty}", markup
    body = page_line(tickets.number, tickets.pages, tickets.total) + "\n\n" + _("Tap a ticket to open it.")
    return f"{title}\n{body}", markup


async def my_tickets(message: Message, user: User, tickets: TicketService) -> None:
    page = await tickets.page_for_owner(user.id, history=False, page=0)
    text, markup = list_view(page, TicketScope.ACTIVE)
    await message.answer(text, reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
    conversation: ConversationService,
) -> None:
    history = callback_data.scope is TicketScope.HISTORY
    page = await tickets.page_for_owner(user.id, history=history, page=callback_data.page)
    text, markup = list_view(page, callback_data.scope)
    shown = await show(query, text, markup)
    await conversation.forget(user.id, shown)  # a card turned back into the list shows no ticket


async def open_ticket(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    repos: Repositories,
    tickets: TicketService,
    conversation: ConversationService,
) -> None:
    ticket = await tickets.get_for_owner(user.id, callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    card = ticket_card(
        ticket,
        (await repos.categories.catalogue()).get(ticket.category),
        recent=await conversation.recent(ticket.number, notes=False),
    )
    await show(
        query, card.text, owner_card_keyboard(ticket, callback_data.scope, callback_data.page, full_text=card.shortened)
    )
    if query.message is not None:  # a reply to the card goes to the ticket
        await conversation.remember(user.id, [query.message.message_id], ticket.number)


async def show_full_text(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
    bot: Bot,
) -> None:
    ticket = await tickets.get_for_owner(user.id, callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    await send_texts(bot, query.from_user.id, full_text_messages(ticket, staff=False))


async def resend_media(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MyTicketsCallback,
    user: User,
    tickets: TicketService,
    bot: Bot,
) -> None:
    ticket = await tickets.get_for_owner(user.id, callback_data.number)
    await send_ticket_media(bot, query.from_user.id, ticket, callback_answer)


def create_router() -> Router:
    router = Router(name="my_tickets")
    router.message.register(my_tickets, StateFilter(None), F.text == labels.MY_TICKETS)
    router.message.register(my_tickets, StateFilter(None), Command("my"))
    router.callback_query.register(turn_page, MyTicketsCallback.filter(F.action == MyTicketsAction.PAGE))
    router.callback_query.register(open_ticket, MyTicketsCallback.filter(F.action == MyTicketsAction.OPEN))
    router.callback_query.register(resend_media, MyTicketsCallback.filter(F.action == MyTicketsAction.MEDIA))
    router.callback_query.register(show_full_text, MyTicketsCallback.filter(F.action == MyTicketsAction.FULL_TEXT))
    return router
