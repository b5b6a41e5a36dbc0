"""Failures a user can run into: the database goes away, a handler fails, Telegram hiccups."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from app.db.embedded import EmbeddedMongo
from app.keyboards.callback_data import MyTicketsAction, MyTicketsCallback
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings


async def test_database_outage_gets_a_clear_answer_and_the_bot_recovers(
    fake: FakeTelegram, db_name: str, tmp_path: Path
) -> None:
    # Its own database server, so stopping it disturbs no other test.
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    harness = BotHarness(fake, make_settings(fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=1))
    try:
        await harness.start()
        user = fake.user(2001, language_code="en")
        await flows.start(user)
        await flows.open_form(user)
        await user.send_text("Ivan Petrenko")
        await user.wait_message(predicate=flows.at_step("phone"))

        server.stop()
        await user.send_text("0501234567")
        down = await user.wait_message(timeout=15)
        # The answer was not saved: the bot must not claim it was ("your message was not lost").
        assert "temporarily unavailable" in down.body and "not lost" not in down.body
        assert "send it again" in down.body
        query = await user.press_data(MyTicketsCallback(action=MyTicketsAction.PAGE).pack())
        down_again = await user.wait_message(timeout=15)
        assert "temporarily unavailable" in down_again.body
        assert query

        server.start()
        await user.send_text("0501234567")  # the same answer again, and the form goes on
        step3 = await user.wait_message(timeout=15)
        assert flows.step("description") in step3.body, step3.body
        log_text = "".join(p.read_text() for p in (tmp_path / "logs").glob("*.log"))
        assert "Database unavailable while handling update_id=" in log_text
        assert fake.token not in log_text
    finally:
        await harness.close()
        server.stop()


async def test_a_hung_database_is_answered_within_the_timeout(fake: FakeTelegram, db_name: str, tmp_path: Path) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    timeout = 3
    harness = BotHarness(fake, make_settings(fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=timeout))
    try:
        await harness.start()
        user = fake.user(2001, language_code="en")
        await flows.start(user)
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGSTOP)  # alive, holding its connections, answering nothing
        try:
            await user.tap(flows.MY_TICKETS)
            # Within MONGODB_TIMEOUT_SECONDS (and a little for Telegram), not PyMongo's 10-30 s defaults.
            down = await user.wait_message(timeout=timeout + 1.5)
            assert "temporarily unavailable" in (down.text or "")
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        await user.tap(flows.MY_TICKETS)
        listing = await user.wait_message(timeout=15, predicate=lambda m: "temporarily" not in (m.text or ""))
        assert "no active tickets" in (listing.text or "")
    finally:
        await harness.close()
        server.stop()


async def test_unexpected_failure_is_answered_and_polling_goes_on(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    bot.fake.fail_next(1, status=500, methods=["sendMessage"])
    await user.tap(flows.MY_TICKETS)
    sorry = await user.wait_message()
    assert sorry.text == "Something went wrong. Please try again."
    await user.tap(flows.MY_TICKETS)
    listing = await user.wait_message()
    assert "no active tickets" in listing.body
    log_text = "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))
    assert "Error while handling update_id=" in log_text and "Traceback" in log_text


async def test_debug_logs_hold_no_phone_numbers_or_descriptions(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    harness = BotHarness(fake, make_settings(fake, mongo_uri, db_name, tmp_path, LOG_LEVEL="DEBUG"))
    await harness.start()
    try:
        user = fake.user(2001, language_code="en")
        await flows.start(user)
        await flows.file_ticket(user, phone="0507654321", description="Secret plans are on the printer tray")
    finally:
        await harness.close()
    text = "".join(p.read_text() for p in harness.settings.log_dir.glob("bot_*.log"))
    assert "started" in text
    for personal in ("0507654321", "380507654321", "Secret plans"):
        assert personal not in text, personal
