"""Helpers for the health-check and backup tests."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from app.models.telegram_text import CAPTION_LIMIT
from app.models.tickets import epoch_ms
from app.utils.tasks.scheduler import BackgroundJobs
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.harness import BotHarness

__all__ = ["CAPTION_LIMIT", "FakeClock", "reliability", "seed", "send_zip", "snapshot", "text_of"]


class FakeClock:
    """A clock the test moves by hand; starts at the real current time unless told otherwise."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime.now(UTC)).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def reliability(bot: BotHarness) -> BackgroundJobs:
    assert bot.app is not None and bot.app.jobs is not None
    return bot.app.jobs


def text_of(message: BotMessage) -> str:
    return message.text or message.caption or ""


async def seed(db: AsyncDatabase[dict[str, Any]]) -> None:
    """Documents of every BSON type the app stores (big ints, floats, lists too), in the app's collections."""
    at = datetime(2026, 1, 15, 9, 30, 0, 123000, tzinfo=UTC)
    await db.users.insert_many(
        [
            {
                "_id": 5001,
                "first_name": "Тарас",
                "last_name": None,
                "username": "taras",
                "language": "uk",
                "reachable": True,
                "created_at": at,
            },
            {
                "_id": 5002,
                "first_name": "Ivan",
                "last_name": "Petrenko",
                "username": None,
                "language": "en",
                "reachable": False,
                "created_at": at + timedelta(days=1),
            },
            {
                "_id": 6001,
                "first_name": "Admin",
                "last_name": None,
                "username": None,
                "language": "uk",
                "reachable": True,
                "created_at": at,
                "role": "admin",  # as app/db/admins.py marks every admin's profile
            },
        ]
    )
    await db.tickets.insert_many(
        [
            {
                "_id": ObjectId(),
                "number": n,
                "user_id": 5001,
                "full_name": "Тарас Шевченко",
                "phone": "+380501234567",
                "description": f"Принтер №{n} не друкує",
                "priority": 2,
                "status": "new",
                "created_at": at,
                "updated_at": at + timedelta(minutes=n),
                "created_ts": epoch_ms(at),  # as the app stores it (the reports' stamps)
                "reopened_ts": 0,
                "reopens": [],
                "media": [{"kind": "photo", "file_id": f"f{n}"}],
                "assignee": None,
                "history": [{"at": at, "by": None, "from": None, "to": "new", "comment": None}],
            }
            for n in range(1, 8)
        ]
    )
    await db.counters.insert_one({"_id": "tickets", "value": 7})
    await db.admins.insert_one({"_id": 6001, "name": "Admin", "added_at": at, "added_by": 1})
    await db.server_room_calls.insert_many(
        [{"_id": 5001, "last_call_at": at, "count": 2**40, "ratio": 0.25, "tags": ["a", "b"]}]
    )


async def snapshot(db: AsyncDatabase[dict[str, Any]], *, skip: frozenset[str] = frozenset()) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for name in sorted(await db.list_collection_names()):
        if name in skip:
            continue
        docs = [doc async for doc in db[name].find({})]
        result[name] = sorted(docs, key=lambda d: str(d["_id"]))
    return result


async def send_zip(
    fake: FakeTelegram, user: FakeUser, data: bytes, file_name: str = "backup.zip", file_size: int | None = None
) -> None:
    """The user sends a ZIP as a document; the fake serves its bytes to getFile/download."""
    stored = fake.new_file(
        "document", file_size or len(data), file_name=file_name, mime_type="application/zip", data=data
    )
    fake.user_message(user, fake.media_content(stored))


def backup_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("backup_")) if directory.is_dir() else []


def zip_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def craft_backup(path: Path, collections: dict[str, list[dict[str, Any]]], **metadata: Any) -> None:
    """A backup archive with exactly these documents (and consistent metadata unless overridden)."""
    from app.models.backups import BACKUP_VERSION, Metadata
    from app.services.backups.archive import ArchiveWriter

    writer = ArchiveWriter(path)
    for name, documents in collections.items():
        writer.begin_collection(name)
        if documents:
            writer.write_documents(documents)
        writer.end_collection()
    values: dict[str, Any] = {
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "backup_version": BACKUP_VERSION,
        "app_version": "1.0.0",
        "kind": "manual",
        "database": "test",
        "records_count": {name: len(docs) for name, docs in collections.items()},
        "data_sha256": writer.finish_data(),
    }
    writer.write_metadata(Metadata(**(values | metadata)))
    writer.close()


def craft_raw_backup(path: Path, data: bytes, counts: dict[str, int]) -> None:
    """A backup whose data.json is exactly `data` (a document no writer would produce), with matching metadata."""
    from app.models.backups import BACKUP_VERSION

    metadata = {
        "created_at": "2026-01-01T00:00:00+00:00",
        "backup_version": BACKUP_VERSION,
        "app_version": "1.0.0",
        "kind": "manual",
        "database": "test",
        "records_count": counts,
        "data_sha256": hashlib.sha256(data).hexdigest(),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data)
        archive.writestr("metadata.json", json.dumps(metadata))


def ticket_doc(number: int, /, **fields: Any) -> dict[str, Any]:
    """A ticket as the app writes it (override fields to break it)."""
    at = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    doc: dict[str, Any] = {
        "_id": ObjectId(),
        "number": number,
        "user_id": 5001,
        "username": "taras",
        "full_name": "Тарас Шевченко",
        "phone": "+380501234567",
        "description": f"Принтер №{number} не друкує",
        "priority": 2,
        "status": "new",
        "created_at": at,
        "updated_at": at,
        "created_ts": epoch_ms(at),
        "media": [],
        "assignee": None,
        "history": [{"at": at, "by": None, "from": None, "to": "new", "comment": None}],
    }
    return doc | fields


def user_doc(user_id: int, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": user_id,
        "first_name": "Тарас",
        "last_name": None,
        "username": None,
        "language": "uk",
        "reachable": True,
        "created_at": datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    }
    return doc | fields


def rezip(path: Path, replace: dict[str, bytes], drop: str = "") -> None:
    """Rewrite the archive with some entries replaced (a consistent ZIP, inconsistent backup)."""
    entries = zip_entries(path)
    entries.update(replace)
    entries.pop(drop, None)
    path.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
