"""Loading a validated backup into the database, collection by collection.

Strategy: for each collection in the backup, `delete_many({})` then `insert_many` in
batches, streaming `data.json` a second time (the first pass validated it). We do not
load into a temporary collection and rename it over the live one: `renameCollection` with
`dropTarget` is the textbook way on MongoDB, but the embedded server (nx-27017 0.8.1)
answers ok without renaming, and a rename also drops the live collection's indexes. What
protects the data instead: full validation before any change, the safety backup taken just
before, and loading that safety backup back automatically if anything fails midway.

The result is the data as it was when the backup was taken: collections the backup does
not have (created later) are emptied by the service, not dropped, so their indexes stay.

Collections restored as they are in the backup, except KEEP_ON_RESTORE:
- `audit`: who did what must survive a restore (else a restore could erase its own trace);
- `backup_state`: when the last backup ran describes the files on this disk, not the data;
- `fsm_states`: conversations in progress now (the restore's own confirmation among them);
  putting users back into week-old half-filled forms would only confuse them;
- `broadcasts`, `broadcast_deliveries`: who has already received which announcement is a
  fact about the outside world; bringing back an older, `running` broadcast would make the
  next start resume it and send it a second time to everyone served since the backup;
- `leases`: which bot process runs the background work now (app/db/leases.py).
They are still in every backup, for reading or a manual restore.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, PyMongoError

from app.db.broadcasts import BroadcastRepository
from app.db.counters import BROADCASTS_SEQUENCE, TICKETS_SEQUENCE, CounterRepository
from app.db.tickets import TicketRepository
from app.models.backups import BackupInvalid, BackupProblem, Metadata
from app.services.backups.archive import DATA_NAME
from app.services.backups.reader import open_archive
from app.services.backups.stream import DataStream
from app.services.backups.schema import KEEP_ON_RESTORE
from app.utils.blocking import run_blocking

__all__ = ["KEEP_ON_RESTORE", "describe_error", "load_collections", "number_floors", "settle_counters"]

# A batch of documents is inserted once it holds this much JSON text (or `batch_size`
# documents): memory stays at a few documents however large each of them is.
BATCH_CHARS = 1024 * 1024

Event = tuple[str, dict[str, Any] | None]


class _Reader:
    """The backup's data.json as batches of events, for the async side to pull through a thread."""

    def __init__(self, path: Any) -> None:
        self._archive: zipfile.ZipFile = open_archive(path)
        try:
            self._raw: IO[bytes] = self._archive.open(DATA_NAME)
        except BaseException:
            self._archive.close()
            raise
        self._stream = DataStream(self._raw)
        self._events = self._stream.events()

    def next_batch(self, size: int) -> list[Event]:
        """Up to `size` events, fewer once their documents hold BATCH_CHARS of text."""
        batch: list[Event] = []
        chars = 0
        for event in self._events:
            batch.append(event)
            if event[1] is not None:
                chars += self._stream.last_size
            if len(batch) >= size or chars >= BATCH_CHARS:
                break
        return batch

    def digest(self) -> str:
        return self._stream.drain()

    def close(self) -> None:
        self._raw.close()
        self._archive.close()


async def load_collections(
    db: AsyncDatabase[dict[str, Any]],
    path: Any,
    metadata: Metadata,
    batch_size: int,
) -> dict[str, int]:
    """Replace each collection of the backup (but KEEP_ON_RESTORE); returns the counts loaded.

    Raises BackupInvalid if the file no longer matches its metadata (changed since validation).
    """
    restored: dict[str, int] = {}
    current: str | None = None
    pending: list[dict[str, Any]] = []

    async def flush() -> None:
        if current is not None and pending:
            await db[current].insert_many(pending, ordered=True)
            restored[current] += len(pending)
            pending.clear()

    reader = await run_blocking(_Reader, path)
    try:
        while batch := await run_blocking(reader.next_batch, batch_size):
            for name, document in batch:
                if document is None:
                    await flush()
                    current = None if name in KEEP_ON_RESTORE else name
                    if current is not None:
                        await db[current].delete_many({})
                        restored[current] = 0
                elif current is not None:
                    pending.append(document)
            await flush()
        digest = await run_blocking(reader.digest)
    finally:
        await run_blocking(reader.close)
    if digest != metadata.data_sha256:
        raise BackupInvalid(BackupProblem.CHECKSUM, "the file changed during the restore")
    expected = {k: v for k, v in metadata.records_count.items() if k not in KEEP_ON_RESTORE}
    if restored != expected:
        raise BackupInvalid(BackupProblem.COUNTS, "loaded counts differ from the metadata")
    return restored


async def number_floors(db: AsyncDatabase[dict[str, Any]]) -> dict[str, int]:
    """Per sequence, the highest number handed out so far (the counter, or a number in use above it).

    Read before a restore replaces the data: numbers already shown to people (an "Open #6001"
    button, a broadcast id) must never be handed out again, whatever the backup's counter says.
    """
    counters = CounterRepository(db)
    tickets = max(await counters.value(TICKETS_SEQUENCE), await TicketRepository(db).highest_number())
    broadcasts = max(
        await counters.value(BROADCASTS_SEQUENCE), await BroadcastRepository(db, counters).highest_id()
    )
    return {TICKETS_SEQUENCE: tickets, BROADCASTS_SEQUENCE: broadcasts}


async def settle_counters(db: AsyncDatabase[dict[str, Any]], floors: dict[str, int]) -> None:
    """After loading: every counter at least its floor and every number now in use.

    Backups taken by older versions could hold a counter below their own tickets (counters were
    read before tickets), and `broadcasts` is kept on restore while `counters` is not.
    """
    now = await number_floors(db)
    counters = CounterRepository(db)
    for name, floor in floors.items():
        if highest := max(floor, now.get(name, 0)):  # nothing numbered yet: no counter to make
            await counters.raise_to(name, highest)


def describe_error(error: BaseException) -> str:
    """What went wrong, for the log and the super-admin, without the documents involved.

    PyMongo's write errors carry each failed document whole (`op`); a ticket's phone number
    must not reach a log file that way. The server's own message names the key, not the data.
    """
    if isinstance(error, BulkWriteError):
        errors = error.details.get("writeErrors") or [{}]
        first = str(errors[0].get("errmsg") or "")
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"write error {errors[0].get('code')}: {first[:200]}{more}"
    if isinstance(error, PyMongoError):
        return f"{type(error).__name__}: {str(error).split(', full error:')[0][:300]}"
    return f"{type(error).__name__}: {str(error)[:300]}"
