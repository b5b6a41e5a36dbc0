"""Re-sending ticket attachments by file_id (free and instant; files are never downloaded)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.models.media import Media, MediaKind
from app.models.tickets import Ticket

ALBUM_MAX = 10
InputMedia = InputMediaPhoto | InputMediaVideo | InputMediaDocument


def media_of(message: Message) -> Media | None:
    """The attachment a user sent, as stored: the largest photo size, or the video/document."""
    if message.photo:
        return Media(MediaKind.PHOTO, message.photo[-1].file_id)
    if message.video:
        return Media(MediaKind.VIDEO, message.video.file_id)
    if message.document:
        return Media(MediaKind.DOCUMENT, message.document.file_id)
    return None


def input_media(item: Media, caption: str | None = None) -> InputMedia:
    """An album item for `send_media_group` (the caption is shown when it is the first item)."""
    if item.kind is MediaKind.PHOTO:
        return InputMediaPhoto(media=item.file_id, caption=caption)
    if item.kind is MediaKind.VIDEO:
        return InputMediaVideo(media=item.file_id, caption=caption)
    return InputMediaDocument(media=item.file_id, caption=caption)


async def _send_single(bot: Bot, chat_id: int, item: Media) -> Message:
    if item.kind is MediaKind.PHOTO:
        return await bot.send_photo(chat_id, item.file_id)
    if item.kind is MediaKind.VIDEO:
        return await bot.send_video(chat_id, item.file_id)
    return await bot.send_document(chat_id, item.file_id)


async def send_media(bot: Bot, chat_id: int, media: Sequence[Media]) -> list[int]:
    """Photos and videos as albums of up to 10, documents as document groups
    (Telegram does not mix documents with photos in one album); returns the sent ids."""
    visual = [m for m in media if m.kind is not MediaKind.DOCUMENT]
    documents = [m for m in media if m.kind is MediaKind.DOCUMENT]
    sent: list[int] = []
    for group in (visual, documents):
        for start in range(0, len(group), ALBUM_MAX):
            chunk = group[start : start + ALBUM_MAX]
            if len(chunk) == 1:
                sent.append((await _send_single(bot, chat_id, chunk[0])).message_id)
            else:
                album = await bot.send_media_group(chat_id, [input_media(m) for m in chunk])
                sent += [m.message_id for m in album]
    return sent


async def send_ticket_media(bot: Bot, chat_id: int, ticket: Ticket | None, answer: CallbackAnswer) -> None:
    """«Show attachments» on a card (staff's or owner's, each checks who may see the ticket first)."""
    if ticket is None or not ticket.media:
        answer.text, answer.show_alert = _("This ticket has no attachments."), True
        return
    await send_media(bot, chat_id, ticket.media)
