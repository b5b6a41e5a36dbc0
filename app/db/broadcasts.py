"""broadcasts: one document per mass mailing — its content, initiator, status and counters.

`_id` is a number from the counters collection rather than an ObjectId: the deliveries
refer to it, and nx-27017 does not match ObjectId values in count/aggregate/update_many
filters (it does match numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.db.counters import CounterRepository
from app.models.tickets import Media

BROADCASTS_COLLECTION = "broadcasts"


class BroadcastKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    ALBUM = "album"


@dataclass(frozen=True, slots=True)
class BroadcastContent:
    """What every recipient gets: HTML text (the message text, or the caption) and file_ids.

    Files are re-sent by file_id, so a broadcast never depends on the admin's chat
    (which a resumed broadcast could no longer rely on). An album's caption is shown
    on its first item, as Telegram displays it.
    """

    kind: BroadcastKind
    text: str | None = None
    media: tuple[Media, ...] = ()

    @property
    def message_count(self) -> int:
        """Messages it costs against Telegram's rate limit (an album is one per item)."""
        return max(1, len(self.media)) if self.kind is BroadcastKind.ALBUM else 1

    def to_doc(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "text": self.text, "media": [m.to_doc() for m in self.media]}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> BroadcastContent:
        return cls(
            BroadcastKind(doc["kind"]),
            doc.get("text"),
            tuple(Media.from_doc(item) for item in doc.get("media") or []),
        )


class BroadcastStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"  # stopped by staff; the rest stay `pending` in the deliveries
    FAILED = "failed"  # stopped by an unexpected error (logged)


@dataclass(slots=True)
class Counters:
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked

    def to_doc(self) -> dict[str, int]:
        return {"total": self.total, "sent": self.sent, "failed": self.failed, "blocked": self.blocked}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Counters:
        return cls(*(int(doc.get(name) or 0) for name in ("total", "sent", "failed", "blocked")))


@dataclass(slots=True)
class Broadcast:
    id: int
    content: BroadcastContent
    initiator_id: int
    status: BroadcastStatus
    counters: Counters
    created_at: datetime
    # True once every recipient has a delivery document; until then a resume re-snapshots.
    snapshot_done: bool = False
    finished_at: datetime | None = None
    error: str | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Broadcast:
        return cls(
            id=int(doc["_id"]),
            content=BroadcastContent.from_doc(doc["content"]),
            initiator_id=int(doc["initiator_id"]),
            status=BroadcastStatus(doc["status"]),
            counters=Counters.from_doc(doc.get("counters") or {}),
            created_at=doc["created_at"],
            snapshot_done=bool(doc.get("snapshot_done")),
            finished_at=doc.get("finished_at"),
            error=doc.get("error"),
        )


class BroadcastRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], counters: CounterRepository) -> None:
        self.collection = db[BROADCASTS_COLLECTION]
        self.counters = counters

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("status")

    async def create(self, content: BroadcastContent, initiator_id: int, estimated_total: int) -> Broadcast:
        doc = {
            "_id": await self.counters.next_value("broadcasts"),
            "content": content.to_doc(),
            "initiator_id": initiator_id,
            "status": BroadcastStatus.RUNNING.value,
            "counters": Counters(total=estimated_total).to_doc(),
            "snapshot_done": False,
            "created_at": datetime.now(UTC),
        }
        await self.collection.insert_one(doc)
        return Broadcast.from_doc(doc)

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
