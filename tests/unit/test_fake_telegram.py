"""The fake Telegram server, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser

TOKEN = "123456:TEST"
USER_ID = 1001


def inline(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(token=TOKEN, bot_username="techsupport_test_bot")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    client = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield client
    await client.session.close()


@pytest.fixture
def ivan(fake: FakeTelegram) -> FakeUser:
    return fake.user(USER_ID, first_name="Ivan", username="ivan")


async def test_get_me_and_unknown_method_and_token(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "techsupport_test_bot", True)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot{TOKEN}/sendTelepathy") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        assert fake.calls[-1].method == "sendTelepathy" and fake.calls[-1].outcome == 404
        async with http.post(f"{fake.base_url}/bot1:WRONG/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
        # JSON bodies work too.
        async with http.post(
            f"{fake.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": USER_ID, "text": "hi"}
        ) as resp:
            assert (await resp.json())["description"] == "Bad Request: chat not found"


async def test_send_message_is_recorded_with_plain_text(bot: Bot, ivan: FakeUser) -> None:
    await ivan.send_text("hello")  # user message takes id 1: ids are shared in a chat
    sent = await bot.send_message(USER_ID, "<b>Ticket</b> #1 &amp; <i>more</i>", reply_markup=inline(("Open", "t:1")))
    assert isinstance(sent, Message)
    assert sent.message_id == 2
    assert sent.text == "Ticket #1 & more"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert [e.type for e in sent.entities or []] == ["bold", "italic"]

    got = await ivan.wait_message()
    assert got.text == "Ticket #1 & more"
    assert got.raw_text == "<b>Ticket</b> #1 &amp; <i>more</i>"
    assert got.inline_buttons == [[("Open", "t:1")]]
    assert got.button_texts() == ["Open"]
    assert ivan.last_message is got


def test_body_is_the_text_of_a_text_message_and_fails_the_test_otherwise() -> None:
    text = BotMessage(message_id=2, chat_id=USER_ID, kind="text", date=0, text="Ticket #1")
    assert text.body == "Ticket #1"
    photo = BotMessage(message_id=3, chat_id=USER_ID, kind="photo", date=0, caption="broken printer")
    with pytest.raises(
        AssertionError, match=r"expected a text message, got photo #3 in chat 1001 \(caption 'broken printer'\)"
    ):
        _ = photo.body


async def test_edit_not_modified_and_missing(bot: Bot, ivan: FakeUser) -> None:
    sent = await bot.send_message(USER_ID, "v1", reply_markup=inline(("A", "a")))
    edited = await bot.edit_message_text(
        text="<b>v2</b>",
        chat_id=USER_ID,
        message_id=sent.message_id,
        reply_markup=inline(("A", "a")),
    )
    assert isinstance(edited, Message) and edited.text == "v2"
    after = await ivan.wait_edit(sent.message_id)
    assert (after.text, after.edit_count) == ("v2", 1)
    assert ivan.messages[0].text == "v2"  # current state

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="<b>v2</b>", chat_id=USER_ID, message_id=sent.message_id, reply_markup=inline(("A", "a"))
        )
    # Same text but no markup removes the keyboard: that is a modification.
    await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=sent.message_id)
    assert ivan.messages[0].reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=USER_ID, message_id=999)


async def test_text_and_caption_limits(bot: Bot, ivan: FakeUser) -> None:
    await bot.send_message(USER_ID, "&lt;" * 4096)  # counted after unescaping
    await bot.send_message(USER_ID, "<b>" + "я" * 4096 + "</b>")  # tags don't count
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "😀" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>")
    photo = (await ivan.send_photo())["photo"][-1]["file_id"]
    await bot.send_photo(USER_ID, photo, caption="c" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER_ID, photo, caption="c" * 1025)


async def test_every_text_is_measured_like_telegram(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    """Edits, album captions, copies and callback answers count UTF-16 units after parsing, too."""
    sent = await bot.send_message(USER_ID, "short")
    await bot.edit_message_text(text="😀" * 2048, chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.edit_message_text(text="<i>" + "😀" * 2048 + "x</i>", chat_id=USER_ID, message_id=sent.message_id)
    photo = (await ivan.send_photo())["photo"][-1]["file_id"]
    await bot.send_media_group(
        USER_ID, [InputMediaPhoto(media=photo, caption="😀" * 512), InputMediaPhoto(media=photo)]
    )
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_media_group(
            USER_ID, [InputMediaPhoto(media=photo, caption="😀" * 513), InputMediaPhoto(media=photo)]
        )
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER_ID, photo, caption="&amp;" * 1023 + "😀")
    with_caption = await bot.send_photo(USER_ID, photo, caption="c")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.edit_message_caption(chat_id=USER_ID, message_id=with_caption.message_id, caption="😀" * 513)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.copy_message(USER_ID, from_chat_id=USER_ID, message_id=with_caption.message_id, caption="😀" * 513)

    # A callback answer's notification holds 0–200 characters.
    await bot.send_message(USER_ID, "pick", reply_markup=inline(("Yes", "y")))
    query_id = await ivan.click("Yes")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="😀" * 100 + "x", show_alert=True)
    await bot.answer_callback_query(query_id, text="😀" * 100, show_alert=True)
    assert fake.callback_answer(query_id) == ("😀" * 100, True)


@pytest.mark.parametrize(
    "text",
    ["<b>unclosed", "a < b", "<div>x</div>", "Tom & Jerry", "<b><i>x</b></i>", '<span class="x">y</span>', "&nbsp;"],
)
async def test_bad_html_is_rejected(bot: Bot, ivan: FakeUser, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, text)


async def test_supported_html_gives_entities(bot: Bot, ivan: FakeUser) -> None:
    sent = await bot.send_message(
        USER_ID,
        '<b>b <i>bi</i></b> <a href="https://example.com/?a=1&amp;b=2">link</a> '
        '<tg-spoiler>s</tg-spoiler> <pre><code class="language-python">x = 1</code></pre> '
        "<blockquote>q</blockquote> a &gt; b &quot;q&quot; &#128512;",
    )
    assert sent.text == 'b bi link s x = 1 q a > b "q" 😀'
    types = {e.type: e for e in sent.entities or []}
    assert types["text_link"].url == "https://example.com/?a=1&b=2"
    assert types["pre"].language == "python"
    assert {"bold", "italic", "spoiler", "blockquote"} <= set(types)


async def test_plain_text_without_parse_mode_is_not_parsed(bot: Bot, ivan: FakeUser) -> None:
    sent = await bot.send_message(USER_ID, "a < b & c", parse_mode=None)
    assert sent.text == "a < b & c"


async def test_callback_data_limit(bot: Bot, ivan: FakeUser) -> None:
    await bot.send_message(USER_ID, "ok", reply_markup=inline(("A", "я" * 32)))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "no", reply_markup=inline(("A", "я" * 33)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "no", reply_markup=inline(("A", "x" * 65)))


async def test_unknown_chat_and_blocked_user(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")
    fake.block(USER_ID)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "hi")
    fake.unblock(USER_ID)
    await bot.send_message(USER_ID, "hi")
    assert [(c.method, c.outcome) for c in fake.calls] == [
        ("sendMessage", 400),
        ("sendMessage", 403),
        ("sendMessage", "ok"),
    ]
    assert fake.sent_count() == 1


async def test_injected_429_and_server_errors(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    fake.inject_429(1, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER_ID, "hi")
    assert caught.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in caught.value.message
    await bot.send_message(USER_ID, "hi")

    fake.fail_next(1, status=502)
    await bot.get_updates(timeout=0)  # getUpdates is not affected by default
    with pytest.raises(TelegramServerError):
        await bot.get_me()
    await bot.get_me()


async def test_faults_for_one_chat_and_dropped_connections(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    other = fake.user(USER_ID + 1)
    fake.fail_next(1, status=500, chat_id=USER_ID)
    await bot.send_message(other.id, "not this chat")
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER_ID, "this chat")
    fake.drop_next(1, methods=["sendMessage"])
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER_ID, "dropped")
    await bot.send_message(USER_ID, "after")
    assert [m.text for m in ivan.messages] == ["after"]
    assert [c.outcome for c in fake.calls_of("sendMessage")] == ["ok", 500, "dropped", "ok"]


async def test_rate_limit_token_bucket(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    fake.set_rate_limit(2)
    await bot.send_message(USER_ID, "1")
    await bot.send_message(USER_ID, "2")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER_ID, "3")
    assert caught.value.retry_after >= 1
    await bot.get_me()  # not a send method
    fake.set_rate_limit(None)
    await bot.send_message(USER_ID, "4")
    assert fake.sent_count("sendMessage") == 3


async def test_media_group_rules(bot: Bot, ivan: FakeUser) -> None:
    photo = (await ivan.send_photo())["photo"][-1]["file_id"]
    video = (await ivan.send_video())["video"]["file_id"]
    document = (await ivan.send_document("a.pdf"))["document"]["file_id"]

    album = await bot.send_media_group(
        USER_ID, [InputMediaPhoto(media=photo, caption="<b>two</b>"), InputMediaVideo(media=video)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "two"
    items = ivan.messages
    assert [m.kind for m in items] == ["media_group_item", "media_group_item"]
    assert [m.media_type for m in items] == ["photo", "video"]
    assert items[1].file_id == video

    with pytest.raises(TelegramBadRequest):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(media=photo)])
    with pytest.raises(TelegramBadRequest):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(media=photo)] * 11)
    with pytest.raises(TelegramBadRequest, match="mixed"):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(media=photo), InputMediaDocument(media=document)])
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_media_group(USER_ID, [InputMediaPhoto(media=photo), InputMediaPhoto(media="nope")])
    assert len(ivan.messages) == 2  # failed albums send nothing


async def test_file_ids_uploads_and_get_file(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(USER_ID, "AgACAgIAAxkBAAIBunknown")
    photo = (await ivan.send_photo())["photo"][-1]["file_id"]
    with pytest.raises(TelegramBadRequest, match="can't use file of type Photo as Video"):
        await bot.send_video(USER_ID, photo)

    payload = b"%PDF-1.4 fake"
    sent = await bot.send_document(USER_ID, BufferedInputFile(payload, filename="report.pdf"))
    assert sent.document is not None and sent.document.file_name == "report.pdf"
    stored = fake.files[sent.document.file_id]
    assert (stored.file_name, stored.size, stored.data) == ("report.pdf", len(payload), payload)
    # The issued file_id can be re-sent and downloaded.
    await bot.send_document(USER_ID, sent.document.file_id)
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == payload

    fake.upload_limit_bytes = 1000
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(USER_ID, BufferedInputFile(b"x" * 2000, filename="big.bin"))


async def test_copy_message_and_delete(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    admin = fake.user(2002, first_name="Olena", language_code="en")
    original = await ivan.send_photo(caption="broken printer")
    copied = await bot.copy_message(
        2002, from_chat_id=USER_ID, message_id=original["message_id"], caption="<i>from Ivan</i>"
    )
    got = await admin.wait_message()
    assert got.message_id == copied.message_id
    assert (got.kind, got.caption, got.file_id) == ("photo", "from Ivan", original["photo"][-1]["file_id"])
    assert fake.messages_to(2002) == [got] and fake.all_messages() == [got]
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(2002, from_chat_id=USER_ID, message_id=777)

    assert await bot.delete_message(2002, got.message_id)
    assert admin.messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(2002, got.message_id)


async def test_reply_keyboard_tap_and_share_contact(bot: Bot, ivan: FakeUser) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📱 Share phone", request_contact=True)],
            [KeyboardButton(text="New ticket"), KeyboardButton(text="My tickets")],
        ],
        resize_keyboard=True,
    )
    await bot.send_message(USER_ID, "choose", reply_markup=keyboard)
    assert ivan.reply_keyboard == [["📱 Share phone"], ["New ticket", "My tickets"]]

    sent = await ivan.tap("New ticket")
    assert sent["text"] == "New ticket"
    with pytest.raises(AssertionError, match="My tickets"):
        await ivan.tap("Settings")
    contact = await ivan.share_contact("380501234567")
    assert contact["contact"]["user_id"] == USER_ID
    other = await ivan.send_contact("+380671112233", own=False)
    assert "user_id" not in other["contact"]

    await bot.send_message(USER_ID, "bye", reply_markup=ReplyKeyboardRemove())
    assert ivan.reply_keyboard is None
    with pytest.raises(AssertionError):
        await ivan.share_contact("380501234567")


async def test_click_and_answer_callback(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    await bot.send_message(USER_ID, "old", reply_markup=inline(("Yes", "old:yes")))
    await bot.send_message(USER_ID, "new", reply_markup=inline(("Yes", "new:yes"), ("No", "n")))
    query_id = await ivan.click("Yes")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.data == "new:yes" and query.id == query_id
    with pytest.raises(AssertionError, match="no inline button 'Maybe'"):
        await ivan.click("Maybe")

    assert fake.callback_answer(query_id) is None
    await bot.answer_callback_query(query_id, text="Done", show_alert=True)
    assert fake.callback_answer(query_id) == ("Done", True)
    assert await ivan.wait_callback_answer(query_id, timeout=0.1) == ("Done", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345")

    forged = await ivan.press_data("admin:delete_all", message_id=4242)
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert updates[0].callback_query is not None and updates[0].callback_query.id == forged


async def test_chat_scoped_commands_for_a_chat_that_never_wrote_fail(
    fake: FakeTelegram, bot: Bot, ivan: FakeUser
) -> None:
    scope = BotCommandScopeChat(chat_id=USER_ID)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands([BotCommand(command="admin", description="Admin panel")], scope=scope)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.delete_my_commands(scope=scope)
    await ivan.send_command("/start")
    await bot.set_my_commands([BotCommand(command="admin", description="Admin panel")], scope=scope)
    assert fake.commands_for("chat", chat_id=USER_ID) == [("admin", "Admin panel")]


async def test_commands_per_scope(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    await ivan.send_text("hi")
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        [BotCommand(command="admin", description="Admin panel")],
        scope=BotCommandScopeChat(chat_id=USER_ID),
        language_code="uk",
    )
    assert fake.commands_for("all_private_chats") == [("start", "Start")]
    assert fake.commands_for("chat", chat_id=USER_ID, language_code="uk") == [("admin", "Admin panel")]
    assert fake.commands_for("chat", chat_id=USER_ID) == []
    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in got] == ["start"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=USER_ID), language_code="uk")
    assert fake.commands_for("chat", chat_id=USER_ID, language_code="uk") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


async def test_get_updates_redelivery_offset_and_long_poll(bot: Bot, ivan: FakeUser) -> None:
    await ivan.send_text("one")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)  # not confirmed yet: delivered again
    assert [u.update_id for u in first] == [u.update_id for u in again]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == []

    album = await ivan.send_album(kinds=["photo", "video"], caption="pics")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.media_group_id for u in updates if u.message] == [album[0]["media_group_id"]] * 2

    offset = updates[-1].update_id + 1
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=offset, timeout=5))
    await asyncio.sleep(0.2)  # the point is that time passes: no bot here to answer a barrier
    assert not poll.done()  # long polling: waits for something to happen
    await ivan.send_command("/help")
    delivered = await asyncio.wait_for(poll, 2)
    assert delivered[0].message is not None and delivered[0].message.text == "/help"
    assert time.monotonic() - started < 2


async def test_second_poller_gets_conflict(bot: Bot, ivan: FakeUser) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)  # for the first poll to reach the fake (no bot here to answer a barrier)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(waiting, 2)


async def test_wait_helpers(bot: Bot, ivan: FakeUser) -> None:
    await bot.send_message(USER_ID, "first")
    await bot.send_message(USER_ID, "second")
    got = await ivan.wait_message(predicate=lambda m: m.text == "second")
    assert got.text == "second"
    await ivan.expect_no_message(within=0.1)  # "first" was skipped by the predicate
    await bot.send_message(USER_ID, "third")
    with pytest.raises(AssertionError, match="unexpected bot message"):
        await ivan.expect_no_message(within=0.1)
    ivan.drain()
    with pytest.raises(AssertionError, match="no new bot message"):
        await ivan.wait_message(timeout=0.1)


async def test_dispatcher_polls_the_fake_and_stops_cleanly(fake: FakeTelegram, bot: Bot) -> None:
    ivan = fake.user(USER_ID)
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: <b>{message.text}</b>", reply_markup=inline(("Again", "again")))

    @dp.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        await query.answer("again!")

    for round_number in range(2):  # the bot is stopped and restarted in real tests too
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
        await ivan.send_text(f"hi {round_number}")
        reply = await ivan.wait_message(timeout=5)
        assert reply.text == f"echo: hi {round_number}"
        query_id = await ivan.click("Again")
        assert await ivan.wait_callback_answer(query_id) == ("again!", False)

        started = time.monotonic()
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
        assert time.monotonic() - started < 3
    assert [c.outcome for c in fake.calls_of("getUpdates")].count(409) == 0


async def test_every_user_update_parses_in_aiogram(bot: Bot, ivan: FakeUser) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Pick admin", request_users=KeyboardButtonRequestUsers(request_id=7))]]
    )
    await bot.send_message(USER_ID, "pick", reply_markup=keyboard)
    await ivan.send_command("/start deep-link")
    await ivan.send_contact("380501234567", own=False, user_id=555)
    await ivan.send_sticker()
    await ivan.send_voice()
    await ivan.send_document("logs.zip", caption="see attached", mime_type="application/zip")
    await ivan.send_album(kinds=["document", "document"])
    await ivan.share_users("Pick admin", [2002, 3003])
    with pytest.raises(AssertionError, match="share_contact/share_users"):
        await ivan.tap("Pick admin")

    messages = [u.message for u in await bot.get_updates(timeout=0)]
    assert all(m is not None for m in messages)
    start, contact, sticker, voice, document, album1, album2, shared = messages
    assert start is not None and start.entities is not None and start.entities[0].length == len("/start")
    assert contact is not None and contact.contact is not None and contact.contact.user_id == 555
    assert sticker is not None and sticker.sticker is not None
    assert voice is not None and voice.voice is not None
    assert document is not None and document.document is not None
    assert document.document.file_name == "logs.zip" and document.caption == "see attached"
    assert album1 is not None and album2 is not None and album1.media_group_id == album2.media_group_id
    assert shared is not None and shared.users_shared is not None
    assert [u.user_id for u in shared.users_shared.users] == [2002, 3003]


async def test_misc_bot_methods(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    sent = await bot.send_message(USER_ID, '<a href="https://example.com/?a=1&b=2">bare &amp; in href</a>')
    assert sent.entities is not None and sent.entities[0].url == "https://example.com/?a=1&b=2"
    own = await ivan.send_text("my message")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(text="x", chat_id=USER_ID, message_id=own["message_id"])
    assert await bot.send_chat_action(USER_ID, "typing")
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == []
    photo = (await ivan.send_photo())["photo"][-1]["file_id"]
    with_caption = await bot.send_photo(USER_ID, photo, caption="old")
    edited = await bot.edit_message_caption(chat_id=USER_ID, message_id=with_caption.message_id, caption="new")
    assert isinstance(edited, Message) and edited.caption == "new"
    assert [m.caption for m in fake.messages_to(USER_ID) if m.kind == "photo"] == ["new"]


async def test_a_reply_embeds_the_replied_message_of_that_chat_only(
    fake: FakeTelegram, bot: Bot, ivan: FakeUser
) -> None:
    other = fake.user(2002, first_name="Olena", language_code="en")
    sent = await bot.send_message(USER_ID, "<b>Ticket #1</b> created")
    elsewhere = await bot.send_message(2002, "not Ivan's")
    reply = await ivan.send_text("it is still broken", reply_to=sent.message_id)
    quoted = reply["reply_to_message"]
    assert quoted["message_id"] == sent.message_id and quoted["text"] == "Ticket #1 created"
    assert quoted["from"]["is_bot"] is True and "reply_to_message" not in quoted
    # A reply to a reply quotes one level only, as Telegram does; and only messages of this chat.
    again = await ivan.send_photo(reply_to=reply["message_id"])
    assert again["reply_to_message"]["text"] == "it is still broken"
    assert "reply_to_message" not in again["reply_to_message"]
    with pytest.raises(AssertionError, match="no message"):
        await ivan.send_text("wrong chat", reply_to=elsewhere.message_id + 50)
    # A copy never carries the original's reply header.
    copied = await bot.copy_message(2002, from_chat_id=USER_ID, message_id=again["message_id"])
    got = await other.wait_message(predicate=lambda m: m.message_id == copied.message_id)
    assert "reply_to_message" not in got.raw


async def test_a_user_edits_their_own_message_as_edited_message_only_when_subscribed(
    fake: FakeTelegram, bot: Bot, ivan: FakeUser
) -> None:
    sent = await ivan.send_text("first")
    photo = await ivan.send_photo(caption="a photo")
    await bot.get_updates(allowed_updates=["message"], timeout=0)
    confirmed = await bot.get_updates(timeout=0)
    await ivan.edit_text(sent, "second")  # not subscribed: dropped, like Telegram
    assert await bot.get_updates(offset=confirmed[-1].update_id + 1, timeout=0) == []
    assert fake.dropped_updates[-1]["edited_message"]["text"] == "second"

    await bot.get_updates(offset=confirmed[-1].update_id + 1, allowed_updates=["message", "edited_message"], timeout=0)
    await ivan.edit_text(sent, "third")
    await ivan.edit_caption(photo, "the photo")
    updates = await bot.get_updates(offset=confirmed[-1].update_id + 1, timeout=0)
    edited = [u.edited_message for u in updates if u.edited_message is not None]
    assert [(m.message_id, m.text, m.caption) for m in edited] == [
        (sent["message_id"], "third", None),
        (photo["message_id"], None, "the photo"),
    ]
    assert all(m.edit_date is not None for m in edited)
    with pytest.raises(AssertionError, match="changes nothing"):
        await ivan.edit_text(sent, "third")
    with pytest.raises(AssertionError, match="no text"):
        await ivan.edit_text(photo, "text")
    with pytest.raises(AssertionError, match="not one of this user's messages"):
        await ivan.edit_text({"message_id": 9999}, "text")


async def test_the_bot_edits_its_own_message_for_48_hours_only(fake: FakeTelegram, bot: Bot, ivan: FakeUser) -> None:
    sent = await bot.send_message(USER_ID, "fresh")
    await bot.edit_message_text("still fresh", chat_id=USER_ID, message_id=sent.message_id)
    ivan.age_bot_message(sent.message_id, 48 * 3600 + 60)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("too late", chat_id=USER_ID, message_id=sent.message_id)
    assert ivan.messages[-1].text == "still fresh"
