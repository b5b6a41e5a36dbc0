"""Sending one conversation message to one chat: copied, never forwarded, under a header.

- text: header + text, split into as many messages as it needs;
- one attachment: `copy_message` with the header (and the original caption) as the new caption;
- an album: `send_media_group` with the stored file_ids, the header as the first caption.
A caption that would pass Telegram's 1024 units goes out as text after the media. Each
Telegram request goes through `deliver` (429 waited out, blocked reported); the first one
that fails stops the rest, and what was sent is reported as sent, nothing more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, InputMediaDocument, InputMediaPhoto, InputMediaVideo

from app.models.conversation import Content, DeliveryState, PartKind, TicketMessage
from app.models.telegram_text import CAPTION_LIMIT, TEXT_LIMIT, split_text, visible_len
from app.services.conversation.content import ticket_media
from app.services.delivery import Delivered, deliver
from app.services.media import send_media
from app.texts.conversation import attachments_header, full_message

MediaItem = InputMediaDocument | InputMediaPhoto | InputMediaVideo


@dataclass(slots=True)
class Sent:
    state: DeliveryState = DeliveryState.SENT
    message_ids: list[int] = field(default_factory=list)
    error: str | None = None


def text_messages(header: str, text: str) -> list[str]:
    """`header` (HTML) and a person's plain text, in messages of at most 4096 units."""
    if not text:
        return [header]
    first = split_text(text, max(TEXT_LIMIT - visible_len(header) - 1, 2))[0]
    messages = [f"{header}\n{escape(first)}"]
    rest = text[len(first) :]
    if rest.strip():
        messages += [escape(piece) for piece in split_text(rest, TEXT_LIMIT) if piece.strip()]
    return messages


def caption_and_rest(header: str, text: str) -> tuple[str, list[str]]:
    """The caption for the media, and the texts to send after it when header + text do not fit."""
    joined = f"{header}\n{escape(text)}" if text else header
    if visible_len(joined) <= CAPTION_LIMIT:
        return joined, []
    return header, [escape(piece) for piece in split_text(text, TEXT_LIMIT) if piece.strip()]


def _album_item(
    kind: PartKind, file_id: str, caption: str | None
) -> InputMediaPhoto | InputMediaVideo | InputMediaDocument:
    if kind is PartKind.PHOTO:
        return InputMediaPhoto(media=file_id, caption=caption)
    if kind is PartKind.VIDEO:
        return InputMediaVideo(media=file_id, caption=caption)
    return InputMediaDocument(media=file_id, caption=caption)


def _text_request(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> Callable[[], Awaitable[Any]]:
    return lambda: bot.send_message(chat_id, text, reply_markup=markup)


async def send_content(
    bot: Bot, chat_id: int, header: str, content: Content, markup: InlineKeyboardMarkup | None = None
) -> Sent:
    """Send `content` under `header` to `chat_id`; `markup` goes on the last message that can carry it."""
    requests: list[Callable[[], Awaitable[Any]]] = []
    if not content.parts:
        texts = text_messages(header, content.text)
    else:
        caption, texts = caption_and_rest(header, content.text)
        if content.is_album:
            parts = content.parts
            requests.append(
                lambda: bot.send_media_group(
                    chat_id,
                    [_album_item(p.kind, p.file_id, caption if n == 0 else None) for n, p in enumerate(parts)],
                )
            )
        else:
            last = not texts
            requests.append(
                lambda: bot.copy_message(
                    chat_id,
                    content.source_chat,
                    content.source_ids[0],
                    caption=caption,
                    reply_markup=markup if last else None,
                )
            )
        if content.is_album and markup is not None and not texts:
            texts = [header]  # an album carries no buttons: they come right under it
    for index, text in enumerate(texts):
        requests.append(_text_request(bot, chat_id, text, markup if index == len(texts) - 1 else None))
    sent = Sent()
    for request in requests:
        got: list[Any] = []
        delivery = await deliver(_keeping(request, got), what=f"Ticket message to {chat_id}")
        if not delivery.sent:
            sent.state = DeliveryState.BLOCKED if delivery.state is Delivered.BLOCKED else DeliveryState.FAILED
            sent.error = delivery.error
            return sent
        result = got[-1]
        for message in result if isinstance(result, list) else [result]:
            sent.message_ids.append(int(message.message_id))
    return sent


def _keeping(request: Callable[[], Awaitable[Any]], into: list[Any]) -> Callable[[], Awaitable[None]]:
    """The request, keeping what Telegram answered (the sent messages' ids)."""

    async def attempt() -> None:
        into.append(await request())

    return attempt


async def resend_attachments(bot: Bot, chat_id: int, header: str, content: Content) -> list[int]:
    """«📎 n» in a timeline: a message's attachments again, by file_id, under `header`; returns
    the ids of what was sent."""
    sent = [(await bot.send_message(chat_id, header)).message_id]
    sent += await send_media(bot, chat_id, ticket_media(content, len(content.parts)))
    for part in content.parts:
        if part.kind is PartKind.VOICE:
            sent.append((await bot.send_voice(chat_id, part.file_id)).message_id)
    return sent


async def send_timeline_message(bot: Bot, chat_id: int, message: TicketMessage, *, whole: bool) -> list[int]:
    """«📄 n»: the message's whole text; «📎 n»: its attachments again. Returns the sent ids (a
    reply to them belongs to the ticket)."""
    if not whole:
        return await resend_attachments(bot, chat_id, attachments_header(message.number, message), message.content)
    return [(await bot.send_message(chat_id, text)).message_id for text in full_message(message.number, message)]
