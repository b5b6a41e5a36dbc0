"""Backups of the whole app database into BACKUP_DIR, and restores from them.

One backup or restore at a time: an asyncio lock inside the process plus a file lock in
BACKUP_DIR shared with the CLI; a second request gets `BackupBusy` at once, never a queue.
"""

from __future__ import annotations

from app.models.backups import BackupBusy, BackupFile, BackupResult, RestoreReport

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pymongo
from pymongo.asynchronous.database import AsyncDatabase

from app import __version__
from app.db.admins import AdminRepository
from app.db.audit import AuditRepository
from app.models.backups import BackupState
from app.db.backup_state import BackupStateRepository
from app.services.backups import files
from app.models.backups import BACKUP_VERSION
from app.services.backups.archive import ArchiveWriter
from app.models.backups import BackupInvalid, BackupKind, Metadata
from app.services.backups.reader import peek_metadata, validate_archive
from app.services.backups.restore import KEEP_ON_RESTORE, load_collections
from app.models.backups import RestoreFailed
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

    def __post_init__(self) -> None:
        self.directory: Path = self.settings.backup_dir
        self.state = BackupStateRepository(self.db)
        self.audit = AuditRepository(self.db)
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
        part = files.part_path(final)
        part.unlink(missing_ok=True)  # left by a crash; we hold the lock, so nobody writes it
        started = asyncio.get_running_loop().time()
        writer = await run_blocking(ArchiveWriter, part)
        try:
            counts = await self._write_collections(writer)
            digest = await run_blocking(writer.finish_data)
            metadata = Metadata(
                created_at=moment,
                backup_version=BACKUP_VERSION,
                app_version=__version__,
                kind=kind.value,
                database=self.settings.mongodb_db,
                records_count=counts,
                data_sha256=digest,
            )
            await run_blocking(writer.write_metadata, metadata)
            await run_blocking(writer.close)
            await run_blocking(os.replace, part, final)
        except BaseException:
            writer.abort()
            part.unlink(missing_ok=True)
            raise
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

    async def _write_collections(self, writer: ArchiveWriter) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name in sorted(await self.db.list_collection_names()):
            if name.startswith("system."):
                continue
            await run_blocking(writer.begin_collection, name)
            count, batch = 0, []
            async for document in self.db[name].find({}, batch_size=self.batch_size):
                batch.append(document)
                if len(batch) >= self.batch_size:
                    await run_blocking(writer.write_documents, batch)
                    count, batch = count + len(batch), []
            if batch:
                await run_blocking(writer.write_documents, batch)
                count += len(batch)
            await run_blocking(writer.end_collection)
            counts[name] = count
        return counts

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

    def new_upload(self) -> tuple[str, Path]:
        files.prepare_directory(self.directory)
        return files.new_upload(self.directory)

    def discard_upload(self, backup_id: str) -> None:
        if files.UPLOAD_ID.fullmatch(backup_id):
            with contextlib.suppress(BackupInvalid):
                self.path_for(backup_id).unlink(missing_ok=True)

    async def cleanup(self) -> None:
        """At start-up: remove what interrupted runs left (not while the CLI is writing one)."""
        try:
            async with self.exclusive():
                for path in await asyncio.to_thread(files.remove_leftovers, self.directory):
                    logger.info("Removed leftover %s", path.name)
        except BackupBusy:
            logger.info("Leftover backup files not checked: a backup or restore is running")

    async def validate(self, path: Path) -> Metadata:
        return await run_blocking(validate_archive, path)

    # --- restoring --------------------------------------------------------------------------

    async def restore(self, path: Path, by: int | str) -> RestoreReport:
        """Validate, take a safety backup, then make the data what it was at the backup's time.

        Every collection of the backup is replaced; collections the backup does not have
        (created later) are emptied, not dropped, so their indexes stay.

        Nothing in the database changes unless validation passed and the safety backup
        was written. Should loading fail midway, the safety backup is loaded back.
        """
        async with self.exclusive():
            metadata = await self.validate(path)
            present = {n for n in await self.db.list_collection_names() if not n.startswith("system.")}
            emptied = sorted(present - set(metadata.records_count) - KEEP_ON_RESTORE)
            safety = await self._create(BackupKind.SAFETY)
            touched: set[str] = set()
            try:
                restored = await load_collections(self.db, path, metadata, touched, self.batch_size)
                for name in emptied:
                    touched.add(name)
                    await self.db[name].delete_many({})
                await AdminRepository(self.db).sync_role_marks()  # older backups hold no marks
            except Exception as error:
                logger.exception("Restore from %s failed; loading the safety backup %s", path.name, safety.name)
                rolled_back = await self._roll_back(safety, touched)
                raise RestoreFailed(error, safety.name, rolled_back) from error
            report = RestoreReport(
                source=path.name,
                metadata=metadata,
                restored=restored,
                kept=sorted(set(metadata.records_count) & KEEP_ON_RESTORE),
                emptied=emptied,
                safety=safety,
            )
            await self.audit.record(
                "backup.restore",
                by,
                self.clock(),
                file=path.name,
                backup_created_at=metadata.created_at,
                counts=restored,
                safety_file=safety.name,
            )
        logger.info("Restored %s (%s records); safety backup %s", path.name, sum(restored.values()), safety.name)
        return report

    async def _roll_back(self, safety: BackupResult, touched: set[str]) -> bool:
        try:
            await load_collections(self.db, safety.path, safety.metadata, set(), self.batch_size)
            for name in touched - set(safety.metadata.records_count):
                await self.db[name].delete_many({})  # did not exist before the restore began
            await AdminRepository(self.db).sync_role_marks()
        except Exception:
            logger.exception("Could not load the safety backup %s back", safety.name)
            return False
        return True
