"""Broadcast to everyone: delivery at scale, blocked users, 429s, albums, and the compose/preview flow."""

from __future__ import annotations

import time

import pytest

from app.keyboards.callback_data import BroadcastAction, BroadcastCallback
from tests.support import broadcasting as bc
from tests.support import flows
from tests.support.harness import BotHarness
from tests.support.staff import make_admin

RATE = 500.0
USERS = 1000
BLOCKED = list(range(bc.FIRST_USER_ID + 7, bc.FIRST_USER_ID + USERS, 50))  # 20 users spread over the range


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    return {"BROADCAST_RATE_PER_SECOND": RATE}


async def test_text_reaches_everyone_once_blocked_are_marked_and_429_is_waited_out(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, USERS)
    (gone,) = await bc.seed_users(bot, 1, first_id=90_000, reachable=False)  # blocked us in an earlier broadcast
    for uid in BLOCKED:
        bot.fake.block(uid)
    bot.fake.set_rate_limit(RATE)  # Telegram's ceiling at the configured rate: pacing alone must respect it
    text = "Planned maintenance: the mail server restarts tonight at 22:00."

    control = await bc.compose_text(admin, text)
    # 1,000 seeded users; not the admin who sends it, the unreachable one, the super-admin (never wrote).
    assert "Recipients: 1000" in control.body
    started_at = time.monotonic()
    await bc.send_and_wait_start(admin)
    await bc.wait_until(lambda: sum(bc.text_copies(u, text) for u in users) >= 200)
    bot.fake.inject_429(2, retry_after=1)  # two answers in a row: the same recipient is retried twice
    report = await bc.wait_report(admin)
    elapsed = time.monotonic() - started_at

    reachable = [u for u in users if u.id not in BLOCKED]
    assert all(bc.text_copies(u, text) == 1 for u in reachable)
    assert all(bc.text_copies(bot.fake.user(uid), text) == 0 for uid in BLOCKED)
    assert gone.messages == []
    assert bc.text_copies(admin, text) == 1  # the preview: the sender gets no copy of their own
    assert "Sent: 980 · Failed: 0 · Blocked: 20" in report.body and "Done: 1000 of 1000" in report.body
    blocked_docs = await bot.db.users.count_documents({"_id": {"$in": BLOCKED}, "reachable": False})
    assert blocked_docs == len(BLOCKED)
    assert await bc.delivery_states(bot) == {"sent": 980, "blocked": 20}
    broadcast = await bot.db.broadcasts.find_one({"_id": 1})
    assert broadcast is not None and broadcast["status"] == "done"
    assert broadcast["counters"] == {"total": 1000, "sent": 980, "failed": 0, "blocked": 20}
    # Only the two injected 429s: pacing never hit the fake's rate ceiling.
    throttled = [c for c in bot.fake.calls if c.outcome == 429]
    assert len(throttled) == 2
    retried = next(c for c in bot.fake.calls if c.at > throttled[-1].at and c.method == "sendMessage")
    assert retried.at - throttled[0].at >= 1.9  # retry_after honoured twice
    assert elapsed >= USERS / RATE
    print(f"\n1,000 recipients at {RATE:.0f}/s (ceiling {RATE:.0f}/s, 2×429 of 1 s): {elapsed:.1f} s")

    # A blocked user who writes again is reachable again and counted in the next broadcast.
    comeback = bot.fake.user(BLOCKED[0])
    await comeback.send_command("/start")
    await comeback.wait_message()
    doc = await bot.db.users.find_one({"_id": BLOCKED[0]})
    assert doc is not None and doc["reachable"] is True
    control = await bc.compose_text(admin, "Second")
    assert "Recipients: 981" in control.body  # 1,000 - 20 blocked + the one who came back


async def test_album_reaches_everyone_once(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, USERS)
    for uid in BLOCKED:
        bot.fake.block(uid)
    await bc.open_compose(admin)
    await admin.send_album(("photo", "video", "photo"), caption="New office: photos and a tour")
    control = await bc.wait_preview(admin)
    preview = bc.albums(admin)
    assert len(preview) == 1
    (items,) = preview.values()
    assert [m.media_type for m in items] == ["photo", "video", "photo"]
    assert items[0].caption == bc.with_header("New office: photos and a tour") and items[1].caption is None
    assert "Recipients: 1000" in control.body

    started_at = time.monotonic()
    await bc.send_and_wait_start(admin)
    await bc.wait_until(lambda: sum(len(bc.albums(u)) for u in users) >= 100)
    bot.fake.inject_429(1, retry_after=1)
    report = await bc.wait_report(admin)
    elapsed = time.monotonic() - started_at

    for user in users:
        got = bc.albums(user)
        if user.id in BLOCKED:
            assert got == {}
            continue
        assert len(got) == 1, user
        (album,) = got.values()
        assert [m.file_id for m in album] == [m.file_id for m in items]
        assert album[0].caption == bc.with_header("New office: photos and a tour")
    assert "Sent: 980 · Failed: 0 · Blocked: 20" in report.body
    assert sum(1 for c in bot.fake.calls if c.outcome == 429) == 1
    # An album costs three messages of the rate: 1,000 albums at 500 messages/s take at least 6 s.
    assert elapsed >= USERS * 3 / RATE
    print(f"\n1,000 albums of 3 at {RATE:.0f} messages/s: {elapsed:.1f} s")


async def test_preview_edit_and_cancel(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    (user,) = await bc.seed_users(bot, 1)
    await bc.open_compose(admin)
    assert admin.reply_keyboard == [[bc.CANCEL]]
    # Formatting survives: the preview (and every copy) is sent as the admin wrote it.
    bot.fake.user_message(admin, {"text": "Hello all", "entities": [{"type": "bold", "offset": 0, "length": 5}]})
    control = await bc.wait_preview(admin)
    preview = admin.messages[-2]
    assert preview.raw_text == "📢 <b>Announcement from IT support</b>\n\n<b>Hello</b> all"
    assert preview.text == bc.with_header("Hello all")
    assert "Recipients: 1" in control.body
    assert control.button_texts() == [bc.SEND, bc.EDIT, bc.CANCEL]
    old_send = control.inline_buttons[0][0][1]
    assert old_send is not None

    await admin.click(bc.EDIT, control)
    await admin.wait_message(predicate=lambda m: "new version" in (m.text or ""))
    assert control.inline_buttons == []  # the choices are taken off the old preview
    await admin.send_photo(caption="Photo of the week")
    new_control = await bc.wait_preview(admin)
    photo = admin.messages[-2]
    new_send = new_control.inline_buttons[0][0][1]
    assert new_send is not None
    assert photo.kind == "photo" and photo.caption == bc.with_header("Photo of the week")

    # The first preview's buttons no longer act: they belong to the old draft.
    query = await admin.press_data(old_send)
    text, alert = await admin.wait_callback_answer(query)
    assert alert and "out of date" in (text or "")

    await admin.click(bc.CANCEL, new_control)
    cancelled = await admin.wait_message()
    assert cancelled.text == "Broadcast cancelled. Nothing was sent."
    assert any(bc.BROADCAST in row for row in admin.reply_keyboard or [])
    # The cancel is handled to the end; a broadcast would have been recorded by then (checked below).
    await flows.barrier(admin)
    assert user.messages == []
    assert await bot.db.broadcasts.count_documents({}) == 0
    # After cancelling, the last preview's Send is dead too.
    query = await admin.press_data(new_send)
    text, alert = await admin.wait_callback_answer(query)
    assert alert and text == "This button is no longer active."


async def test_compose_rejects_what_cannot_be_broadcast(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    await bc.open_compose(admin)
    await admin.send_sticker()
    assert "I cannot broadcast a sticker" in (await admin.wait_message()).body
    await admin.send_voice()
    assert "I cannot broadcast a voice or audio message" in (await admin.wait_message()).body
    await admin.send_text("/start")
    assert "Only /cancel works" in (await admin.wait_message()).body

    # Telegram's limits less room for the header: 1024 - 64 and 4096 - 64.
    await admin.send_photo(caption="x" * 961)
    too_long = await admin.wait_message()
    assert "caption is too long" in too_long.body and "at most 960" in too_long.body and "961" in too_long.body
    await admin.send_text("y" * 4033)
    too_long = await admin.wait_message()
    assert "text is too long" in too_long.body and "at most 4032" in too_long.body and "4033" in too_long.body
    await admin.send_album(("photo", "photo"), caption="z" * 1100)
    assert "caption is too long" in (await admin.wait_message()).body
    # Limits count UTF-16 units, as Telegram does: 1024 emoji are 2048 units.
    await admin.send_photo(caption="🙂" * 481)
    assert "caption is too long" in (await admin.wait_message()).body

    # Exactly at the limits is fine.
    await admin.send_text("y" * 4032)
    await bc.wait_preview(admin)
    await admin.send_document(caption="x" * 960)
    await bc.wait_preview(admin)
    assert await bot.db.broadcasts.count_documents({}) == 0


async def test_plain_user_forging_broadcast_callbacks_gets_nothing(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, 3)
    intruder = users[0]
    await intruder.send_command("/start")
    await intruder.wait_message()
    await intruder.send_text(bc.BROADCAST)  # the staff button's text, typed
    assert (await intruder.wait_message()).body.startswith("I did not understand")
    control = await bc.compose_text(admin, "Only staff may send this")
    send_data = control.inline_buttons[0][0][1]
    assert send_data is not None
    draft = BroadcastCallback.unpack(send_data).ref
    # The exact callback data of the admin's preview, and the other actions, pressed by a plain user.
    for data in (
        send_data,
        BroadcastCallback(action=BroadcastAction.EDIT, ref=draft).pack(),
        BroadcastCallback(action=BroadcastAction.CANCEL, ref=draft).pack(),
    ):
        query = await intruder.press_data(data)
        assert await intruder.wait_callback_answer(query) == ("This button is no longer active.", True)
    await flows.barrier(intruder)  # the forged presses are handled to the end
    assert await bot.db.broadcasts.count_documents({}) == 0
    assert all(u.messages == [] for u in users[1:])

    # While the admin's real broadcast runs, a forged Stop changes nothing either.
    await bc.send_and_wait_start(admin)
    query = await intruder.press_data(BroadcastCallback(action=BroadcastAction.STOP, ref="1").pack())
    assert await intruder.wait_callback_answer(query) == ("This button is no longer active.", True)
    report = await bc.wait_report(admin)
    assert "finished" in report.body and "Done: 3 of 3" in report.body
    assert all(bc.text_copies(u, "Only staff may send this") == 1 for u in users)


async def test_each_recipient_reads_the_header_in_their_language(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    english, ukrainian = await bc.seed_users(bot, 2)
    await bot.db.users.update_one({"_id": ukrainian.id}, {"$set": {"language": "uk"}})
    await bc.compose_text(admin, "Wi-Fi maintenance at noon")
    await bc.send_and_wait_start(admin)
    await bc.wait_report(admin)
    assert bc.text_copies(english, "Wi-Fi maintenance at noon") == 1
    assert [m.text for m in ukrainian.messages] == ["📢 Оголошення від ІТ-підтримки\n\nWi-Fi maintenance at noon"]
    assert bc.text_copies(admin, "Wi-Fi maintenance at noon") == 1  # the preview only
