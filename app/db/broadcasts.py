"""broadcasts: one document per mass mailing — its content, initiator, status and counters.

`_id` is a number from the counters collection rather than an ObjectId: the deliveries
refer to it, and nx-27017 does not match ObjectId values in count/aggregate/update_many
filters (it does match numbers).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.db.counters import BROADCASTS_SEQUENCE, CounterRepository
from app.models.broadcasts import Broadcast, BroadcastContent, BroadcastStatus, Counters

BROADCASTS_COLLECTION = "broadcasts"


class BroadcastRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], counters: CounterRepository) -> None:
        self.collection = db[BROADCASTS_COLLECTION]
        self.counters = counters

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("status")

    async def create(self, content: BroadcastContent, initiator_id: int, estimated_total: int) -> Broadcast:
        doc = {
            "_id": await self.counters.next_value(BROADCASTS_SEQUENCE),
            "content": content.to_doc(),
            "initiator_id": initiator_id,
            "status": BroadcastStatus.RUNNING.value,
            "counters": Counters(total=estimated_total).to_doc(),
            "snapshot_done": False,
            "created_at": datetime.now(UTC),
        }
        await self.collection.insert_one(doc)
        return Broadcast.from_doc(doc)

    async def highest_id(self) -> int:
        doc = await self.collection.find_one({}, {"_id": 1}, sort=[("_id", -1)])
        value = doc.get("_id") if doc else None
        return value if isinstance(value, int) else 0

    async def get(self, broadcast_id: int) -> Broadcast | None:
        doc = await self.collection.find_one({"_id": broadcast_id})
        return Broadcast.from_doc(doc) if doc else None

    async def running(self) -> Broadcast | None:
        doc = await self.collection.find_one({"status": BroadcastStatus.RUNNING.value}, sort=[("_id", 1)])
        return Broadcast.from_doc(doc) if doc else None

    async def snapshot_finished(self, broadcast_id: int, total: int) -> None:
        await self.collection.update_one(
            {"_id": broadcast_id}, {"$set": {"snapshot_done": True, "counters.total": total}}
        )

    async def save_counters(self, broadcast_id: int, counters: Counters) -> None:
        await self.collection.update_one({"_id": broadcast_id}, {"$set": {"counters": counters.to_doc()}})

    async def finish(
        self, broadcast_id: int, status: BroadcastStatus, counters: Counters, error: str | None = None
    ) -> None:
        """Only a running broadcast can finish, so a late duplicate call changes nothing."""
        fields: dict[str, Any] = {
            "status": status.value,
            "counters": counters.to_doc(),
            "finished_at": datetime.now(UTC),
        }
        if error is not None:
            fields["error"] = error
        await self.collection.update_one(
            {"_id": broadcast_id, "status": BroadcastStatus.RUNNING.value}, {"$set": fields}
        )
