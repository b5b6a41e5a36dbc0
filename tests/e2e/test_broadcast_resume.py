"""A broadcast survives a restart and a database outage without duplicates; one runs at a time; Stop ends it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from app.db.embedded import EmbeddedMongo
from tests.support import broadcasting as bc
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings
from tests.support.staff import make_admin

RATE = 100.0


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    return {"BROADCAST_RATE_PER_SECOND": RATE}


async def test_restart_mid_broadcast_resumes_without_duplicates(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, 500)
    text = "Office closed on Friday."
    await bc.compose_text(admin, text)
    await bc.send_and_wait_start(admin)
    status = await admin.wait_message(predicate=lambda m: "in progress" in (m.text or ""))
    assert status.button_texts() == [bc.STOP]
    await bc.wait_until(lambda: sum(bc.text_copies(u, text) for u in users) >= 100)

    stopping = time.monotonic()
    await bot.stop()
    assert time.monotonic() - stopping < 2  # stops between two recipients, no long grace wait
    broadcast = await bot.db.broadcasts.find_one({"_id": 1})
    assert broadcast is not None and broadcast["status"] == "running"
    states = await bc.delivery_states(bot)
    assert "sending" not in states  # a graceful stop leaves nothing in flight
    delivered = sum(bc.text_copies(u, text) for u in users)
    assert states["sent"] == delivered and 100 <= delivered < 400

    # A hard kill mid-request, reproduced: the next recipient's request reached Telegram
    # (it has the message) but the process died before recording the answer.
    in_flight = await bot.db.broadcast_deliveries.find_one(
        {"broadcast_id": 1, "state": "pending"}, sort=[("user_id", 1)]
    )
    assert in_flight is not None
    await bot.db.broadcast_deliveries.update_one({"_id": in_flight["_id"]}, {"$set": {"state": "sending"}})
    await _send_as_the_bot(bot, in_flight["user_id"], bc.with_header(text))

    await bot.start()
    resumed = await admin.wait_message(predicate=lambda m: "resumed" in (m.text or ""))
    assert f"Broadcast #1 resumed after a restart: {delivered} of 500 already delivered." in resumed.body
    assert "1 message(s) were being sent at the moment of the restart" in resumed.body
    report = await bc.wait_report(admin)

    assert all(bc.text_copies(u, text) == 1 for u in users)  # nobody twice, the in-flight one included
    assert bc.text_copies(admin, text) == 1  # the preview: the sender gets no copy of their own
    assert "Sent: 499 · Failed: 1 · Blocked: 0" in report.body and "Done: 500 of 500" in report.body
    assert await bc.delivery_states(bot) == {"sent": 499, "failed": 1}
    broadcast = await bot.db.broadcasts.find_one({"_id": 1})
    assert broadcast is not None and broadcast["status"] == "done"


async def _send_as_the_bot(bot: BotHarness, chat_id: int, text: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot.fake.base_url))
    async with Bot(bot.fake.token, session=session) as raw:
        await raw.send_message(chat_id, text)


async def test_second_broadcast_is_refused_while_one_runs_and_stop_ends_one(bot: BotHarness) -> None:
    first_admin = await make_admin(bot, 3001, "Olha")
    second_admin = await make_admin(bot, 3002, "Petro")
    users = await bc.seed_users(bot, 300)
    await bc.compose_text(first_admin, "First")
    await bc.compose_text(second_admin, "Second")  # drafted while nothing runs
    started = time.monotonic()
    await bc.send_and_wait_start(first_admin)
    status = await first_admin.wait_message(predicate=lambda m: "in progress" in (m.text or ""))

    # Opening the composer is refused, with the running broadcast's progress.
    await second_admin.send_text(bc.BROADCAST)  # typed: their keyboard shows the draft's Cancel
    refusal = await second_admin.wait_message(predicate=lambda m: "Only one" in (m.text or ""))
    assert "Only one broadcast can run at a time" in refusal.body
    assert "Broadcast #1 in progress" in refusal.body and "of 301" in refusal.body and "Time left" in refusal.body
    # So is sending a draft prepared earlier; the draft and its buttons stay for later.
    await second_admin.click(bc.SEND)
    refusal = await second_admin.wait_message(predicate=lambda m: "Only one" in (m.text or ""))
    assert "Only one broadcast can run at a time" in refusal.body
    assert await bot.db.broadcasts.count_documents({}) == 1

    # Progress: one status message, edited at most every few seconds, not one message per update.
    report = await bc.wait_report(first_admin)
    took = time.monotonic() - started
    assert "Broadcast #1 finished" in report.body and "Done: 301 of 301" in report.body
    # One progress edit per 3 s at most, plus the final one.
    assert 1 <= status.edit_count <= took // 3 + 1
    assert "finished" in status.body and status.button_texts() == []
    assert all(bc.text_copies(u, "First") == 1 for u in users)

    # Now the kept draft goes, and Stop ends it early: the rest stay unsent, on record.
    await bc.send_and_wait_start(second_admin)
    await second_admin.wait_message(predicate=lambda m: "in progress" in (m.text or ""))
    await bc.wait_until(lambda: sum(bc.text_copies(u, "Second") for u in users) >= 30)
    await second_admin.click(bc.STOP)
    stopped = await bc.wait_report(second_admin)
    assert "Broadcast #2 stopped" in stopped.body and "Not sent:" in stopped.body
    sent_then = sum(bc.text_copies(u, "Second") for u in users)
    assert sent_then < 250
    broadcast = await bot.db.broadcasts.find_one({"_id": 2})
    assert broadcast is not None and broadcast["status"] == "cancelled"
    states = await bc.delivery_states(bot, 2)
    assert states["pending"] == 301 - states["sent"] and "sending" not in states
    await bot.restart()  # a cancelled broadcast is not resumed
    # The wait stays: a resumed broadcast sends from a background task started with the bot,
    # not from a chat's update, so no message in a chat can be ordered after it.
    await asyncio.sleep(0.5)
    assert sum(bc.text_copies(u, "Second") for u in users) == sent_then
    assert not any("resumed" in (m.text or "") for m in second_admin.messages)


async def test_database_outage_mid_broadcast_is_ridden_out(fake: FakeTelegram, db_name: str, tmp_path: Path) -> None:
    # Its own database server, so stopping it disturbs no other test.
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    settings = make_settings(
        fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=1, BROADCAST_RATE_PER_SECOND=RATE
    )
    bot = BotHarness(fake, settings)
    try:
        await bot.start()
        admin = await make_admin(bot, 3001)
        users = await bc.seed_users(bot, 200)
        await bc.compose_text(admin, "Network maintenance")
        await bc.send_and_wait_start(admin)
        await bc.wait_until(lambda: sum(bc.text_copies(u, "Network maintenance") for u in users) >= 50)
        server.stop()
        await asyncio.sleep(2)
        server.start()
        report = await bc.wait_report(admin)
        copies = [bc.text_copies(u, "Network maintenance") for u in users]
        assert max(copies) == 1  # nobody twice
        # A write cut by the outage can leave one delivery "sending": counted failed, never repeated.
        assert copies.count(0) <= 1 and "Done: 200 of 200" in report.body
        broadcast = await bot.db.broadcasts.find_one({"_id": 1})
        assert broadcast is not None and broadcast["status"] == "done"
    finally:
        await bot.close()
        server.stop()
