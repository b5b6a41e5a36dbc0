"""«💬 Conversation» on the employee's own card: their ticket's timeline without staff notes,
an entry's whole text («📄 n») and attachments again («📎 n»). Buttons can be forged: the
ticket must be the presser's and the message one of its non-note messages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from app.handlers.timeline_views import show_entry, show_page
from app.keyboards.callback_data import EDIT_IN_PLACE, TicketMessageAction, TicketMessageCallback
from app.keyboards.conversation import owner_timeline_keyboard
from app.models.tickets import Outcome
from app.models.users import User
from app.services.conversation.service import ConversationService
from app.texts.conversation import timeline
from app.texts.tickets import refusal


async def show_timeline(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    conversation: ConversationService,
) -> None:
    ticket = await conversation.owned(user, callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = refusal(Outcome.NOT_FOUND, None), True
        return
    page = await conversation.timeline(ticket, callback_data.page, notes=False)
    view = timeline(ticket.number, page, owner=True), owner_timeline_keyboard(ticket, page)
    await show_page(query, bot, conversation, ticket.number, view, in_place=callback_data.ref == EDIT_IN_PLACE)


async def show_message(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    conversation: ConversationService,
) -> None:
    ticket = await conversation.owned(user, callback_data.number)
    message = await conversation.message_of(ticket, callback_data.ref, notes=False) if ticket else None
    whole = callback_data.action is TicketMessageAction.FULL_TEXT
    await show_entry(callback_answer, bot, user.id, conversation, message, whole=whole)


def create_router() -> Router:
    router = Router(name="ticket_timeline")
    action = TicketMessageCallback.filter
    router.callback_query.register(show_timeline, action(F.action == TicketMessageAction.TIMELINE))
    entry = {TicketMessageAction.FULL_TEXT, TicketMessageAction.MEDIA}
    router.callback_query.register(show_message, action(F.action.in_(entry)))
    return router
