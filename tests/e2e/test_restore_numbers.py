"""Ticket and broadcast numbers after backups and restores: consistent, never reused."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from bson import json_util

from app.db.repositories import Repositories
from app.models.backups import BackupKind
from app.models.tickets import Draft, Priority
from app.models.users import User
from app.services.backups import archive
from app.services.backups.reader import READ_OPTIONS
from app.services.tickets.service import TicketService
from tests.support import flows
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import craft_backup, reliability, ticket_doc, user_doc, zip_entries

YES = "✅ Yes, restore"
EMPLOYEE = 5001


async def restore_listed(bot: BotHarness, name: str) -> str:
    admin = bot.superadmin
    await admin.send_command("/backup_list")
    await admin.click(f"♻️ Restore #1 · {name}", await admin.wait_message())
    await admin.click(YES, await admin.wait_message(timeout=10))
    progress = await admin.wait_message(predicate=lambda m: "Restoring from" in (m.text or ""), timeout=10)
    return (await admin.wait_edit(progress.message_id, timeout=30)).text or ""


async def test_a_backup_taken_while_users_submit_has_a_counter_covering_its_tickets(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collections are read one after another; tickets filed in between must not outrun the counter."""
    bot.superadmin.language_code = "en"
    employee = bot.fake.user(EMPLOYEE, language_code="en")
    await flows.start(employee)
    await flows.file_ticket(employee)  # ticket #1, counter 1
    service = TicketService(Repositories.create(bot.db))
    profile = await bot.db.users.find_one({"_id": EMPLOYEE})
    assert profile is not None
    user = User.from_doc(profile)
    draft = Draft(full_name="Ivan", phone="+380501234567", description="Printer", priority=Priority.HIGH)
    loop = asyncio.get_running_loop()
    original = archive.ArchiveWriter.begin_collection

    def users_keep_submitting(self: archive.ArchiveWriter, name: str) -> None:
        if name == "tickets":  # while the backup is between collections, three more arrive
            for _ in range(3):
                asyncio.run_coroutine_threadsafe(service.create(user, draft), loop).result(timeout=10)
        original(self, name)

    monkeypatch.setattr(archive.ArchiveWriter, "begin_collection", users_keep_submitting)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    monkeypatch.undo()

    data = json_util.loads(zip_entries(result.path)["data.json"], json_options=READ_OPTIONS)
    numbers = [ticket["number"] for ticket in data["tickets"]]
    [counter] = [c["value"] for c in data["counters"] if c["_id"] == "tickets"]
    assert sorted(numbers) == [1, 2, 3, 4] and counter >= 4, (numbers, counter)
    assert list(data)[-1] == "counters"  # read last, after everything it numbers
    assert json.loads(zip_entries(result.path)["metadata.json"])["records_count"]["tickets"] == 4


async def test_after_a_restore_numbers_never_go_back(bot: BotHarness) -> None:
    """An older backup (tickets 1–4, and a counter of 1 as older backups could hold) restored over
    tickets 1–9: the next ticket is #10, so an old "#8" button can never show someone else's ticket;
    kept broadcasts (ids up to 3) are not numbered again either."""
    bot.superadmin.language_code = "en"
    admin = bot.superadmin
    await flows.start(admin)
    employee = bot.fake.user(EMPLOYEE, language_code="en")
    await flows.start(employee)
    await bot.db.tickets.insert_many([ticket_doc(n, user_id=EMPLOYEE) for n in range(1, 10)])
    await bot.db.counters.update_one({"_id": "tickets"}, {"$set": {"value": 9}}, upsert=True)
    await bot.db.broadcasts.insert_many([{"_id": n, "status": "done"} for n in (1, 2, 3)])
    await bot.db.counters.update_one({"_id": "broadcasts"}, {"$set": {"value": 3}}, upsert=True)
    bot.settings.backup_dir.mkdir(parents=True, exist_ok=True)
    name = "backup_20260101_000000.zip"
    older: dict[str, list[dict[str, Any]]] = {
        "counters": [{"_id": "tickets", "value": 1}, {"_id": "broadcasts", "value": 1}],
        "tickets": [ticket_doc(n, user_id=EMPLOYEE) for n in range(1, 5)],
        "users": [user_doc(EMPLOYEE, language="en"), user_doc(SUPERADMIN_ID, language="en")],
    }
    craft_backup(bot.settings.backup_dir / name, older)

    report = await restore_listed(bot, name)

    assert "Restored from" in report and "tickets 4" in report
    assert await bot.db.tickets.count_documents({}) == 4
    created = await flows.file_ticket(employee)
    assert "Ticket #10 created" in (created.text or ""), created.text
    counters = {c["_id"]: c["value"] async for c in bot.db.counters.find({})}
    assert counters["tickets"] == 10 and counters["broadcasts"] >= 3


async def test_restoring_a_backup_whose_counter_lags_its_tickets(bot: BotHarness) -> None:
    """A backup holding tickets 1–4 and a counter of 1 (taken by an older version while users
    submitted) restored into an empty database: the next submits are #5, #6, #7, not errors."""
    bot.superadmin.language_code = "en"
    await flows.start(bot.superadmin)
    bot.settings.backup_dir.mkdir(parents=True, exist_ok=True)
    name = "backup_20260101_000000.zip"
    craft_backup(
        bot.settings.backup_dir / name,
        {
            "counters": [{"_id": "tickets", "value": 1}],
            "tickets": [ticket_doc(n) for n in range(1, 5)],
            "users": [user_doc(SUPERADMIN_ID, language="en")],
        },
    )
    await bot.db.tickets.delete_many({})
    await bot.db.counters.delete_many({})

    assert "Restored from" in await restore_listed(bot, name)

    employee = bot.fake.user(EMPLOYEE, language_code="en")
    await flows.start(employee)
    for number in (5, 6, 7):
        created = await flows.file_ticket(employee)
        assert f"Ticket #{number} created" in (created.text or ""), created.text
