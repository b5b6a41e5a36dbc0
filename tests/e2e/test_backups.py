"""Backups: /backup, the archive on disk, sending it, retention, atomic writes and the weekly schedule."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bson import json_util

from app.models.backups import BackupKind
from app.services.backups import archive as backup_format
from app.services.backups.reader import READ_OPTIONS
from app.services.backups.schedule import BACKUP_JOB
from app.utils.tasks.health_check import HEALTH_JOB
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import SUPERADMIN_ID, BotHarness, make_settings
from tests.support.reliability import FakeClock, backup_files, reliability, seed, snapshot, text_of, zip_entries


def english(bot: BotHarness) -> None:
    bot.superadmin.language_code = "en"  # before the first message, so the profile is English


@contextlib.asynccontextmanager
async def own_bot(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, options: dict[str, Any], **overrides: Any
) -> AsyncIterator[BotHarness]:
    """A bot built with BotApp keywords (clock, start-up delay) the shared fixture cannot pass."""
    settings = make_settings(fake, mongo_uri, db_name, tmp_path, DEFAULT_LANGUAGE="en", **overrides)
    harness = BotHarness(fake, settings)
    harness.app_options.update(options)
    english(harness)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def backup_via_telegram(bot: BotHarness) -> tuple[str, Any]:
    """/backup as the super-admin: returns (final progress text, the document message)."""
    admin = bot.superadmin
    await admin.send_command("/backup")
    progress = await admin.wait_message(timeout=10)
    assert "Creating a backup" in progress.body
    done = await admin.wait_edit(progress.message_id, timeout=20)
    document = await admin.wait_message(timeout=10)
    return done.text or "", document


async def test_backup_command_writes_a_complete_archive_and_sends_it(bot: BotHarness) -> None:
    english(bot)
    await flows.start(bot.superadmin)
    await seed(bot.db)
    await bot.db.other_program.insert_one({"_id": 1, "of": "another program"})
    # ticket_counts is derived from the tickets and rebuilt after a restore: never backed up.
    before = await snapshot(bot.db, skip=frozenset({"other_program", "ticket_counts", "ticket_terms"}))

    summary, document = await backup_via_telegram(bot)

    directory = bot.settings.backup_dir
    [name] = backup_files(directory)
    path = directory / name
    assert "Backup created" in summary and name in summary and "Records (" in summary
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = zip_entries(path)
    assert sorted(entries) == ["data.json", "metadata.json"]
    metadata = json.loads(entries["metadata.json"])
    assert metadata["backup_version"] == "1.0" and metadata["app_version"] == "1.0.0"
    assert metadata["kind"] == "manual" and metadata["created_at"].startswith(name[7:11])
    assert metadata["data_sha256"] == hashlib.sha256(entries["data.json"]).hexdigest()
    assert metadata["records_count"] == {name: len(docs) for name, docs in before.items()}
    data = json_util.loads(entries["data.json"], json_options=READ_OPTIONS)
    assert set(data) == set(before)  # every collection of the app; another program's is not the bot's
    for collection, docs in before.items():
        assert sorted(data[collection], key=lambda d: str(d["_id"])) == docs, collection
    # The same bytes went to the super-admin as a document, with a caption that says what it is.
    assert document.kind == "document" and name in text_of(document) and "Records (" in text_of(document)
    assert bot.fake.files[document.file_id].data == path.read_bytes()
    state = await bot.db.backup_state.find_one({"_id": "schedule"})
    assert state is not None and state["last_file"] == name and state["last_kind"] == "manual"
    audit = await bot.db.audit.find_one({"action": "backup.create"})
    assert audit is not None and audit["by"] == SUPERADMIN_ID and audit["file"] == name


@pytest.mark.parametrize("bot_settings_overrides", [{"BACKUP_MAX_UPLOAD_MB": 1}])
async def test_too_large_backup_is_described_not_sent(bot: BotHarness) -> None:
    english(bot)
    await flows.start(bot.superadmin)
    noise = [{"_id": i, "blob": base64.b64encode(os.urandom(60_000)).decode()} for i in range(20)]
    await bot.db.audit.insert_many(noise)  # ~1.2 MB that does not compress below 1 MB
    await bot.superadmin.send_command("/backup")
    progress = await bot.superadmin.wait_message(timeout=10)
    await bot.superadmin.wait_edit(progress.message_id, timeout=30)
    notice = await bot.superadmin.wait_message(timeout=10)
    [name] = backup_files(bot.settings.backup_dir)
    path = bot.settings.backup_dir / name
    assert path.stat().st_size > 1024 * 1024
    assert notice.kind == "text" and "larger than the upload limit (1 MB)" in notice.body
    assert str(path.resolve()) in notice.body and "audit 20" in notice.body
    assert bot.fake.calls_of("sendDocument") == []


async def test_failed_upload_keeps_the_file_and_says_where(bot: BotHarness) -> None:
    english(bot)
    await flows.start(bot.superadmin)
    bot.fake.upload_limit_bytes = 100  # Telegram refuses the document (413)
    _, notice = await backup_via_telegram(bot)
    [name] = backup_files(bot.settings.backup_dir)
    assert "Could not send the file" in notice.text and name in notice.text
    assert (bot.settings.backup_dir / name).is_file()
    assert [call.outcome for call in bot.fake.calls_of("sendDocument")] == [413]


@pytest.mark.parametrize("bot_settings_overrides", [{"BACKUP_KEEP_COUNT": 2}])
async def test_retention_keeps_the_newest_and_safety_copies_apart(bot: BotHarness) -> None:
    backups = reliability(bot).backups
    directory = bot.settings.backup_dir
    directory.mkdir(parents=True, exist_ok=True)
    safety = directory / "backup_20200101_000000_safety.zip"
    safety.write_bytes(b"an old safety copy")
    names = [(await backups.create(BackupKind.MANUAL, by=1)).name for _ in range(3)]
    assert len(set(names)) == 3  # within one second: the name moves on by a second
    assert backup_files(directory) == sorted([*names[1:], safety.name])


async def test_failed_backup_leaves_no_file_that_looks_whole(bot: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    english(bot)
    await flows.start(bot.superadmin)
    await seed(bot.db)
    original = backup_format.ArchiveWriter.write_documents
    calls = 0

    def failing(self: backup_format.ArchiveWriter, documents: list[dict[str, Any]]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        original(self, documents)

    monkeypatch.setattr(backup_format.ArchiveWriter, "write_documents", failing)
    await bot.superadmin.send_command("/backup")
    progress = await bot.superadmin.wait_message(timeout=10)
    failed = await bot.superadmin.wait_edit(progress.message_id, timeout=10)
    assert "The backup failed" in failed.body and "No space left" in failed.body
    assert os.listdir(bot.settings.backup_dir) == [".lock", "uploads"]  # no zip, no .part
    assert await bot.db.backup_state.count_documents({}) == 0

    # Cancelled mid-write (shutdown, a crash of the task): the same.
    writing = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(self: backup_format.ArchiveWriter, documents: list[dict[str, Any]]) -> None:
        loop.call_soon_threadsafe(writing.set)
        time.sleep(0.05)
        original(self, documents)

    monkeypatch.setattr(backup_format.ArchiveWriter, "write_documents", slow)
    task = asyncio.create_task(reliability(bot).backups.create(BackupKind.MANUAL, by=1))
    await asyncio.wait_for(writing.wait(), 5)
    assert list(bot.settings.backup_dir.glob(".backup_*.zip.part"))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert os.listdir(bot.settings.backup_dir) == [".lock", "uploads"]

    # A hard kill leaves a .part behind: never listed, removed at the next start.
    part = bot.settings.backup_dir / ".backup_20260101_000000.zip.part"
    part.write_bytes(b"PK half a zip")
    assert await reliability(bot).backups.list_backups() == []
    await bot.restart()
    assert not part.exists()


async def test_schedule_survives_restarts(fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    clock = FakeClock()
    start = clock.now
    week = timedelta(days=7)
    async with own_bot(fake, mongo_uri, db_name, tmp_path, {"clock": clock}) as bot:
        schedule = reliability(bot).schedule
        assert schedule.next_run_at == start + timedelta(seconds=60)  # never backed up: soon after start
        await flows.start(bot.superadmin)
        await backup_via_telegram(bot)
        assert schedule.next_run_at == start + week
        job = reliability(bot).scheduler.get_job(BACKUP_JOB)
        assert job is not None and job.next_run_time == start + week

        clock.advance(days=3)
        await bot.restart()  # neither reset to "now + 7 days" nor run at once
        assert reliability(bot).schedule.next_run_at == start + week
        job = reliability(bot).scheduler.get_job(BACKUP_JOB)
        assert job is not None and job.next_run_time == start + week

        clock.advance(days=5)
        await bot.restart()  # the bot was down when the backup was due: it runs shortly after start
        assert reliability(bot).schedule.next_run_at == clock.now + timedelta(seconds=60)
        result = await reliability(bot).run_scheduled_backup()
        assert result is not None and result.metadata.kind == "scheduled"
        automatic = await bot.superadmin.wait_message(predicate=lambda m: m.kind == "document", timeout=10)
        assert "Automatic backup" in text_of(automatic) and result.name in text_of(automatic)
        assert reliability(bot).schedule.next_run_at == clock.now + week
        state = await bot.db.backup_state.find_one({"_id": "schedule"})
        assert state is not None and state["last_success_at"] == clock.now and state["last_kind"] == "scheduled"


async def test_overdue_backup_runs_by_itself(fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    async with own_bot(fake, mongo_uri, db_name, tmp_path, {"backup_startup_delay": 0.3}) as bot:
        sent = await bot.superadmin.wait_message(predicate=lambda m: m.kind == "document", timeout=10)
        [name] = backup_files(bot.settings.backup_dir)
        assert name in text_of(sent) and "Automatic backup" in text_of(sent)
        metadata = json.loads(zip_entries(bot.settings.backup_dir / name)["metadata.json"])
        assert metadata["kind"] == "scheduled"
        schedule = reliability(bot).schedule
        assert schedule.next_run_at is not None
        assert schedule.next_run_at.isoformat() > metadata["created_at"]


@pytest.mark.parametrize("bot_settings_overrides", [{"BACKUP_ENABLED": False}])
async def test_disabled_means_no_automatic_runs_but_manual_works(bot: BotHarness) -> None:
    english(bot)
    scheduler = reliability(bot).scheduler
    assert scheduler.get_job(BACKUP_JOB) is None and scheduler.get_job(HEALTH_JOB) is not None
    assert reliability(bot).schedule.next_run_at is None
    await flows.start(bot.superadmin)
    await bot.superadmin.send_command("/backup_settings")
    text = (await bot.superadmin.wait_message()).body
    assert "Enabled: ❌" in text and "Next backup: automatic backups are off" in text
    summary, _ = await backup_via_telegram(bot)
    assert "Backup created" in summary
    assert scheduler.get_job(BACKUP_JOB) is None


async def test_list_settings_menu_and_busy(bot: BotHarness) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    assert admin.reply_keyboard and any("💾 Backups" in row and "🩺 Health" in row for row in admin.reply_keyboard)
    commands = [c for c, _ in bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID)]
    assert {"backup", "backup_list", "backup_settings", "health"} <= set(commands)
    assert "backup" not in [c for c, _ in bot.fake.commands_for("all_private_chats")]

    await admin.send_command("/backup_list")
    assert "No backups yet" in (await admin.wait_message()).body
    backups = reliability(bot).backups
    names = [(await backups.create(BackupKind.MANUAL, by=1)).name for _ in range(6)]

    await admin.tap("💾 Backups")
    listing = await admin.wait_message()
    assert "Page 1 of 2 · 6 in total" in listing.body
    restore_buttons = [t for t in listing.button_texts() if t.startswith("♻️ Restore")]
    assert restore_buttons == [f"♻️ Restore #{i + 1} · {n}" for i, n in enumerate(reversed(names[1:]))]
    assert "▶️" in listing.button_texts() and "Size:" in listing.body and "Created:" in listing.body
    await admin.click("▶️", listing)
    second = await admin.wait_edit(listing.message_id)
    assert "Page 2 of 2" in second.body and f"6. {names[0]}" in second.body
    assert second.button_texts()[0] == f"♻️ Restore #6 · {names[0]}"

    await admin.send_command("/backup_settings")
    settings_text = (await admin.wait_message()).body
    assert "Enabled: ✅" in settings_text and "Interval: 7 days" in settings_text
    assert str(bot.settings.backup_dir.resolve()) in settings_text and "Keep: 10 backups" in settings_text
    assert "Last backup: " in settings_text and names[-1] in settings_text and ".env" in settings_text
    next_run = reliability(bot).schedule.next_run_at
    local = next_run.astimezone(ZoneInfo("Europe/Kyiv")) if next_run else None
    assert local is not None and f"Next backup: {local:%Y-%m-%d %H:%M:%S %Z}" in settings_text

    async with backups.exclusive():  # a restore (or the CLI) is running
        await admin.send_command("/backup")
        progress = await admin.wait_message()
        busy = await admin.wait_edit(progress.message_id)
        assert "Another backup or restore is running" in busy.body
    assert len(backup_files(bot.settings.backup_dir)) == 6
