"""MongoDB health check: one alert per outage, one when it is back, /health, and error logs with ids only."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiogram
import pymongo

from app.db.embedded import EmbeddedMongo
from app.models.backups import BackupKind
from app.models.health import AlertKind
from app.utils.tasks.health_check import HEALTH_JOB
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.harness import BotHarness, make_settings
from tests.support.reliability import FakeClock, reliability

DOWN = "MongoDB is unavailable"
STILL = "MongoDB is still unavailable"
BACK = "MongoDB is back"


@contextlib.asynccontextmanager
async def bot_on_own_server(
    fake: FakeTelegram, db_name: str, tmp_path: Path, options: dict[str, Any], **overrides: Any
) -> AsyncIterator[tuple[BotHarness, EmbeddedMongo]]:
    """A bot on a database server of its own, so stopping it disturbs no other test."""
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    settings = make_settings(
        fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=1, DEFAULT_LANGUAGE="en", **overrides
    )
    harness = BotHarness(fake, settings)
    harness.app_options.update(options)
    harness.superadmin.language_code = "en"
    try:
        await harness.start()
        yield harness, server
    finally:
        if server.process is None:
            server.start()  # for close() to drop the database
        await harness.close()
        server.stop()


def alerts(admin: FakeUser, marker: str) -> int:
    return sum(1 for m in admin.messages if marker in (m.text or ""))


async def test_outage_gives_one_alert_a_reminder_and_one_recovery(
    fake: FakeTelegram, db_name: str, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with bot_on_own_server(
        fake, db_name, tmp_path, {"clock": clock}, HEALTHCHECK_INTERVAL_SECONDS=3600, HEALTHCHECK_REMIND_MINUTES=30
    ) as (bot, server):
        check = reliability(bot).check_health
        admin, user = bot.superadmin, fake.user(2001, language_code="en")
        await flows.start(admin)
        await flows.start(user)
        assert await check() is None  # healthy: nothing to say
        await admin.expect_no_message(0.1)

        server.stop()
        went_down = clock.advance(minutes=1)
        alert = await check()
        assert alert is not None and alert.kind is AlertKind.DOWN
        message = await admin.wait_message(timeout=10)
        local = went_down.astimezone(ZoneInfo("Europe/Kyiv"))
        assert DOWN in message.body and f"since {local:%Y-%m-%d %H:%M:%S %Z}" in message.body
        assert "Ping failed:" in message.body
        # Users get the usual "temporarily unavailable" answer meanwhile; polling goes on.
        await user.send_text("hello?")
        assert "temporarily unavailable" in (await user.wait_message(timeout=10)).body
        for _ in range(2):
            clock.advance(minutes=10)
            assert await check() is None
        clock.advance(minutes=10)  # 30 minutes after the alert: one reminder
        reminder = await check()
        assert reminder is not None and reminder.kind is AlertKind.STILL_DOWN
        assert "for 30 min now" in (await admin.wait_message(timeout=10)).body
        clock.advance(minutes=5)
        assert await check() is None

        server.start()
        clock.advance(minutes=5)
        recovered = await check()
        assert recovered is not None and recovered.kind is AlertKind.RECOVERED
        back = await admin.wait_message(timeout=10)
        assert BACK in back.body and "The outage lasted 40 min" in back.body
        assert await check() is None
        await admin.expect_no_message(0.2)
        assert (alerts(admin, DOWN), alerts(admin, STILL), alerts(admin, BACK)) == (1, 1, 1)
        await flows.start(user)  # the same bot, still polling


async def test_the_scheduler_runs_the_check_in_the_bots_loop(fake: FakeTelegram, db_name: str, tmp_path: Path) -> None:
    async with bot_on_own_server(
        fake, db_name, tmp_path, {}, HEALTHCHECK_INTERVAL_SECONDS=5, HEALTHCHECK_REMIND_MINUTES=0
    ) as (bot, server):
        job = reliability(bot).scheduler.get_job(HEALTH_JOB)
        assert job is not None and job.trigger.interval == timedelta(seconds=5)
        admin = bot.superadmin
        await flows.start(admin)
        server.stop()
        down = await admin.wait_message(timeout=15)
        assert DOWN in down.body
        server.start()
        back = await admin.wait_message(timeout=15)
        assert BACK in back.body
        assert (alerts(admin, DOWN), alerts(admin, BACK)) == (1, 1)
        await flows.start(admin)


async def test_health_command_reports_everything(bot: BotHarness) -> None:
    bot.superadmin.language_code = "en"
    admin = bot.superadmin
    await flows.start(admin)
    await admin.send_command("/health")
    report = (await admin.wait_message(timeout=10)).body
    assert "Database: 🟢 available, ping" in report and re.search(r"ping \d+\.\d ms", report)
    assert f"aiogram {aiogram.__version__}" in report and f"PyMongo {pymongo.__version__}" in report
    assert "app 1.0.0" in report and re.search(r"MongoDB \d+\.\d+", report)
    assert "Uptime:" in report and "Last backup: none yet" in report
    next_run = reliability(bot).schedule.next_run_at
    # Shown in TIMEZONE (Europe/Kyiv by default), never as UTC.
    local = next_run.astimezone(ZoneInfo("Europe/Kyiv")) if next_run else None
    assert local is not None and f"Next backup: {local:%Y-%m-%d %H:%M:%S} {local:%Z}" in report
    assert " UTC" not in report
    assert "Logs:" in report and str(bot.settings.log_dir.resolve()) in report
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=1)
    await admin.tap("🩺 Health")
    assert result.name in (await admin.wait_message(timeout=10)).body


async def test_errors_are_logged_with_a_traceback_and_ids_only(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.wait_message(predicate=flows.at_step("phone"))
    bot.fake.fail_next(1, status=500, methods=["sendMessage"])
    await user.send_text("0507654321")
    assert (await user.wait_message()).text == "Something went wrong. Please try again."
    log_text = "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))
    [line] = [x for x in log_text.splitlines() if "Error while handling" in x]
    assert re.search(r"Error while handling update_id=\d+ type=message user_id=2001$", line)
    assert "Traceback (most recent call last)" in log_text and "TelegramServerError" in log_text
    for personal in ("0507654321", "380507654321", "Ivan Petrenko", "Petrenko"):
        assert personal not in log_text, personal


async def test_health_names_the_embedded_database_and_counts_only_log_files(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    settings = make_settings(fake, mongo_uri, db_name, tmp_path, DEFAULT_LANGUAGE="en")
    harness = BotHarness(fake, settings)
    # What main.py does without MONGODB_URI: the bot runs on the embedded server's address.
    harness.settings = settings.model_copy(update={"mongodb_uri": None})
    harness.superadmin.language_code = "en"
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    (settings.log_dir / ".gitkeep").write_text("")
    (settings.log_dir / "notes.txt").write_text("not a log")
    await harness.start()
    try:
        await flows.start(harness.superadmin)
        await harness.superadmin.send_command("/health")
        report = (await harness.superadmin.wait_message(timeout=10)).text or ""
        assert "embedded (nx-27017" in report
        log_files = len(list(settings.log_dir.glob("bot_*.log")))
        assert f"files: {log_files} (" in report
    finally:
        await harness.close()


async def test_health_with_mongodb_uri_does_not_say_embedded(bot: BotHarness) -> None:
    bot.superadmin.language_code = "en"
    await flows.start(bot.superadmin)
    await bot.superadmin.send_command("/health")
    assert "embedded" not in ((await bot.superadmin.wait_message(timeout=10)).text or "")


async def test_a_dead_embedded_database_is_restarted_and_reported(
    fake: FakeTelegram, db_name: str, tmp_path: Path
) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    settings = make_settings(fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=1, DEFAULT_LANGUAGE="en")
    harness = BotHarness(fake, settings)
    harness.app_options.update({"embedded": server})  # what main.py passes when MONGODB_URI is unset
    harness.superadmin.language_code = "en"
    try:
        await harness.start()
        await flows.start(harness.superadmin)
        assert server.process is not None
        server.process.kill()  # nx-27017 died (OOM killer, a crash)
        server.process.wait()
        await reliability(harness).check_health()
        alert = await harness.superadmin.wait_message(predicate=lambda m: "embedded database" in (m.text or ""))
        assert "restarted" in (alert.text or "")
        assert server.process is not None and server.process.poll() is None
        user = fake.user(2001, language_code="en")
        await flows.start(user)
        await user.tap(flows.MY_TICKETS)
        assert "no active tickets" in ((await user.wait_message(timeout=10)).text or "")
    finally:
        await harness.close()
        server.stop()
