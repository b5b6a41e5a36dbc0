"""Drill: the bot as a real `python main.py` process, killed with SIGKILL in the middle of a
form and started again; and a graceful SIGTERM that leaves no embedded database behind."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.drills._support import BotProcess, base_env, processes_mentioning
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import SUPERADMIN_ID

NAME = "Ivan Petrenko"
PHONE_TYPED = "050 123 45 67"
PHONE_E164 = "+380501234567"
DESCRIPTION = "The printer on the 3rd floor jams on every page since Monday."


def process_env(fake: FakeTelegram, tmp: Path, **extra: str) -> dict[str, str]:
    return base_env(
        BOT_TOKEN=fake.token,
        SUPERADMIN_ID=str(SUPERADMIN_ID),
        TELEGRAM_API_URL=fake.base_url,
        LOG_DIR=str(tmp / "logs"),
        LOG_LEVEL="INFO",
        DATA_DIR=str(tmp / "data"),
        BACKUP_DIR=str(tmp / "backups"),
        BACKUP_ENABLED="false",
        MONGODB_TIMEOUT_SECONDS="5",
        DEFAULT_LANGUAGE="uk",
        **extra,
    )


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.ensure_stopped()


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def step_of(text: str) -> str:
    return next((name for name in flows.FORM_STEPS if flows.step(name) in text), "?")


async def test_sigkill_mid_form_then_restart_resumes_the_same_step(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, processes: list[BotProcess]
) -> None:
    fake.user(SUPERADMIN_ID, first_name="Olena", language_code="uk")  # the bot sets her command menu
    bot = BotProcess(process_env(fake, tmp_path, MONGODB_URI=mongo_uri, MONGODB_DB=db_name), tmp_path)
    processes.append(bot)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        bot.start()
        first_start = await bot.wait_until_polling(fake, since=0)

        user = fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
        await flows.start(user)
        await flows.open_form(user)
        await user.send_text(NAME)
        await user.wait_message(predicate=flows.at_step("phone"))
        await user.send_text(PHONE_TYPED)
        await user.wait_message(predicate=flows.at_step("description"))
        await user.send_text(DESCRIPTION)
        await user.wait_message(predicate=flows.at_step("media"), timeout=10)

        bot.kill(signal.SIGKILL)
        assert await bot.wait_exit(10) == -signal.SIGKILL

        # What the killed process left in MongoDB: the form's step and answers.
        fsm = await client[db_name].fsm_states.find_one({"state": {"$exists": True}})
        assert fsm is not None and fsm["state"] == "TicketForm:media", fsm
        saved = fsm.get("data") or {}
        assert (saved.get("full_name"), saved.get("phone"), saved.get("description")) == (
            NAME,
            PHONE_E164,
            DESCRIPTION,
        ), saved
        assert await client[db_name].tickets.count_documents({}) == 0

        since = len(fake.calls)
        bot.start()
        second_start = await bot.wait_until_polling(fake, since=since)

        # Something the attachment step cannot use: the bot repeats that very step.
        await user.send_sticker()
        repeated = await user.wait_message(timeout=10)
        repeated_text = repeated.text or ""
        resumed_at = step_of(repeated_text)
        assert resumed_at == "media" and "sticker" in repeated_text, repeated_text

        await user.tap(flows.SKIP)
        await user.wait_message(predicate=flows.at_step("priority"))

        # Second kill, with an update in flight: the process is frozen, Telegram hands it the
        # user's answer, and it dies before confirming it. The next process gets it again.
        await wait_until(lambda: fake.calls_of("getUpdates")[-1].outcome == "pending", 5)  # in a long poll
        os.kill(bot.pid, signal.SIGSTOP)
        poll = len(fake.calls_of("getUpdates")) - 1
        await user.tap(flows.PRIORITIES["high"])
        await wait_until(lambda: fake.calls_of("getUpdates")[poll].outcome == "ok", 5)  # handed to the frozen bot
        in_flight = len(fake.pending_updates)
        assert in_flight == 1, fake.pending_updates
        bot.kill(signal.SIGKILL)
        assert await bot.wait_exit(10) == -signal.SIGKILL
        since = len(fake.calls)
        bot.start()
        third_start = await bot.wait_until_polling(fake, since=since)
        summary = await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""), timeout=15)
        summary_text = summary.text or ""
        kept = [answer for answer in (NAME, PHONE_E164, DESCRIPTION) if answer in summary_text]
        assert len(kept) == 3 and "High" in summary_text, summary_text

        await user.tap(flows.SUBMIT)
        created = await user.wait_message(predicate=lambda m: "created" in (m.text or ""), timeout=10)
        assert "Ticket #1 created" in created.body, created.text
        ticket = await client[db_name].tickets.find_one({"number": 1})
        assert ticket is not None
        assert (ticket["full_name"], ticket["phone"], ticket["description"]) == (NAME, PHONE_E164, DESCRIPTION)
        assert ticket["user_id"] == 2001 and ticket["status"] == "new"

        # The restarted process still stops cleanly.
        bot.kill(signal.SIGTERM)
        assert await bot.wait_exit(30) == 0, bot.output()[-3000:]
        print(
            f"\n[drill sigkill] resumed at step {resumed_at} with {len(kept)}/3 answers kept; "
            f"an answer in flight at the second SIGKILL ({in_flight} unconfirmed update) redelivered and applied; "
            f"submitted ticket #{ticket['number']}; start-up to polling {first_start:.1f}s, "
            f"{second_start:.1f}s and {third_start:.1f}s after each SIGKILL"
        )
    finally:
        await client.drop_database(db_name)
        await client.close()


async def test_sigterm_exits_0_and_leaves_no_embedded_database(
    fake: FakeTelegram, tmp_path: Path, processes: list[BotProcess]
) -> None:
    fake.user(SUPERADMIN_ID, first_name="Olena", language_code="uk")
    data_dir = tmp_path / "data"
    # MONGODB_URI empty = unset: main.py starts nx-27017 under DATA_DIR/mongo.
    bot = BotProcess(process_env(fake, tmp_path, MONGODB_URI="", MONGODB_DB="drill_sigterm"), tmp_path)
    processes.append(bot)
    try:
        bot.start()
        await bot.wait_until_polling(fake, since=0)
        embedded = [(pid, cmd) for pid, cmd in processes_mentioning(str(data_dir / "mongo")) if pid != bot.pid]
        assert embedded, "no embedded database process found under DATA_DIR"

        user = fake.user(2001, language_code="en")
        hello = await flows.start(user)  # the embedded database answers
        assert "Hello" in hello.body, hello.text

        bot.kill(signal.SIGTERM)
        code = await bot.wait_exit(30)
        output = bot.output()
        assert code == 0, output[-3000:]
        left = processes_mentioning(str(data_dir / "mongo"))
        assert left == [], f"still running after the bot stopped: {left}"
        assert "Embedded database stopped" in output, output[-3000:]
        print(
            f"\n[drill sigterm] exit code {code}; embedded database pid(s) "
            f"{[pid for pid, _ in embedded]} gone; {len(left)} nx-27017 processes left"
        )
    finally:
        # Only if the drill failed: stop the database child this test started, by its pid.
        for pid, _ in processes_mentioning(str(data_dir / "mongo")):
            os.kill(pid, signal.SIGTERM)
