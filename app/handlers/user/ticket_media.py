"""The form's attachment step: photos, videos and documents one by one or as albums."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.fsm.states import TicketForm
from app.models.validators import MEDIA_MAX
from app.services.media import media_of
from app.texts import labels
from app.utils.debounce import Debouncer


def progress_text(count: int, rejected: int) -> str:
    text = _("📎 Attached: {count} of {limit}. Send more, or tap «{done}».").format(
        count=count, limit=MEDIA_MAX, done=labels.MEDIA_DONE
    )
    if rejected:
        text = (
            _("⚠️ Not added: {n}. A ticket can have at most {limit} attachments.").format(n=rejected, limit=MEDIA_MAX)
            + "\n"
            + text
        )
    return text


async def add_attachment(message: Message, state: FSMContext, album_replies: Debouncer) -> None:
    item = media_of(message)
    assert item is not None
    data = await state.get_data()
    media = list(data.get("media", []))
    rejected = int(data.get("media_rejected", 0))
    if len(media) < MEDIA_MAX:
        media.append(item.to_doc())
    else:
        rejected += 1
    # Albums arrive as one update per item; answer the whole album once it has arrived.
    if message.media_group_id is None:
        await state.update_data(media=media, media_rejected=0)
        await message.answer(progress_text(len(media), rejected))
        return
    await state.update_data(media=media, media_rejected=rejected)

    async def acknowledge_album() -> None:
        if await state.get_state() != TicketForm.media.state:
            return  # the user already moved on; the summary shows the count
        current = await state.get_data()
        await state.update_data(media_rejected=0)
        await message.answer(progress_text(len(current.get("media", [])), int(current.get("media_rejected", 0))))

    album_replies.call_later((message.chat.id, message.media_group_id), acknowledge_album)


def create_router() -> Router:
    router = Router(name="ticket_media")
    router.message.register(add_attachment, TicketForm.media, F.photo | F.video | F.document)
    return router
