"""Backups of the app's data into BACKUP_DIR, and restores from them.

One backup or restore at a time: an asyncio lock inside the process plus a file lock in
BACKUP_DIR shared with the CLI; a second request gets `BackupBusy` at once, never a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pymongo
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from app.db.repositories import Repositories
from app.db.audit import AuditRepository
from app.db.backup_state import BackupStateRepository
from app.db.restore_state import RestoreStateRepository
from app.models.backups import (
    BackupBusy,
    BackupFile,
    BackupInvalid,
    BackupKind,
    BackupProblem,
    BackupResult,
    BackupState,
    Metadata,
    Recovery,
    RestoreFailed,
    RestoreMarker,
    RestoreReport,
)
from app.services.backups import files
from app.services.backups.maintenance import Maintenance
from app.services.backups.reader import peek_metadata, validate_archive
from app.services.backups.restore import (
    KEEP_ON_RESTORE,
    describe_error,
    load_collections,
    number_floors,
    settle_counters,
)
from app.services.backups.schema import APP_CHECKS, RESTORED
from app.services.backups.writing import write_backup
from app.utils.blocking import run_blocking
from app.utils.clock import Clock, utc_now
from config import Settings

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
LONG_OPERATION_SECONDS = 6 * 3600  # one backup or restore, all its commands together

__all__ = ["BackupBusy", "BackupInvalid", "BackupResult", "BackupService", "RestoreFailed", "RestoreReport"]

Listener = Callable[[BackupResult], Awaitable[None]]


@dataclass
class BackupService:
    db: AsyncDatabase[dict[str, Any]]
    settings: Settings
    clock: Clock = utc_now
    batch_size: int = BATCH_SIZE
    listeners: list[Listener] = field(default_factory=list)  # told about each regular backup
    # How long a restore waits, once its marker is written, before changing anything: the CLI
    # sets it so a bot running on the same database has noticed and stopped serving users.
    notice_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.directory: Path = self.settings.backup_dir
        self.state = BackupStateRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.markers = RestoreStateRepository(self.db)
        self.maintenance = Maintenance(self.markers)
        self._lock = asyncio.Lock()

    # --- locking ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        if self._lock.locked():
            raise BackupBusy
        async with self._lock:
            await asyncio.to_thread(files.prepare_directory, self.directory)
            lock = files.DirectoryLock(self.directory)
            if not await asyncio.to_thread(lock.acquire):
                raise BackupBusy
            try:
                # A whole database streamed through one cursor may take minutes, and a large
                # first batch longer than the client's per-reply MONGODB_TIMEOUT_SECONDS.
                with pymongo.timeout(LONG_OPERATION_SECONDS):
                    yield
            finally:
                lock.release()

    # --- creating ---------------------------------------------------------------------------

    async def create(self, kind: BackupKind, by: int | str) -> BackupResult:
        """A complete backup, then retention; regular ones move the schedule on."""
        async with self.exclusive():
            if await self.markers.exists():
                raise BackupBusy  # half-restored data is no backup; the roll-back comes first
            result = await self._create(kind)
            await self.audit.record(
                "backup.create",
                by,
                result.metadata.created_at,
                file=result.name,
                kind=kind.value,
                counts=result.metadata.records_count,
            )
        for listener in self.listeners:
            await listener(result)
        return result

    async def _create(self, kind: BackupKind) -> BackupResult:
        moment = self.clock().replace(microsecond=0)
        final = self.directory / files.backup_name(moment, safety=kind is BackupKind.SAFETY)
        while final.exists():  # two backups within one second
            moment += timedelta(seconds=1)
            final = self.directory / files.backup_name(moment, safety=kind is BackupKind.SAFETY)
        started = asyncio.get_running_loop().time()
        metadata = await write_backup(self.db, final, kind, moment, self.batch_size)
        size = final.stat().st_size
        logger.info(
            "Backup %s written: %s records, %s bytes in %.2f s",
            final.name,
            metadata.total,
            size,
            asyncio.get_running_loop().time() - started,
        )
        removed = await asyncio.to_thread(
            files.apply_retention, self.directory, self.settings.backup_keep_count, final
        )
        for path in removed:
            logger.info("Retention: deleted %s", path.name)
        if kind is not BackupKind.SAFETY:
            await self.state.record_success(moment, final.name, kind.value)
        return BackupResult(final, metadata, size)

    # --- reading ----------------------------------------------------------------------------

    async def list_backups(self) -> list[BackupFile]:
        return await asyncio.to_thread(files.list_backups, self.directory)

    async def describe(self, backups: list[BackupFile]) -> list[Metadata | None]:
        return await asyncio.to_thread(lambda: [peek_metadata(b.path) for b in backups])

    async def last_backup(self) -> BackupState | None:
        return await self.state.get()

    def path_for(self, backup_id: str) -> Path:
        """A button's id → the file; raises BackupInvalid for anything else."""
        return files.path_for_id(self.directory, backup_id)

    def new_upload(self, name: str | None = None) -> tuple[str, Path]:
        """A fresh path for a file the super-admin sends; `name` is what it was called in Telegram."""
        files.prepare_directory(self.directory)
        upload_id, path = files.new_upload(self.directory)
        if name:
            files.remember_name(path, name)
        return upload_id, path

    def display_name(self, backup_id: str, path: Path) -> str:
        """How to call the file in messages: an upload by the name it was sent with."""
        if files.UPLOAD_ID.fullmatch(backup_id):
            return files.remembered_name(path) or path.name
        return path.name

    def discard_upload(self, backup_id: str) -> None:
        if files.UPLOAD_ID.fullmatch(backup_id):
            files.discard_upload(files.upload_path(self.directory, backup_id))

    async def cleanup(self) -> None:
        """At start-up: remove what interrupted runs left (not while the CLI is writing one)."""
        try:
            async with self.exclusive():
                for path in await asyncio.to_thread(files.remove_leftovers, self.directory):
                    logger.info("Removed leftover %s", path.name)
        except BackupBusy:
            logger.info("Leftover backup files not checked: a backup or restore is running")

    async def validate(self, path: Path) -> Metadata:
        """Everything a restore checks before it changes anything, the app's rules included."""
        return await run_blocking(validate_archive, path, APP_CHECKS)

    # --- restoring --------------------------------------------------------------------------

    async def restore(self, path: Path, by: int | str, *, name: str | None = None) -> RestoreReport:
        """Validate, take a safety backup, then make the data what it was at the backup's time.

        Every collection of the backup is replaced; the app's collections the backup does not
        have (created later) are emptied, not dropped, so their indexes stay. Counters never go
        back: they end at least at every number handed out before.

        Nothing in the database changes unless validation passed and the safety backup was
        written. From the safety backup on, users get a maintenance notice and the marker in
        the database names the safety backup: should loading fail midway, it is loaded back;
        should that fail too (the database went away) or the process die, the marker stays and
        `recover` (at start-up, from the health check) loads it back later.
        """
        source = name or path.name
        async with self.exclusive():
            metadata = await self.validate(path)
            previous = await self._recover_locked()  # a restore that died: its roll-back comes first
            if previous is not None and previous.error is not None and not isinstance(previous.error, BackupInvalid):
                # An unusable safety backup can never be loaded back; restoring a good backup over it is the way out.
                raise RestoreFailed(previous.error, previous.marker.safety or "", False, previous.detail)
            async with self.maintenance.restoring():
                safety = await self._prepare(source, by)
                try:
                    restored, emptied = await self._replace(path, metadata)
                    await self.markers.clear()
                except Exception as error:
                    detail = describe_error(error)
                    expected = isinstance(error, PyMongoError | BackupInvalid)  # else a bug: its traceback helps
                    logger.error(
                        "Restore from %s failed (%s); loading the safety backup %s",
                        source,
                        detail,
                        safety.name,
                        exc_info=not expected,
                    )
                    rolled_back = await self._roll_back(safety)
                    raise RestoreFailed(error, safety.name, rolled_back, detail) from error
                except BaseException:
                    self.maintenance.owe_roll_back()  # cancelled midway: the marker stays for `recover`
                    raise
                self.maintenance.settled()
            await self.audit.record(
                "backup.restore",
                by,
                self.clock(),
                file=path.name,
                source=source,
                backup_created_at=metadata.created_at,
                counts=restored,
                safety_file=safety.name,
            )
        logger.info("Restored %s (%s records); safety backup %s", source, sum(restored.values()), safety.name)
        return RestoreReport(
            source=source,
            metadata=metadata,
            restored=restored,
            kept=sorted(set(metadata.records_count) & KEEP_ON_RESTORE),
            emptied=emptied,
            safety=safety,
        )

    async def _prepare(self, source: str, by: int | str) -> BackupResult:
        """The marker, then the safety backup named in it; if this fails, nothing has changed."""
        await self.markers.begin(source, by, self.clock())
        try:
            await asyncio.sleep(self.notice_seconds)
            safety = await self._create(BackupKind.SAFETY)
            await self.markers.set_safety(safety.name)
        except BaseException:
            with contextlib.suppress(PyMongoError):
                await self.markers.clear()
            raise
        return safety

    async def _replace(self, path: Path, metadata: Metadata) -> tuple[dict[str, int], list[str]]:
        present = set(await self.db.list_collection_names()) & set(RESTORED)
        emptied = sorted(present - set(metadata.records_count))
        floors = await number_floors(self.db)
        # Checked already; a file changed since fails its checksum at the end and is rolled back.
        restored = await load_collections(self.db, path, metadata, self.batch_size)
        for collection in emptied:
            await self.db[collection].delete_many({})
        await Repositories.create(self.db).prepare(replaced=True)  # older backups hold no marks, no derived fields
        await settle_counters(self.db, floors)
        return restored, emptied

    async def _put_back(self, path: Path, metadata: Metadata) -> None:
        """A safety backup's data as it was (only its format is checked, not the app's rules);
        the app's collections it did not have did not exist then, and are dropped."""
        floors = await number_floors(self.db)
        await load_collections(self.db, path, metadata, self.batch_size)
        for collection in set(RESTORED) - set(metadata.records_count):
            await self.db[collection].drop()
        await Repositories.create(self.db).prepare(replaced=True)
        await settle_counters(self.db, floors)
        await self.markers.clear()
        self.maintenance.settled()

    async def _roll_back(self, safety: BackupResult) -> bool:
        try:
            # A database that just went away would hold the loading below for the whole long-operation
            # timeout: find out within the usual one, and leave the roll-back to `recover` then.
            with pymongo.timeout(self.settings.mongodb_timeout_seconds):
                await self.db.command("ping")
            await self._put_back(safety.path, safety.metadata)
        except Exception as error:
            logger.error("Could not load the safety backup %s back (%s); will retry", safety.name, describe_error(error))
            self.maintenance.owe_roll_back()
            return False
        return True

    async def recover(self) -> Recovery | None:
        """Finish a restore that did not: load its safety backup back (at start-up, from the health
        check). None when there is none, or while a restore runs (here, or in the CLI)."""
        if self._lock.locked():
            return None
        try:
            async with self.exclusive():
                return await self._recover_locked()
        except BackupBusy:
            return None

    async def _recover_locked(self) -> Recovery | None:
        marker = await self.markers.get()
        if marker is None:
            self.maintenance.settled()
            return None
        try:
            await self._recover_from(marker)
        except (BackupInvalid, PyMongoError, OSError) as error:
            detail = describe_error(error)
            logger.error("The restore from %s did not finish and could not be rolled back yet: %s", marker.source, detail)
            self.maintenance.owe_roll_back()
            return Recovery(marker, error, detail)
        await self.audit.record("backup.restore_rolled_back", "recovery", self.clock(), source=marker.source)
        logger.info("The unfinished restore from %s was rolled back (%s)", marker.source, marker.safety)
        return Recovery(marker)

    async def _recover_from(self, marker: RestoreMarker) -> None:
        if marker.safety is None:  # it stopped before its safety backup: nothing had changed
            await self.markers.clear()
            self.maintenance.settled()
            return
        found = files.parse_name(self.directory / marker.safety)
        if found is None or not found.safety:
            raise BackupInvalid(BackupProblem.INVALID_ID, marker.safety[:60])
        metadata = await run_blocking(validate_archive, found.path)  # the format only: it is what was there
        await self._put_back(found.path, metadata)
