"""Writing one backup archive from the database: the app's collections streamed into a ZIP.

Written under a temporary `.part` name and renamed into place only when complete and synced,
so a file that looks like a backup is always a whole one.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app import __version__
from app.db.counters import COUNTERS_COLLECTION
from app.models.backups import BACKUP_VERSION, BackupKind, Metadata
from app.services.backups import files
from app.services.backups.archive import ArchiveWriter
from app.services.backups.restore import BATCH_CHARS
from app.services.backups.schema import APP_COLLECTIONS
from app.utils.blocking import run_blocking


async def write_backup(
    db: AsyncDatabase[dict[str, Any]], final: Path, kind: BackupKind, moment: datetime, batch_size: int
) -> Metadata:
    part = files.part_path(final)
    part.unlink(missing_ok=True)  # left by a crash; the caller holds the lock, so nobody writes it
    writer = await run_blocking(ArchiveWriter, part)
    try:
        counts = await write_collections(db, writer, batch_size)
        digest = await run_blocking(writer.finish_data)
        metadata = Metadata(
            created_at=moment,
            backup_version=BACKUP_VERSION,
            app_version=__version__,
            kind=kind.value,
            database=db.name,
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
    return metadata


async def write_collections(db: AsyncDatabase[dict[str, Any]], writer: ArchiveWriter, batch_size: int) -> dict[str, int]:
    """The app's collections, one by one; `counters` last.

    Collections are not read at one instant: a ticket filed while the backup runs may be in
    `tickets` though `counters` was read before it took its number. Read last, the counter is
    at least every number in the backup (a restore also derives it, for older backups). Other
    collections in the database are not the app's and are left out.
    """
    present = set(await db.list_collection_names()) & APP_COLLECTIONS
    order = sorted(present - {COUNTERS_COLLECTION}) + sorted(present & {COUNTERS_COLLECTION})
    counts: dict[str, int] = {}
    for name in order:
        await run_blocking(writer.begin_collection, name)
        count, batch, limit = 0, [], batch_size
        async for document in db[name].find({}, batch_size=batch_size):
            batch.append(document)
            if len(batch) >= limit:
                chars = await run_blocking(writer.write_documents, batch)
                count, batch = count + len(batch), []
                # Large documents: fewer per batch, so memory stays near BATCH_CHARS.
                limit = max(1, min(batch_size, limit * BATCH_CHARS // max(chars, 1)))
        if batch:
            await run_blocking(writer.write_documents, batch)
            count += len(batch)
        await run_blocking(writer.end_collection)
        counts[name] = count
    return counts
