"""Restore: the full round trip, uploads, damaged files, forged buttons and who may do it at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.db.admins import AdminRepository
from app.keyboards.callback_data import BackupAction, BackupCallback
from app.models.backups import BackupKind
from app.services.backups.restore import KEEP_ON_RESTORE
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import (
    backup_files,
    craft_backup,
    reliability,
    rezip,
    seed,
    send_zip,
    snapshot,
    text_of,
    ticket_doc,
    zip_entries,
)

YES = "✅ Yes, restore"


def english(bot: BotHarness) -> None:
    bot.superadmin.language_code = "en"


async def data_now(bot: BotHarness) -> dict[str, list[object]]:
    """What a restore brings back exactly; counters only ever go up (test_restore_numbers.py), and the
    status counts are not data: every restore rebuilds them from the tickets (`counts_match_tickets`)."""
    return await snapshot(bot.db, skip=KEEP_ON_RESTORE | {"counters", "ticket_counts", "ticket_terms"})


async def counts_match_tickets(bot: BotHarness) -> bool:
    counts = await bot.db.ticket_counts.find_one({}) or {}
    statuses = ("new", "in_progress", "closed", "rejected")
    recount = {s: await bot.db.tickets.count_documents({"status": s}) for s in statuses}
    return {s: counts.get(s, 0) for s in statuses} == recount


async def vandalise(bot: BotHarness) -> None:
    """What a restore has to undo: deleted, changed, added and dropped data."""
    await bot.db.tickets.delete_many({"number": {"$gt": 3}})
    await bot.db.tickets.update_one({"number": 1}, {"$set": {"status": "closed", "phone": "+380000000000"}})
    await bot.db.tickets.insert_one(ticket_doc(99, description="added after the backup"))
    await bot.db.users.delete_one({"_id": 5002})
    await bot.db.server_room_calls.drop()


async def ask_and_confirm(admin: FakeUser, restore_button: str) -> BotMessage:
    await admin.send_command("/backup_list")
    listing = await admin.wait_message()
    await admin.click(restore_button, listing)
    question = await admin.wait_message(timeout=10)
    assert "Restore from" in question.body and YES in question.button_texts()
    await admin.click(YES, question)
    progress = await admin.wait_message(predicate=lambda m: "Restoring from" in (m.text or ""), timeout=10)
    return await admin.wait_edit(progress.message_id, timeout=30)


async def test_round_trip_restores_every_document_exactly(bot: BotHarness) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    backed_up = await data_now(bot)
    await vandalise(bot)
    assert await data_now(bot) != backed_up

    report = await ask_and_confirm(admin, f"♻️ Restore #1 · {result.name}")

    assert await data_now(bot) == backed_up  # ObjectIds, datetimes, big ints, Cyrillic: identical
    assert await counts_match_tickets(bot)
    counter = await bot.db.counters.find_one({"_id": "tickets"})
    assert counter is not None and counter["value"] == 99  # #99 was handed out after the backup: never again
    text = report.text or ""
    assert f"Restored from {result.name}" in text and "tickets 7" in text and "server_room_calls 1" in text
    [safety] = [n for n in backup_files(bot.settings.backup_dir) if n.endswith("_safety.zip")]
    assert safety in text
    safety_counts = json.loads(zip_entries(bot.settings.backup_dir / safety)["metadata.json"])["records_count"]
    assert safety_counts["tickets"] == 4 and "server_room_calls" not in safety_counts  # the state just before
    audit = await bot.db.audit.find_one({"action": "backup.restore"})
    assert audit is not None and audit["by"] == SUPERADMIN_ID and audit["file"] == result.name
    assert audit["counts"]["tickets"] == 7 and audit["safety_file"] == safety
    # The safety copy is listed (marked), and can itself be restored to undo the restore.
    await admin.send_command("/backup_list")
    listing = await admin.wait_message()
    assert "🛟 safety copy before a restore" in listing.body
    await ask_and_confirm(admin, f"♻️ Restore #1 · {safety}")
    assert await bot.db.tickets.count_documents({}) == 4
    assert await bot.db.server_room_calls.count_documents({}) == 0  # did not exist then: emptied


async def test_restore_from_an_uploaded_file(bot: BotHarness) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    data = result.path.read_bytes()
    backed_up = await data_now(bot)
    await vandalise(bot)
    vandalised = await data_now(bot)

    # From the backups screen: the upload state explains itself, can be cancelled, waits for a file.
    await admin.send_command("/backup_list")
    listing = await admin.wait_message()
    await admin.click("📤 Restore from a file", listing)
    prompt = await admin.wait_message()
    assert "Send me the backup .zip file" in prompt.body and admin.reply_keyboard == [["❌ Cancel"]]
    await admin.tap("❌ Cancel")
    assert "Cancelled" in (await admin.wait_message()).body and admin.reply_keyboard != [["❌ Cancel"]]
    await admin.click("📤 Restore from a file", listing)
    await admin.wait_message()
    await admin.send_text("here it comes")
    assert "Please send the backup as a .zip file" in (await admin.wait_message()).body
    await send_zip(bot.fake, admin, b"PK\x03\x04 definitely not a backup", file_name="photos.zip")
    refused = await admin.wait_message(predicate=lambda m: "cannot be restored" in (m.text or ""), timeout=10)
    assert "not a ZIP archive or it is damaged" in refused.body
    assert list((bot.settings.backup_dir / "uploads").iterdir()) == []  # a refused upload is not kept

    # Any .zip the super-admin sends outside a form: checked, then confirmed, then restored.
    await send_zip(bot.fake, admin, data, file_name="weekly.zip")
    question = await admin.wait_message(predicate=lambda m: "Restore from" in (m.text or ""), timeout=10)
    assert "Restore from weekly.zip?" in question.body and "tickets 7" in question.body
    assert await data_now(bot) == vandalised  # nothing changes before the confirmation
    await admin.click(YES, question)
    progress = await admin.wait_message(predicate=lambda m: "Restoring from" in (m.text or ""), timeout=10)
    assert "Restoring from weekly.zip" in progress.body  # the name the super-admin sent, not ours
    report = await admin.wait_edit(progress.message_id, timeout=30)
    assert "Restored from weekly.zip" in report.body and "upload_" not in report.body
    assert await data_now(bot) == backed_up
    assert list((bot.settings.backup_dir / "uploads").iterdir()) == []

    # Cancel: nothing changes, the upload is deleted.
    await vandalise(bot)
    vandalised = await data_now(bot)
    await send_zip(bot.fake, admin, data)
    question = await admin.wait_message(predicate=lambda m: "Restore from" in (m.text or ""), timeout=10)
    await admin.click("❌ Cancel", question)
    assert "Restore cancelled" in (await admin.wait_message()).body
    assert await data_now(bot) == vandalised and list((bot.settings.backup_dir / "uploads").iterdir()) == []

    # Larger than a bot may download: said so plainly, nothing downloaded.
    await send_zip(bot.fake, admin, data, file_size=25 * 1024 * 1024)
    too_big = await admin.wait_message(predicate=lambda m: "larger than 20 MB" in (m.text or ""), timeout=10)
    assert "python main.py restore" in too_big.body
    assert bot.fake.calls_of("getFile")[-1].outcome == "ok"  # the last download was the cancelled one


DAMAGES = ["corrupted", "tampered", "version", "no_data"]


@pytest.mark.parametrize("damage", DAMAGES)
async def test_damaged_backups_are_refused_and_nothing_changes(bot: BotHarness, damage: str) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    path = result.path
    entries = zip_entries(path)
    if damage == "corrupted":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 3 : len(raw) // 3 + 64] = b"\x00" * 64
        path.write_bytes(bytes(raw))
    elif damage == "tampered":
        rezip(path, {"data.json": entries["data.json"].replace("Принтер №3".encode(), "Принтер №8".encode())})
    elif damage == "version":
        metadata = json.loads(entries["metadata.json"]) | {"backup_version": "2.0"}
        rezip(path, {"metadata.json": json.dumps(metadata).encode()})
    else:
        rezip(path, {}, drop="data.json")
    await bot.db.tickets.delete_many({"number": {"$gt": 5}})
    before = await snapshot(bot.db)
    files_before = backup_files(bot.settings.backup_dir)

    await admin.send_command("/backup_list")
    await admin.click(f"♻️ Restore #1 · {result.name}", await admin.wait_message())
    answer = await admin.wait_message(timeout=10)

    expected = {
        "corrupted": "not a ZIP archive or it is damaged",
        "tampered": "does not match the checksum",
        "version": "Backup version 2.0 is not supported",
        "no_data": "The archive has no data.json",
    }[damage]
    assert "cannot be restored" in answer.body and expected in answer.body, answer.body
    assert "The database was not changed" in answer.body and not answer.button_texts()
    assert await snapshot(bot.db) == before
    assert backup_files(bot.settings.backup_dir) == files_before  # not even a safety backup


async def test_file_changed_after_the_question_is_refused_at_confirmation(bot: BotHarness) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await admin.send_command("/backup_list")
    await admin.click(f"♻️ Restore #1 · {result.name}", await admin.wait_message())
    question = await admin.wait_message(timeout=10)
    data = zip_entries(result.path)["data.json"]
    rezip(result.path, {"data.json": data.replace(b'"number": 2', b'"number": 12')})
    before = await snapshot(bot.db)
    await admin.click(YES, question)
    progress = await admin.wait_message(predicate=lambda m: "Restoring from" in (m.text or ""), timeout=10)
    refused = await admin.wait_edit(progress.message_id, timeout=10)
    assert "does not match the checksum" in refused.body
    assert await snapshot(bot.db) == before
    assert not [n for n in backup_files(bot.settings.backup_dir) if "safety" in n]


async def test_a_failure_midway_puts_the_previous_data_back(bot: BotHarness) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    await bot.db.tickets.create_index("number", unique=True)
    before = await data_now(bot)
    # Valid as a file, every record readable, but two tickets share a number: the unique index
    # stops the load midway.
    bot.settings.backup_dir.mkdir(parents=True, exist_ok=True)
    craft_backup(
        bot.settings.backup_dir / "backup_20260101_000000.zip",
        {
            "counters": [{"_id": "tickets", "value": 2}],
            "tickets": [ticket_doc(1), ticket_doc(1)],
            "users": [],
        },
    )
    report = await ask_and_confirm(admin, "♻️ Restore #1 · backup_20260101_000000.zip")
    assert "The restore failed" in report.body and "loaded back from the safety backup" in report.body
    assert "write error 11000" in report.body and "+380501234567" not in report.body  # no documents
    assert await data_now(bot) == before


CONFIRM, RESTORE = BackupAction.CONFIRM, BackupAction.RESTORE
# Well-formed buttons (packed by the app's factory) carrying ids no real button would.
FORGED = [
    BackupCallback(action=CONFIRM, backup_id="../../etc/passwd").pack(),
    BackupCallback(action=RESTORE, backup_id="../../../../tmp/outside/backup_20200101_000000").pack(),
    BackupCallback(action=CONFIRM, backup_id="20200101_000000/../../outside").pack(),
    BackupCallback(action=CONFIRM, backup_id="%2e%2e%2fsecret").pack(),
    BackupCallback(action=CONFIRM, backup_id="u0123456789abcdef").pack(),  # well-formed upload id, no such upload
    BackupCallback(action=CONFIRM, backup_id="20200101_000000").pack(),  # well-formed name, no such backup
    BackupCallback(action=CONFIRM).pack(),
]


async def test_forged_restore_buttons_reach_nothing(bot: BotHarness, tmp_path: Path) -> None:
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    outside = tmp_path / "outside"
    outside.mkdir()
    craft_backup(outside / "backup_20200101_000000.zip", {"tickets": []})  # would wipe the tickets
    before = await snapshot(bot.db)
    for data in FORGED:
        query = await admin.press_data(data)
        answer = await admin.wait_message(timeout=10)
        assert "cannot be restored" in answer.body, (data, answer.body)
        assert "not a valid backup name" in answer.body or "was not found" in answer.body, (data, answer.body)
        await admin.wait_callback_answer(query)
        if BackupCallback.unpack(data).action is CONFIRM:  # answered before the work starts: no Telegram timeout
            methods = [c.method for c in bot.fake.calls if c.method in ("answerCallbackQuery", "sendMessage")]
            assert methods[-2:] == ["answerCallbackQuery", "sendMessage"], methods[-3:]
    assert await snapshot(bot.db) == before
    assert backup_files(bot.settings.backup_dir) == []


async def test_nobody_but_the_superadmin_can_back_up_or_restore(bot: BotHarness) -> None:
    english(bot)
    await flows.start(bot.superadmin)
    await seed(bot.db)
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await bot.db.tickets.delete_many({"number": {"$gt": 2}})
    await AdminRepository(bot.db).add(3001, name="Admin", username=None, added_by=1, added_at=datetime.now(UTC))
    user, admin = bot.fake.user(2001, language_code="en"), bot.fake.user(3001, language_code="en")
    for person in (user, admin):
        await flows.start(person)
    unchanged = frozenset({"users", "fsm_states"})  # fsm_states: checked empty below (the offer was cancelled)
    before = await snapshot(bot.db, skip=unchanged)
    files_before = backup_files(bot.settings.backup_dir)
    backup_id = result.name.removeprefix("backup_").removesuffix(".zip")

    for person in (user, admin):
        for command in ("/backup", "/backup_list", "/backup_settings", "/health"):
            await person.send_command(command)
            reply = await person.wait_message(timeout=10)
            assert "did not understand" in reply.body, (person, command, reply.body)
        await send_zip(bot.fake, person, result.path.read_bytes())
        # To anyone else a ZIP is just a file they sent: offered for a ticket, never restored.
        offer = await person.wait_message(timeout=10)
        assert "Create a ticket from this?" in offer.body, (person, offer.body)
        await person.click("❌ Cancel", offer)  # and forgotten again
        await person.wait_message(predicate=lambda m: "Nothing was sent" in text_of(m))
        for button in (
            BackupCallback(action=BackupAction.CONFIRM, backup_id=backup_id),
            BackupCallback(action=BackupAction.RESTORE, backup_id=backup_id),
            BackupCallback(action=BackupAction.CREATE),
            BackupCallback(action=BackupAction.UPLOAD),
            BackupCallback(action=BackupAction.PAGE, page=1),
            BackupCallback(action=BackupAction.SETTINGS),
        ):
            data = button.pack()
            query = await person.press_data(data)
            answer = await person.wait_callback_answer(query, timeout=10)
            assert answer == ("This button is no longer active.", True), (person, data)
        await flows.barrier(person, nothing_before=True)  # the presses sent this chat nothing
    assert await snapshot(bot.db, skip=unchanged) == before
    assert await bot.db.fsm_states.count_documents({}) == 0
    assert backup_files(bot.settings.backup_dir) == files_before
    assert bot.fake.calls_of("getFile") == []  # their files were never even downloaded
    assert [m for m in bot.fake.all_messages() if m.chat_id in (2001, 3001) and "backup" in text_of(m).lower()] == []


async def test_restore_never_brings_back_an_old_running_broadcast(bot: BotHarness) -> None:
    """Who already got an announcement is a fact outside the database: a restore keeps it."""
    english(bot)
    admin = bot.superadmin
    await flows.start(admin)
    await bot.db.broadcasts.insert_one({"_id": 1, "status": "running", "started_by": SUPERADMIN_ID})
    await bot.db.broadcast_deliveries.insert_one({"_id": "1:000000000001", "state": "pending"})
    result = await reliability(bot).backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await bot.db.broadcasts.update_one({"_id": 1}, {"$set": {"status": "done"}})
    await bot.db.broadcast_deliveries.update_one({"_id": "1:000000000001"}, {"$set": {"state": "sent"}})

    await ask_and_confirm(admin, f"♻️ Restore #1 · {result.name}")

    broadcast = await bot.db.broadcasts.find_one({"_id": 1})
    delivery = await bot.db.broadcast_deliveries.find_one({"_id": "1:000000000001"})
    assert broadcast is not None and broadcast["status"] == "done"
    assert delivery is not None and delivery["state"] == "sent"
