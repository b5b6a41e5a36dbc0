"""One sender per bot: a second process started by mistake on the same database and token
sends nothing twice, says what is wrong in the log, and takes over when the first one stops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.db.embedded import EmbeddedMongo
from tests.support import broadcasting as bc
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings
from tests.support.reliability import backup_files, reliability
from tests.support.staff import make_admin

RATE = 20.0  # slow enough for the second process to start in the middle
LEASE_SECONDS = 3  # renewed every second: the take-over test waits about that long
TEXT = "The office is closed on Friday."


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    return {"BROADCAST_RATE_PER_SECOND": RATE, "INSTANCE_LEASE_SECONDS": LEASE_SECONDS}


@pytest.fixture
async def second(bot: BotHarness) -> AsyncIterator[BotHarness]:
    """Another BotApp on the same database, polling the same token."""
    harness = BotHarness(bot.fake, bot.settings)
    yield harness
    await harness.stop()
    await harness.client.close()


def log_text(bot: BotHarness) -> str:
    return "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))


async def test_a_second_instance_never_sends_a_running_broadcast_again(bot: BotHarness, second: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, 60)
    await bc.compose_text(admin, TEXT)
    await bc.send_and_wait_start(admin)
    await bc.wait_until(lambda: sum(bc.text_copies(u, TEXT) for u in users) >= 5)

    await second.start()
    report = await bc.wait_report(admin, timeout=60)
    assert "Done: 60 of 60" in report.body
    assert [bc.text_copies(u, TEXT) for u in users] == [1] * len(users)
    assert bc.text_copies(admin, TEXT) == 1  # the preview: the sender gets no copy of their own
    assert await bc.delivery_states(bot) == {"sent": 60}

    log = log_text(bot)
    assert "Another instance of this bot runs the background work" in log
    # Both poll one token: Telegram answers one of them 409 Conflict, said once, clearly.
    assert "Failed to fetch updates - TelegramConflictError" not in log
    conflict_lines = [line for line in log.splitlines() if "Telegram refused getUpdates" in line]
    assert 1 <= len(conflict_lines) <= 2, conflict_lines  # at most once per instance
    assert "409 Conflict: another process is polling with this bot token" in conflict_lines[0]


async def test_the_second_instance_takes_over_when_the_first_stops(bot: BotHarness, second: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    users = await bc.seed_users(bot, 60)
    await bc.compose_text(admin, TEXT)
    await bc.send_and_wait_start(admin)
    await bc.wait_until(lambda: sum(bc.text_copies(u, TEXT) for u in users) >= 5)
    await second.start()

    await bot.stop()  # the first process goes away in the middle of the broadcast
    report = await bc.wait_report(admin, timeout=60)
    assert "Done: 60 of 60" in report.body
    assert [bc.text_copies(u, TEXT) for u in users] == [1] * len(users)
    assert await bc.delivery_states(bot) == {"sent": 60}
    assert "This instance now runs the background work" in log_text(bot)


async def test_one_health_alert_and_one_automatic_backup_for_two_instances(
    fake: FakeTelegram, db_name: str, tmp_path: Path
) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")  # its own: stopping it disturbs no other test
    server.start()
    settings = make_settings(
        fake, server.uri, db_name, tmp_path, MONGODB_TIMEOUT_SECONDS=1, HEALTHCHECK_INTERVAL_SECONDS=3600
    )
    first, second = BotHarness(fake, settings), BotHarness(fake, settings)
    try:
        await first.start()
        await second.start()
        await flows.start(first.superadmin)

        for harness in (first, second):  # the job as the scheduler runs it, in each process
            await reliability(harness).run_scheduled_backup()
        assert len(backup_files(settings.backup_dir)) == 1
        backups = [m for m in first.superadmin.messages if m.kind == "document"]
        assert len(backups) == 1

        server.stop()
        for harness in (first, second):
            await reliability(harness).check_health()
        down = [m for m in first.superadmin.messages if "MongoDB" in (m.text or "")]
        assert len(down) == 1, [m.text for m in down]
    finally:
        if server.process is None:
            server.start()
        await second.stop()
        await second.client.close()
        await first.close()
        server.stop()
