"""Fields today's queries need, given to tickets an older version wrote (or a backup brought back):
run by TicketRepository.prepare at start-up and after every restore. Idempotent and bounded: a
document the update cannot fix is never read twice, and memory holds one batch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from app.db.shapes import count
from app.models.tickets import StatusChange, TicketStatus, epoch_ms, first_response_ts, reopen_stamps

logger = logging.getLogger(__name__)

BATCH = 500


async def backfill(
    collection: AsyncCollection[dict[str, Any]],
    missing: dict[str, Any],
    projection: dict[str, int],
    stamps_of: Callable[[dict[str, Any]], dict[str, Any]],
    what: str,
    announce: str,
) -> int:
    """Set `stamps_of(doc)` on every document matching `missing`, a batch at a time; returns how
    many. `announce` (with %s for how many) is logged first when there is work."""
    todo = await count(collection, missing)
    if todo:
        logger.info(announce, todo)
    done = 0
    while done < todo:
        batch = [doc async for doc in collection.find(missing, projection).limit(BATCH)]
        if not batch:
            break
        await collection.bulk_write(
            [UpdateOne({"_id": doc["_id"]}, {"$set": stamps_of(doc)}) for doc in batch], ordered=False
        )
        done += len(batch)
        logger.info("Added %s to %s of %s tickets", what, done, todo)
    return done


def finished_stamp_of(doc: dict[str, Any]) -> dict[str, Any]:
    return {"finished_ts": epoch_ms(doc.get("updated_at") or doc["created_at"])}


def report_stamps_of(doc: dict[str, Any]) -> dict[str, Any]:
    """`created_ts`, `response_ts`, `reopened_ts` and `reopens` (epoch ms: what reports and SLA clocks
    compute with, as aggregations cannot rely on dates on nx-27017)."""
    created = doc.get("created_at")
    # A document without its date (only a hand-edited one) gets 0: the epoch, never "missing".
    stamps: dict[str, Any] = {"created_ts": epoch_ms(created) if isinstance(created, datetime) else 0}
    try:
        history = [StatusChange.from_doc(change) for change in doc.get("history") or []]
    except (KeyError, TypeError, ValueError):  # a hand-edited history: no response time
        history = []
    if (response := first_response_ts(history)) is not None:
        stamps["response_ts"] = response
    stamps.update(reopen_stamps(history))
    return stamps


async def migrate(collection: AsyncCollection[dict[str, Any]]) -> None:
    """Every back-fill, in the order they were introduced."""
    finished = [TicketStatus.CLOSED.value, TicketStatus.REJECTED.value]
    await backfill(
        collection,
        {"status": {"$in": finished}, "finished_ts": {"$exists": False}},
        {"updated_at": 1, "created_at": 1},
        finished_stamp_of,
        "finished_ts",
        "Migrating %s finished tickets: adding finished_ts",
    )
    # Found by the newest stamp (`reopened_ts`, indexed, on every ticket written since): a ticket
    # missing it may miss the others too, and all are set again.
    await backfill(
        collection,
        {"reopened_ts": {"$exists": False}},
        {"created_at": 1, "history": 1},
        report_stamps_of,
        "report stamps",
        "Adding report stamps to %s tickets",
    )
