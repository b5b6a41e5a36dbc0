"""A restore is maintenance: users are told to come back, and a restore that fails or dies is rolled back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from app.models.backups import BackupKind
from app.services.backups import service as service_module
from app.services.backups.maintenance import NOTICE_SECONDS
from app.services.backups.restore import KEEP_ON_RESTORE, load_collections
from app.services.backups.service import BackupService
from tests.e2e.test_health import bot_on_own_server
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import reliability, seed, snapshot

YES = "✅ Yes, restore"
MAINTENANCE = "Maintenance: the bot's data is being restored"
Load = Callable[..., Awaitable[dict[str, int]]]


async def data_now(bot: BotHarness) -> dict[str, list[object]]:
    derived = {"counters", "ticket_counts", "ticket_terms"}  # rebuilt by the restore
    return await snapshot(bot.db, skip=KEEP_ON_RESTORE | derived)


async def confirm_restore(admin: FakeUser, name: str) -> BotMessage:
    """Taps through to the confirmation; returns the progress message (its edit is the report)."""
    await admin.send_command("/backup_list")
    await admin.click(
        f"♻️ Restore #1 · {name}", await admin.wait_message(predicate=lambda m: "Backups" in (m.text or ""))
    )
    await admin.click(YES, await admin.wait_message(timeout=10))
    return await admin.wait_message(predicate=lambda m: "Restoring from" in (m.text or ""), timeout=10)


def paused_load(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """The restore stops right before it loads the backup, until the test releases it."""
    loading, release = asyncio.Event(), asyncio.Event()
    original: Load = load_collections

    async def load(*args: Any) -> dict[str, int]:
        loading.set()
        await release.wait()
        return await original(*args)

    monkeypatch.setattr(service_module, "load_collections", load)
    return loading, release


async def test_users_get_a_maintenance_notice_while_a_restore_runs(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.superadmin.language_code = "en"
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    employee, typing, staff = (bot.fake.user(uid, language_code="en") for uid in (2001, 2002, 6001))
    for person in (employee, typing, staff):
        await flows.start(person)
    await flows.file_ticket(employee)
    await employee.tap(flows.MY_TICKETS)
    listing = await employee.wait_message()
    await flows.open_form(typing)
    await typing.send_text("Ivan Petrenko")
    await typing.wait_message(predicate=flows.at_step("phone"))
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    loading, release = paused_load(monkeypatch)

    progress = await confirm_restore(admin, result.name)
    await asyncio.wait_for(loading.wait(), 10)

    # Everyone but the super-admin: a message, a button, a newcomer, staff, a form in progress.
    await employee.send_text("The printer is on fire")
    assert MAINTENANCE in ((await employee.wait_message()).text or "")
    query = await employee.click(listing.button_texts()[0], listing)
    answer, alert = await employee.wait_callback_answer(query)
    assert answer is not None and MAINTENANCE in answer and alert
    newcomer = bot.fake.user(2003, language_code="uk")
    await newcomer.send_command("/start")
    assert "Технічні роботи" in ((await newcomer.wait_message()).text or "")  # in their own language
    await staff.send_command("/start")
    await staff.wait_message(predicate=lambda m: MAINTENANCE in (m.text or ""))  # after the new-ticket notice
    await typing.send_text("0501234567")
    assert MAINTENANCE in ((await typing.wait_message()).text or "")
    # Nothing was read into or written to the data being replaced.
    assert await bot.db.users.find_one({"_id": 2003}) is None
    assert await bot.db.tickets.count_documents({"user_id": 2001}) == 1

    release.set()
    report = await admin.wait_edit(progress.message_id, timeout=30)
    assert "Restored from" in (report.text or "")
    await employee.send_text("hello again")
    assert MAINTENANCE not in ((await employee.wait_message()).text or "")
    await typing.send_text("0501234567")  # the form waited where it was
    assert flows.step("description") in ((await typing.wait_message()).text or "")
    await newcomer.send_command("/start")
    assert "Технічні роботи" not in ((await newcomer.wait_message()).text or "")


async def test_a_restore_by_the_cli_puts_the_running_bot_into_maintenance(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator restores from the terminal while the bot runs on the same database."""
    bot.superadmin.language_code = "en"
    await flows.start(bot.superadmin)
    await seed(bot.db)
    employee = bot.fake.user(2001, language_code="en")
    await flows.start(employee)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    loading, release = paused_load(monkeypatch)
    cli = BackupService(bot.db, bot.settings, notice_seconds=NOTICE_SECONDS)  # what `main.py restore` builds
    restoring = asyncio.create_task(cli.restore(result.path, by="cli"))
    await asyncio.wait_for(loading.wait(), 15)

    await employee.send_text("anyone there?")
    assert MAINTENANCE in ((await employee.wait_message()).text or "")
    release.set()
    report = await restoring
    assert report.restored["tickets"] == 7
    assert await served_again(employee)  # the marker is gone: the bot notices within a second


async def served_again(user: FakeUser, attempts: int = 40) -> bool:
    """Write until the answer is no longer the notice (the bot re-reads the marker once a second)."""
    for _ in range(attempts):
        await user.send_text("and now?")
        if MAINTENANCE not in ((await user.wait_message(timeout=10)).text or ""):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_database_dies_mid_restore_and_the_roll_back_runs_when_it_is_back(
    fake: FakeTelegram, db_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database server of its own (stopping it disturbs no other test); health checks run by hand.
    own = bot_on_own_server(fake, db_name, tmp_path, {}, HEALTHCHECK_INTERVAL_SECONDS=3600)
    async with own as (bot, server):
        admin, employee = bot.superadmin, fake.user(2001, language_code="en")
        await flows.start(admin)
        await flows.start(employee)
        await seed(bot.db)
        result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
        await bot.db.tickets.delete_many({"number": {"$gt": 3}})
        before = await data_now(bot)
        original: Load = load_collections

        async def dying_load(db: Any, path: Path, *args: Any) -> dict[str, int]:
            if path == result.path:  # the restore itself, not the roll-back
                await db.tickets.delete_many({})  # it has begun replacing the tickets…
                await asyncio.to_thread(server.stop)  # …when the database goes away
            return await original(db, path, *args)

        monkeypatch.setattr(service_module, "load_collections", dying_load)
        progress = await confirm_restore(admin, result.name)
        report = (await admin.wait_edit(progress.message_id, timeout=60)).text or ""
        assert "The restore failed" in report and "could not be loaded back yet" in report
        assert "maintenance notice" in report and "_safety.zip" in report

        await employee.send_text("is it working?")  # no database needed to say so
        assert MAINTENANCE in ((await employee.wait_message(timeout=10)).text or "")

        server.start()
        await reliability(bot).check_health()  # the periodic check finds the database back
        done = await admin.wait_message(predicate=lambda m: "loaded back from the safety" in (m.text or ""))
        assert result.name in (done.text or "") and "Users are served again" in (done.text or "")
        assert await data_now(bot) == before  # 3 tickets, as before the restore: not half of the backup
        assert await bot.db.restore_state.count_documents({}) == 0
        await employee.send_text("and now?")
        assert MAINTENANCE not in ((await employee.wait_message(timeout=10)).text or "")


async def test_a_restore_cut_short_by_a_crash_is_rolled_back_at_start_up(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.superadmin.language_code = "en"
    admin, employee = bot.superadmin, bot.fake.user(2001, language_code="en")
    await flows.start(admin)
    await flows.start(employee)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await bot.db.tickets.delete_many({"number": {"$gt": 3}})
    before = await data_now(bot)
    original: Load = load_collections
    half_done = asyncio.Event()

    async def cut_short(db: Any, path: Path, *args: Any) -> dict[str, int]:
        if path != result.path:
            return await original(db, path, *args)
        await db.tickets.delete_many({})
        await db.tickets.insert_one({"number": 1, "half": "of the backup"})
        half_done.set()
        await asyncio.Event().wait()  # the process dies here (the task is cancelled below)
        raise AssertionError("unreachable")

    monkeypatch.setattr(service_module, "load_collections", cut_short)
    backups = reliability(bot).backups
    restoring = asyncio.create_task(backups.restore(result.path, by=SUPERADMIN_ID))
    await asyncio.wait_for(half_done.wait(), 15)
    restoring.cancel()
    with pytest.raises(asyncio.CancelledError):
        await restoring
    marker = await bot.db.restore_state.find_one({})
    assert marker is not None and str(marker["safety"]).endswith("_safety.zip")  # what the next start needs
    await employee.send_text("hello?")
    assert MAINTENANCE in ((await employee.wait_message()).text or "")

    monkeypatch.undo()
    await bot.restart()  # a new process: it finds the marker and rolls back before serving anyone

    done = await admin.wait_message(predicate=lambda m: "loaded back from the safety" in (m.text or ""))
    assert result.name in (done.text or "")
    assert await data_now(bot) == before
    await employee.send_text("hello?")
    assert MAINTENANCE not in ((await employee.wait_message()).text or "")
