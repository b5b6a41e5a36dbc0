"""The operator's commands, run as an operator would: `python main.py backup | backups | restore`."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.services.backups.files import DirectoryLock, prepare_directory
from app.services.backups.restore import KEEP_ON_RESTORE
from tests.support.reliability import backup_files, rezip, seed, snapshot, zip_entries

ROOT = Path(__file__).resolve().parents[2]


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def last_line(self) -> str:
        return self.out.strip().splitlines()[-1]


async def main_py(env: dict[str, str], *args: str, stdin: str = "") -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=env["WORK_DIR"],  # not the project directory: its .env must not leak in
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def tampered_copy(path: Path) -> Path:
    """A copy of the backup with one ticket's number changed in data.json (metadata left as it was)."""
    copy = path.with_name("backup_20200101_000000.zip")
    copy.write_bytes(path.read_bytes())
    rezip(copy, {"data.json": zip_entries(copy)["data.json"].replace(b'"number": 3', b'"number": 30')})
    return copy


@pytest.fixture
def env(tmp_path: Path, mongo_uri: str, db_name: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV")}
    return keep | {
        "WORK_DIR": str(tmp_path),
        "BOT_TOKEN": "123456:CLI-token",
        "SUPERADMIN_ID": "900000001",
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "MONGODB_TIMEOUT_SECONDS": "3",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "LOG_DIR": str(tmp_path / "logs"),
        "DATA_DIR": str(tmp_path / "data"),
    }


@pytest.fixture
async def db(mongo_uri: str, db_name: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client[db_name]
    await client.drop_database(db_name)
    await client.close()


async def test_backup_list_and_restore(env: dict[str, str], db: AsyncDatabase[dict[str, Any]]) -> None:
    await seed(db)
    backed_up = await snapshot(db, skip=KEEP_ON_RESTORE)

    made = await main_py(env, "backup")
    assert made.code == 0, made.err
    path = Path(made.last_line)
    assert path.parent == Path(env["BACKUP_DIR"]) and file_mode(path) == 0o600
    assert json.loads(zip_entries(path)["metadata.json"])["records_count"]["tickets"] == 7
    assert "Backup created." in made.out and "Records (" in made.out

    await db.tickets.delete_many({})
    await db.server_room_calls.insert_one({"_id": 1, "after": "the backup"})
    changed = await snapshot(db)
    tampered = tampered_copy(path)
    listing, refused, declined = await asyncio.gather(
        main_py(env, "backups"),
        main_py(env, "restore", str(tampered), "--yes"),
        main_py(env, "restore", str(path), stdin="no\n"),
    )
    assert listing.code == 0, listing.err
    assert f"1. {path.name}" in listing.out and f"2. {tampered.name}" in listing.out
    assert "Records (" in listing.out and "Size:" in listing.out and "Created:" in listing.out
    assert refused.code == 1 and "does not match the checksum" in refused.err and "not changed" in refused.err
    assert declined.code == 1 and "Restore from" in declined.out and "Cancelled" in declined.err
    assert await snapshot(db) == changed  # neither touched the database
    assert not [n for n in backup_files(Path(env["BACKUP_DIR"])) if "safety" in n]

    restored = await main_py(env, "restore", str(path), stdin="yes\n")
    assert restored.code == 0, restored.err
    assert f"Restored from {path.name}" in restored.out and "tickets 7" in restored.out
    # The data as backed up, plus the status counts a restore derives from it (app/db/tickets.py)
    # and the default categories a database without a catalogue gets (app/db/categories.py).
    # (The search index is derived too: rebuilt from the restored tickets.)
    skip = KEEP_ON_RESTORE | {"ticket_counts", "categories", "ticket_terms"}
    assert await snapshot(db, skip=skip) == backed_up
    assert await db.categories.count_documents({}) == 6
    counts = await db.ticket_counts.find_one({})
    assert counts is not None and (counts["new"], counts["closed"]) == (7, 0)
    assert [n for n in backup_files(Path(env["BACKUP_DIR"])) if "safety" in n]
    audit = await db.audit.find_one({"action": "backup.restore"})
    assert audit is not None and audit["by"] == "cli"


async def test_failures_exit_non_zero(env: dict[str, str], db: AsyncDatabase[dict[str, Any]], tmp_path: Path) -> None:
    await seed(db)
    before = await snapshot(db)
    not_a_backup = tmp_path / "photos.zip"
    with zipfile.ZipFile(not_a_backup, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    no_config = {k: v for k, v in env.items() if k != "SUPERADMIN_ID"}
    embedded = {k: v for k, v in env.items() if k != "MONGODB_URI"}
    prepare_directory(tmp_path / "locked")
    lock = DirectoryLock(tmp_path / "locked")
    assert lock.acquire()  # a bot or another command is busy with a backup right now
    try:
        config, missing, foreign, busy, own_db = await asyncio.gather(
            main_py(no_config, "backup"),
            main_py(env, "restore", str(tmp_path / "nope.zip"), "--yes"),
            main_py(env, "restore", str(not_a_backup), "--yes"),
            main_py(env | {"BACKUP_DIR": str(tmp_path / "locked")}, "backup"),
            main_py(embedded, "backup"),
        )
    finally:
        lock.release()
    assert config.code == 2 and config.err.strip().splitlines() == [
        "Configuration error: SUPERADMIN_ID is missing; "
        "expected the super-admin's numeric Telegram user id (a positive integer)."
    ]
    assert missing.code == 1 and "nope.zip was not found" in missing.err
    assert foreign.code == 1 and "has no data.json" in foreign.err
    assert busy.code == 1 and "Another backup or restore is running" in busy.err
    assert own_db.code == 0, own_db.err  # no MONGODB_URI: the embedded server, as `run` does
    assert file_mode(Path(own_db.last_line)) == 0o600 and "Starting embedded database" in own_db.err
    assert await snapshot(db) == before
