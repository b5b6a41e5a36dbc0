"""«💬 Conversation» on the employee's own card: their ticket's timeline without staff notes,
an entry's whole text («📄 n») and attachments again («📎 n»). Buttons can be forged: the
ticket must be the presser's and the message one of its non-note messages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from app.keyboards.callback_data import TicketMessageAction, TicketMessageCallback
from app.keyboards.conversation import owner_timeline_keyboard
from app.models.tickets import Outcome
from app.models.users import User
from app.services.conversation.send import send_timeline_message
from app.services.conversation.service import ConversationService
from app.texts.conversation import button_inactive, timeline
from app.texts.tickets import refusal
from app.utils.messages import show

EDIT_IN_PLACE = "e"


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
    text, markup = timeline(ticket.number, page, owner=True), owner_timeline_keyboard(ticket, page)
    if callback_data.ref == EDIT_IN_PLACE:
        await show(query, text, markup)
    else:
        sent = await bot.send_message(user.id, text, reply_markup=markup)
        await conversation.remember(user.id, [sent.message_id], ticket.number)


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
    if message is None or not (whole or message.content.parts):
        callback_answer.text, callback_answer.show_alert = button_inactive(), True
        return
    sent = await send_timeline_message(bot, user.id, message, whole=whole)
    await conversation.remember(user.id, sent, message.number)


def create_router() -> Router:
    router = Router(name="ticket_timeline")
    action = TicketMessageCallback.filter
    router.callback_query.register(show_timeline, action(F.action == TicketMessageAction.TIMELINE))
    entry = {TicketMessageAction.FULL_TEXT, TicketMessageAction.MEDIA}
    router.callback_query.register(show_message, action(F.action.in_(entry)))
    return router
