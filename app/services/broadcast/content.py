"""Turning an admin's message into broadcast content, and sending that content to one chat.

The preview and every recipient go through the same `send_content`, so the preview is
exactly what users receive.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram import Bot
from aiogram.types import (
    InputMediaAudio,
    InputMediaDocument,
    InputMediaLivePhoto,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)

from app.models.broadcasts import BroadcastContent, BroadcastKind
from app.models.media import Media, MediaKind
from app.models.telegram_text import CAPTION_LIMIT, TEXT_LIMIT, utf16_len
from app.services.media import input_media, media_of

# Every copy starts with the announcement header (texts/broadcast.py) in its reader's language;
# this much is kept free for it (and the blank line after it) in any language.
HEADER_ROOM = 64
TEXT_ROOM = TEXT_LIMIT - HEADER_ROOM
CAPTION_ROOM = CAPTION_LIMIT - HEADER_ROOM

_SINGLE_KIND = {
    MediaKind.PHOTO: BroadcastKind.PHOTO,
    MediaKind.VIDEO: BroadcastKind.VIDEO,
    MediaKind.DOCUMENT: BroadcastKind.DOCUMENT,
}


class Unsendable(StrEnum):
    TEXT_TOO_LONG = "text_too_long"
    CAPTION_TOO_LONG = "caption_too_long"
    MIXED_ALBUM = "mixed_album"


class ContentError(ValueError):
    def __init__(self, problem: Unsendable, length: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.length = length


def caption_html(message: Message) -> str | None:
    """The caption with its formatting as HTML (aiogram unparses the entities), or None."""
    if not message.caption:
        return None
    # Telegram's own limits, as it counts them, less the room the header takes.
    if utf16_len(message.caption) > CAPTION_ROOM:
        raise ContentError(Unsendable.CAPTION_TOO_LONG, utf16_len(message.caption))
    return message.html_text


def from_message(message: Message) -> BroadcastContent:
    """Content from one message: its text, or its single photo/video/document with the caption."""
    if message.text is not None:
        if utf16_len(message.text) > TEXT_ROOM:
            raise ContentError(Unsendable.TEXT_TOO_LONG, utf16_len(message.text))
        return BroadcastContent(BroadcastKind.TEXT, message.html_text)
    item = media_of(message)
    if item is None:
        raise ValueError("the message has neither text nor a supported file")
    return BroadcastContent(_SINGLE_KIND[item.kind], caption_html(message), (item,))


def album(items: Sequence[Media], caption: str | None) -> BroadcastContent:
    """An album as Telegram allows it: photos and videos together, or documents alone."""
    kinds = {item.kind for item in items}
    if MediaKind.DOCUMENT in kinds and len(kinds) > 1:
        raise ContentError(Unsendable.MIXED_ALBUM)
    if len(items) == 1:
        return BroadcastContent(_SINGLE_KIND[items[0].kind], caption, tuple(items))
    return BroadcastContent(BroadcastKind.ALBUM, caption, tuple(items))


def with_header(header: str, text: str | None) -> str:
    return f"{header}\n\n{text}" if text else header


async def send_content(bot: Bot, chat_id: int, content: BroadcastContent, header: str) -> None:
    """One delivery: a single Bot API request, so it either reached the chat or did not.

    `header` (HTML, at most HEADER_ROOM units) says who the announcement is from; it heads
    the text or caption. Texts and captions are HTML (the bot's default parse mode);
    Telegram errors propagate to the caller, which decides what they mean for this recipient.
    """
    text = with_header(header, content.text)
    if content.kind is BroadcastKind.TEXT:
        await bot.send_message(chat_id, text)
        return
    if content.kind is BroadcastKind.ALBUM:
        media: list[InputMediaAudio | InputMediaDocument | InputMediaLivePhoto | InputMediaPhoto | InputMediaVideo] = [
            input_media(item, text if index == 0 else None) for index, item in enumerate(content.media)
        ]
        await bot.send_media_group(chat_id, media)
        return
    item = content.media[0]
    if content.kind is BroadcastKind.PHOTO:
        await bot.send_photo(chat_id, item.file_id, caption=text)
    elif content.kind is BroadcastKind.VIDEO:
        await bot.send_video(chat_id, item.file_id, caption=text)
    else:
        await bot.send_document(chat_id, item.file_id, caption=text)
