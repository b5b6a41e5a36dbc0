"""Staff's mass mailing: compose → preview (exactly as users will see it) → Send / Edit / Cancel.

The admin router's STAFF filter guards every handler here, callbacks included, so a
forged `bc:` callback from anyone else never reaches them.
"""

from __future__ import annotations

import secrets
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.fsm.states import BroadcastCompose
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards.broadcast import preview_keyboard
from app.keyboards.callback_data import BroadcastAction, BroadcastCallback
from app.models.broadcasts import BroadcastContent
from app.models.media import Media
from app.models.telegram_text import utf16_len
from app.models.users import Role
from app.services.broadcast import content as broadcast_content
from app.services.broadcast.content import CAPTION_ROOM, TEXT_ROOM, ContentError, Unsendable, send_content
from app.services.broadcast.runner import BroadcastBusy, Broadcaster
from app.services.media import media_of
from app.texts import labels
from app.texts.broadcast import announcement_header, busy_text
from app.texts.tickets import content_name
from app.utils.debounce import Debouncer
from app.utils.messages import remove_buttons

COMPOSING = StateFilter(BroadcastCompose.content, BroadcastCompose.preview)


def compose_prompt() -> str:
    return _(
        "📨 <b>New broadcast</b>\n"
        "Send the message every user should get: a text, one photo, video or document with a caption, "
        "or an album. I will show you a preview before anything is sent."
    )


def problem_text(error: ContentError) -> str:
    if error.problem is Unsendable.TEXT_TOO_LONG:
        return _(
            "The text is too long: a broadcast can have at most {limit} characters (Telegram's limit, less "
            "room for the announcement header), yours has {n}. Shorten it and send it again."
        ).format(limit=TEXT_ROOM, n=error.length)
    if error.problem is Unsendable.CAPTION_TOO_LONG:
        return _(
            "The caption is too long: a broadcast can have at most {limit} characters under a photo, video or "
            "document (Telegram's limit, less room for the announcement header), yours has {n}. "
            "Shorten it and send the message again."
        ).format(limit=CAPTION_ROOM, n=error.length)
    return _("Telegram cannot put documents and photos or videos in one album. Send them as separate broadcasts.")


async def show_preview(
    bot: Bot, chat_id: int, state: FSMContext, content: BroadcastContent, broadcaster: Broadcaster
) -> None:
    """Send the content through the very code path recipients get it from, then the choices."""
    try:
        await send_content(bot, chat_id, content, announcement_header())
    except TelegramBadRequest as error:
        await advance(state, BroadcastCompose.content)
        await bot.send_message(
            chat_id,
            _("Telegram did not accept this message ({error}). Please send another one.").format(
                error=escape(error.message)
            ),
        )
        return
    draft = secrets.token_hex(4)  # ties the buttons to this very preview
    await advance(state, BroadcastCompose.preview, content=content.to_doc(), draft=draft, album=None)
    count = await broadcaster.count_recipients(chat_id)
    await bot.send_message(
        chat_id,
        _("👆 This is exactly what users will receive.\nRecipients: <b>{count}</b>. Send it?").format(count=count),
        reply_markup=preview_keyboard(draft),
    )


async def open_compose(message: Message, state: FSMContext, broadcaster: Broadcaster) -> None:
    running = await broadcaster.current()
    if running is not None:
        await message.answer(busy_text(running))
        return
    await reset(state, BroadcastCompose.content)
    await message.answer(compose_prompt(), reply_markup=reply.cancel_only())


async def cancel_compose(message: Message, state: FSMContext, role: Role) -> None:
    await reset(state)
    await message.answer(_("Broadcast cancelled. Nothing was sent."), reply_markup=reply.main_menu(role))


async def got_message(message: Message, state: FSMContext, bot: Bot, broadcaster: Broadcaster) -> None:
    try:
        content = broadcast_content.from_message(message)
    except ContentError as error:
        await message.answer(problem_text(error))
        return
    await show_preview(bot, message.chat.id, state, content, broadcaster)


async def got_album_item(
    message: Message, state: FSMContext, bot: Bot, broadcaster: Broadcaster, album_replies: Debouncer
) -> None:
    """Albums arrive as one update per item: collect them, preview once the album is complete."""
    item = media_of(message)
    assert item is not None and message.media_group_id is not None
    group, chat_id = message.media_group_id, message.chat.id
    album = (await state.get_data()).get("album") or {}
    if album.get("group") != group:
        album = {"group": group, "items": [], "caption": None, "caption_length": 0}
    album["items"].append(item.to_doc())
    if message.caption:
        album["caption_length"] = max(album["caption_length"], utf16_len(message.caption))
        album["caption"] = album["caption"] or message.html_text
    await state.update_data(album=album)

    async def preview_album() -> None:
        collected = (await state.get_data()).get("album")
        composing = (BroadcastCompose.content.state, BroadcastCompose.preview.state)
        if await state.get_state() not in composing or not collected or collected["group"] != group:
            return  # the admin moved on (cancelled, or sent something newer)
        await state.update_data(album=None)
        try:
            if collected["caption_length"] > CAPTION_ROOM:
                raise ContentError(Unsendable.CAPTION_TOO_LONG, collected["caption_length"])
            content = broadcast_content.album([Media.from_doc(d) for d in collected["items"]], collected["caption"])
        except ContentError as error:
            await bot.send_message(chat_id, problem_text(error))
            return
        await show_preview(bot, chat_id, state, content, broadcaster)

    album_replies.call_later((chat_id, group), preview_album)


async def got_command(message: Message) -> None:
    await message.answer(
        _("Only /cancel works while you compose a broadcast. Send the message to broadcast, or tap «{cancel}».").format(
            cancel=labels.CANCEL
        )
    )


async def unsupported(message: Message) -> None:
    await message.answer(
        _("I cannot broadcast {kind}. Send a text, a photo, a video, a document or an album.").format(
            kind=content_name(message)
        )
    )


async def _current_draft(
    callback_data: BroadcastCallback, callback_answer: CallbackAnswer, state: FSMContext
) -> BroadcastContent | None:
    """The draft these buttons belong to; None (with an alert) for an older preview's buttons."""
    data = await state.get_data()
    if data.get("draft") != callback_data.ref or "content" not in data:
        callback_answer.text, callback_answer.show_alert = _("This preview is out of date; use the newest one."), True
        return None
    return BroadcastContent.from_doc(data["content"])


async def send_broadcast(
    query: CallbackQuery,
    callback_data: BroadcastCallback,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    bot: Bot,
    broadcaster: Broadcaster,
    role: Role,
) -> None:
    content = await _current_draft(callback_data, callback_answer, state)
    if content is None:
        return
    try:
        broadcast = await broadcaster.start(content, query.from_user.id)
    except BroadcastBusy as busy:
        # The draft and its buttons stay, so it can be sent once the running one is done.
        await bot.send_message(query.from_user.id, busy_text(busy.progress))
        return
    await reset(state)
    await remove_buttons(query)
    await bot.send_message(
        query.from_user.id,
        _("📤 Broadcast #{id} started. You will see its progress here and a report at the end.").format(
            id=broadcast.id
        ),
        reply_markup=reply.main_menu(role),
    )


async def edit_broadcast(
    query: CallbackQuery, callback_data: BroadcastCallback, callback_answer: CallbackAnswer, state: FSMContext, bot: Bot
) -> None:
    if await _current_draft(callback_data, callback_answer, state) is None:
        return
    await remove_buttons(query)
    await state.set_state(BroadcastCompose.content)
    await bot.send_message(
        query.from_user.id, _("Send the new version of the message."), reply_markup=reply.cancel_only()
    )


async def cancel_broadcast(
    query: CallbackQuery,
    callback_data: BroadcastCallback,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    bot: Bot,
    role: Role,
) -> None:
    if await _current_draft(callback_data, callback_answer, state) is None:
        return
    await reset(state)
    await remove_buttons(query)
    await bot.send_message(
        query.from_user.id, _("Broadcast cancelled. Nothing was sent."), reply_markup=reply.main_menu(role)
    )


async def stop_broadcast(
    query: CallbackQuery, callback_data: BroadcastCallback, callback_answer: CallbackAnswer, broadcaster: Broadcaster
) -> None:
    if callback_data.ref.isdigit() and broadcaster.stop(int(callback_data.ref)):
        callback_answer.text = _("Stopping the broadcast…")
    else:
        callback_answer.text, callback_answer.show_alert = _("This broadcast is not running."), True


def create_router() -> Router:
    router = Router(name="admin_broadcast")
    router.message.register(cancel_compose, COMPOSING, F.text == labels.CANCEL)
    router.message.register(cancel_compose, COMPOSING, Command("cancel"))
    router.message.register(open_compose, StateFilter(None, *COMPOSING.states), F.text == labels.BROADCAST)
    router.message.register(got_command, COMPOSING, F.text.startswith("/"))
    router.message.register(got_album_item, COMPOSING, F.media_group_id, F.photo | F.video | F.document)
    router.message.register(got_message, COMPOSING, F.text | F.photo | F.video | F.document)
    router.message.register(unsupported, COMPOSING)
    in_preview = StateFilter(BroadcastCompose.preview)
    for handler, action in (
        (send_broadcast, BroadcastAction.SEND),
        (edit_broadcast, BroadcastAction.EDIT),
        (cancel_broadcast, BroadcastAction.CANCEL),
    ):
        router.callback_query.register(handler, in_preview, BroadcastCallback.filter(F.action == action))
    router.callback_query.register(stop_broadcast, BroadcastCallback.filter(F.action == BroadcastAction.STOP))
    return router
