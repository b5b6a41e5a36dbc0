"""Restore refuses, before touching anything, what the app could not read back, in bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.services.backups.service import BackupService
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings
from tests.support.reliability import (
    backup_files,
    craft_backup,
    craft_raw_backup,
    seed,
    send_zip,
    snapshot,
    ticket_doc,
    user_doc,
)

DEEP = 5000
BIG = 17 * 1024 * 1024  # over the 16 MB a MongoDB document may have


def crafted(tmp: Path, case: str) -> bytes:
    """The bytes of a backup that is a valid archive but holds what the app cannot use."""
    path = tmp / f"{case}.zip"
    # A collection the database does not have yet comes first: a refusal must not leave it behind.
    calls = [{"_id": 5001, "last_call_at": ticket_doc(1)["created_at"], "count": 1}]
    if case == "deep":
        nested = '{"a": ' * DEEP + "1" + "}" * DEEP
        data = '{\n"users": [\n{"_id": 1, "created_at": {"$date": "2026-01-01T00:00:00Z"}, "x": ' + nested + "}\n]\n}\n"
        craft_raw_backup(path, data.encode(), {"users": 1})
        return path.read_bytes()
    collections: dict[str, list[dict[str, Any]]] = {"server_room_calls": calls}
    if case == "urgent":
        collections["tickets"] = [ticket_doc(1), ticket_doc(2, priority="urgent")]
    elif case == "rating":
        rated = ticket_doc(2, status="closed")
        rated["feedback"] = {"solved": True, "at": rated["created_at"], "rating": 9, "comment": None}
        collections["tickets"] = [ticket_doc(1), rated]
    elif case == "no_created_at":
        user = user_doc(5001)
        del user["created_at"]
        collections["users"] = [user]
    elif case == "operator_number":
        collections["tickets"] = [ticket_doc(1), ticket_doc(2, number={"$gt": 0})]
    elif case == "ticket_category":
        collections["tickets"] = [ticket_doc(1), {**ticket_doc(2), "category": "printers"}]
    elif case == "category_name":
        names = {"uk": "Принтери", "en": "P" * 300}
        collections["categories"] = [{"_id": 5, "names": names, "position": 1, "hidden": False, "priority": None}]
    elif case == "unknown":
        collections["notes"] = [{"_id": 1, "text": "not the bot's"}]
    elif case == "dollar":
        collections["$cmd"] = []
    elif case == "bad_refs":
        message = {"number": 1, "direction": "out", "author_id": 5001, "created_at": calls[0]["last_call_at"]}
        collections["ticket_messages"] = [message | {"refs": [{"chat_id": "5001", "message_id": 7}]}]
    elif case == "big":
        collections["tickets"] = [ticket_doc(1, description="a" * BIG)]
    craft_backup(path, collections)
    return path.read_bytes()


REFUSALS = {
    "urgent": "tickets, record 2: priority must be one of 1, 2, 3, 4, not 'urgent'",
    "rating": "tickets, record 2: feedback.rating must be from 1 to 5, not 9",
    "no_created_at": "users, record 1: created_at is missing",
    "operator_number": "tickets, record 2: number must be an integer, not dict",
    "ticket_category": "tickets, record 2: category must be an integer, not str",
    "category_name": "categories, record 1: names.en must be text of at most 40 characters",
    "unknown": "a collection this bot does not use: notes",
    "dollar": "an invalid collection name: $cmd",
    "deep": "nested deeper than 100 levels (users, record 1)",
    "big": "larger than 16 MB (tickets, record 1)",
    "bad_refs": "ticket_messages, record 1: chat_id must be an integer, not str",
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_what_the_app_cannot_read_is_refused_before_anything_changes(
    bot: BotHarness, tmp_path: Path, case: str
) -> None:
    bot.superadmin.language_code = "en"
    admin = bot.superadmin
    await flows.start(admin)
    await seed(bot.db)
    before = await snapshot(bot.db)
    names_before = sorted(await bot.db.list_collection_names())

    await send_zip(bot.fake, admin, crafted(tmp_path, case), file_name=f"{case}.zip")
    answers = ("cannot be restored", "Restore from", "wrong")  # whichever comes, the test sees it
    answer = await admin.wait_message(predicate=lambda m: any(a in (m.text or "") for a in answers), timeout=60)
    text = answer.text or ""

    assert REFUSALS[case] in text, text
    assert "The database was not changed" in text and not answer.button_texts()
    assert await snapshot(bot.db) == before
    assert sorted(await bot.db.list_collection_names()) == names_before  # not even an empty one
    assert list((bot.settings.backup_dir / "uploads").iterdir()) == []  # the upload is not kept
    assert backup_files(bot.settings.backup_dir) == []  # no safety backup was needed
    # The bot is still itself afterwards.
    await admin.send_command("/backup_list")
    assert "No backups yet" in ((await admin.wait_message()).text or "")


@pytest.fixture
async def db(mongo_uri: str, db_name: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client[db_name]
    await client.drop_database(db_name)
    await client.close()


async def test_restoring_large_documents_holds_a_few_at_a_time(
    fake: FakeTelegram, mongo_uri: str, db_name: str, db: AsyncDatabase[dict[str, Any]], tmp_path: Path
) -> None:
    """24 tickets of 1 MB each: never all of them in memory at once (peak measured, not time)."""
    settings = make_settings(fake, mongo_uri, db_name, tmp_path)
    backups = BackupService(db, settings)
    settings.backup_dir.mkdir(parents=True)
    path = settings.backup_dir / "backup_20260101_000000.zip"
    megabyte = "я" * (512 * 1024)  # 1 MB of UTF-8
    craft_backup(path, {"tickets": [ticket_doc(n, description=megabyte) for n in range(1, 25)]})

    tracemalloc.start()
    try:
        await backups.validate(path)
        _, validate_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        report = await backups.restore(path, by="test")
        _, restore_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert report.restored["tickets"] == 24 and await db.tickets.count_documents({}) == 24
    assert validate_peak < 8 * 1024 * 1024, validate_peak
    assert restore_peak < 16 * 1024 * 1024, restore_peak  # the 24 tickets are 24 MB
