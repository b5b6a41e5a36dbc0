"""What a person sent, read into `Content`: text, one attachment with its caption, or an album."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import Message

from app.models.conversation import ALBUM_MAX, Content, Part, PartKind
from app.models.media import Media, MediaKind


def part_of(message: Message) -> Part | None:
    if message.photo:
        return Part(PartKind.PHOTO, message.photo[-1].file_id)
    if message.video:
        return Part(PartKind.VIDEO, message.video.file_id)
    if message.document:
        return Part(PartKind.DOCUMENT, message.document.file_id)
    if message.voice:
        return Part(PartKind.VOICE, message.voice.file_id)
    return None


def is_passable(message: Message) -> bool:
    """Text (not a command), a photo, video, document or voice message."""
    if message.text is not None:
        return bool(message.text.strip()) and not message.text.startswith("/")
    return part_of(message) is not None


def content_of(messages: Sequence[Message]) -> Content:
    """One message, or the items of one album in the order Telegram numbered them."""
    ordered = sorted(messages, key=lambda m: m.message_id)[:ALBUM_MAX]
    parts = tuple(part for part in (part_of(m) for m in ordered) if part is not None)
    texts = [m.text or m.caption or "" for m in ordered]
    return Content(
        text="\n".join(t for t in texts if t.strip()),
        parts=parts,
        source_chat=ordered[0].chat.id,
        source_ids=tuple(m.message_id for m in ordered),
    )


def ticket_media(content: Content, limit: int) -> list[Media]:
    """The attachments a ticket can keep (voice messages cannot be ticket attachments)."""
    kinds = {PartKind.PHOTO: MediaKind.PHOTO, PartKind.VIDEO: MediaKind.VIDEO, PartKind.DOCUMENT: MediaKind.DOCUMENT}
    return [Media(kinds[p.kind], p.file_id) for p in content.parts if p.kind in kinds][:limit]
