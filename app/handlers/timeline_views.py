"""What the staff's and the employee's «💬 Conversation» share: a page shown in place (its own
arrows) or as a new message that belongs to the ticket, and one entry's text or attachments."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.callback_answer import CallbackAnswer

from app.models.conversation import TicketMessage
from app.services.conversation.send import send_timeline_message
from app.services.conversation.service import ConversationService
from app.texts.conversation import button_inactive
from app.utils.messages import show


async def show_page(
    query: CallbackQuery,
    bot: Bot,
    conversation: ConversationService,
    number: int,
    page: tuple[str, InlineKeyboardMarkup],
    *,
    in_place: bool,
) -> None:
    text, markup = page
    if in_place:
        await show(query, text, markup)
        return
    assert query.from_user is not None
    sent = await bot.send_message(query.from_user.id, text, reply_markup=markup)
    await conversation.remember(query.from_user.id, [sent.message_id], number)


async def show_entry(
    callback_answer: CallbackAnswer,
    bot: Bot,
    chat_id: int,
    conversation: ConversationService,
    message: TicketMessage | None,
    *,
    whole: bool,
) -> None:
    """«📄 n»: the entry's whole text; «📎 n»: its attachments (a forged or stale one: refused)."""
    if message is None or not (whole or message.content.parts):
        callback_answer.text, callback_answer.show_alert = button_inactive(), True
        return
    sent = await send_timeline_message(bot, chat_id, message, whole=whole)
    await conversation.remember(chat_id, sent, message.number)
