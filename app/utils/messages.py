"""Small helpers around Telegram's message editing rules."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> int:
    """Re-render the message a button belongs to; a fresh message if it can no longer be edited.
    Returns the id of the message that shows it."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return message.message_id
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return message.message_id
            # Too old to edit, or deleted: fall through and send it anew.
    sent = await query.bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]
    return sent.message_id


async def show_at(
    bot: Bot, chat_id: int, message_id: int | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> int:
    """Re-render an earlier message of the chat (e.g. the card a dialogue started from) in place,
    so no older copy keeps buttons for a state that has passed; a fresh message if it can't be.
    Returns the id of the message that shows it."""
    if message_id is not None:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
            return message_id
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return message_id
    return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id


async def update_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """New inline buttons on the message a button belongs to; gone or unchanged is fine."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=markup)


async def remove_buttons(query: CallbackQuery) -> None:
    """Take the inline buttons off a message; already gone (a second tap) is fine."""
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def send_texts(bot: Bot, chat_id: int, texts: Iterable[str]) -> None:
    """Several messages in order (a text too long for one, already split to fit)."""
    for text in texts:
        await bot.send_message(chat_id, text)
