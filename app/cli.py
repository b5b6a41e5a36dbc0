"""Operator commands without Telegram: `python main.py backup | backups | restore PATH [--yes]`.

Same settings and database as the bot (the caller starts the embedded server when
MONGODB_URI is unset). Output is English plain text; a path or a report goes to stdout,
problems to stderr; the exit code is 0 only when the command did what it was asked.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from pymongo.errors import PyMongoError

from app.db.client import create_client
from app.models.backups import BackupBusy, BackupKind, RestoreFailed
from app.services.backups.files import list_backups as backups_in
from app.services.backups.maintenance import NOTICE_SECONDS
from app.services.backups.reader import peek_metadata
from app.services.backups.service import BackupInvalid, BackupService
from app.texts import backups as rt
from config import Settings

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """The bot's HTML texts as terminal text."""
    return html.unescape(_TAG.sub("", text))


def say(text: str) -> None:
    print(plain(text), flush=True)


def complain(text: str) -> None:
    print(plain(text), file=sys.stderr, flush=True)


@asynccontextmanager
async def service(settings: Settings, uri: str) -> AsyncIterator[BackupService]:
    client = create_client(uri, settings.mongodb_timeout_seconds)
    try:
        # A bot running on the same database must notice the restore before the data changes.
        yield BackupService(client[settings.mongodb_db], settings, notice_seconds=NOTICE_SECONDS)
    finally:
        await client.close()


async def backup(settings: Settings, uri: str) -> int:
    async with service(settings, uri) as backups:
        try:
            result = await backups.create(BackupKind.MANUAL, by="cli")
        except BackupBusy:
            complain(rt.busy())
            return 1
        except PyMongoError as error:
            complain(f"The backup failed: cannot read the database ({error}).")
            return 1
    say("Backup created.")
    say(rt.backup_summary(result))
    print(result.path.resolve(), flush=True)  # the last line: for scripts
    return 0


async def list_backups(settings: Settings) -> int:
    backup_dir = settings.backup_dir.resolve()
    entries = await asyncio.to_thread(backups_in, settings.backup_dir)
    if not entries:
        say(f"No backups in {backup_dir}.")
        return 0
    say(f"Backups in {backup_dir}, newest first:")
    for number, entry in enumerate(entries, start=1):
        metadata = await asyncio.to_thread(peek_metadata, entry.path)
        title = f"{number}. {entry.name}" + (" (safety copy before a restore)" if entry.safety else "")
        say("\n" + title)
        for line in rt.entry_details(entry.size, entry.created_at, metadata):
            say("   " + line)
    return 0


async def restore(
    settings: Settings, uri: str, path: Path, *, assume_yes: bool, ask: Callable[[str], str] = input
) -> int:
    async with service(settings, uri) as backups:
        try:
            metadata = await backups.validate(path)
        except BackupInvalid as error:
            complain(rt.refused(error))
            return 1
        say(rt.restore_question(path.name, metadata))
        if not assume_yes and not await asyncio.to_thread(_confirmed, ask):
            complain("Cancelled. Nothing was changed.")
            return 1
        try:
            report = await backups.restore(path, by="cli")
        except BackupBusy:
            complain(rt.busy())
            return 1
        except BackupInvalid as error:
            complain(rt.refused(error))
            return 1
        except RestoreFailed as error:
            complain(rt.restore_failed(error))
            return 1
        except PyMongoError as error:
            complain(f"The restore could not start: {error}\nThe database was not changed.")
            return 1
    say(rt.restore_report(report))
    return 0


def _confirmed(ask: Callable[[str], str]) -> bool:
    try:
        answer = ask("Type 'yes' to replace the data: ")
    except EOFError:
        return False
    return answer.strip().lower() == "yes"
