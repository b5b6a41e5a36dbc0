"""«Call to the server room»: alert to all staff, anti-flood window kept in MongoDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support import flows
from tests.support.harness import BotHarness


async def test_call_with_note_alerts_every_staff_member(bot: BotHarness) -> None:
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    bot.fake.user(3002, first_name="Gone", language_code="en")
    await bot.db.admins.insert_many([{"_id": 3002, "name": "Gone"}, {"_id": 3001, "name": "Admin"}])
    bot.fake.block(3002)  # one admin blocked the bot: the others are still alerted
    user = bot.fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
    await flows.start(user)
    await flows.file_ticket(user, phone="0931112233")

    await user.tap(flows.SERVER_ROOM)
    prompt = await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    assert prompt.button_texts() == ["📣 Send without note"]
    await user.send_text("Smoke from rack 3!")
    done = await user.wait_message()
    assert "admins have been alerted" in done.text

    for staff in (bot.superadmin, admin):
        alert = await staff.wait_message(
            predicate=lambda m: "server room" in (m.text or "").lower() or "серверн" in (m.text or "")
        )
        assert "+380931112233" in alert.text and "@ivan_p" in alert.text and "Smoke from rack 3!" in alert.text
    assert bot.fake.messages_to(3002) == []
    doc = await bot.db.server_room_calls.find_one({"_id": 2001})
    assert doc is not None and doc["last_call_at"].tzinfo is not None


async def test_second_call_inside_the_window_is_refused_even_after_restart(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.click("📣 Send without note")
    await user.wait_message(predicate=lambda m: "alerted" in (m.text or ""))
    alert = await bot.superadmin.wait_message()
    assert "unknown" in alert.text or "невідомий" in alert.text  # no ticket yet, so no phone

    await bot.restart()
    await user.tap(flows.SERVER_ROOM)
    refused = await user.wait_message()
    assert "call again in 5 min" in refused.text
    await bot.superadmin.expect_no_message(within=0.5)

    # Once the window has passed, the user may call again.
    await bot.db.server_room_calls.update_one(
        {"_id": 2001}, {"$set": {"last_call_at": datetime.now(UTC) - timedelta(minutes=6)}}
    )
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))


async def test_double_tap_produces_exactly_one_alert(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    prompt = await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await asyncio.gather(user.click("📣 Send without note", prompt), user.click("📣 Send without note", prompt))
    first = await user.wait_message()
    second = await user.wait_message()
    texts = sorted([first.text, second.text])
    assert any("alerted" in t for t in texts) and any("already called" in t for t in texts)
    await bot.superadmin.wait_message()
    await bot.superadmin.expect_no_message(within=1.0)


async def test_long_note_and_wrong_content_are_refused(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.send_text("x" * 201)
    too_long = await user.wait_message()
    assert "too long" in too_long.text and "201" in too_long.text
    await user.send_sticker()
    wrong = await user.wait_message()
    assert "must be text" in wrong.text
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    await bot.superadmin.expect_no_message(within=0.3)
    assert await bot.db.server_room_calls.count_documents({}) == 0


async def test_a_call_recorded_in_the_future_locks_out_for_one_window_at_most(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    # The server's clock was a day ahead at the last call and has been put right since.
    await bot.db.server_room_calls.insert_one({"_id": 2001, "last_call_at": datetime.now(UTC) + timedelta(days=1)})
    await user.tap(flows.SERVER_ROOM)
    refused = await user.wait_message()
    assert "call again in 5 min" in (refused.text or "")  # not in 1,445 min
    doc = await bot.db.server_room_calls.find_one({"_id": 2001})
    assert doc is not None and doc["last_call_at"] <= datetime.now(UTC)
    await bot.db.server_room_calls.update_one(
        {"_id": 2001}, {"$set": {"last_call_at": doc["last_call_at"] - timedelta(minutes=6)}}
    )
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
