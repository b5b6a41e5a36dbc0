"""Broadcasts: their content, status and counters, each recipient's delivery state, and progress."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.models.media import Media


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


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # written before the request; left behind only by a hard kill mid-request
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


# Below this many deliveries in the current run the measured speed is noise; use the configured rate.
MIN_SAMPLE = 10


@dataclass(slots=True)
class Progress:
    broadcast_id: int
    counters: Counters
    rate: float  # recipients per second allowed by the configured message rate
    started: float = field(default_factory=time.monotonic)
    done_at_start: int = 0  # deliveries finished before this process took over (a resume)

    def eta_seconds(self) -> float:
        remaining = max(self.counters.total - self.counters.done, 0)
        done_here = self.counters.done - self.done_at_start
        elapsed = time.monotonic() - self.started
        speed = done_here / elapsed if done_here >= MIN_SAMPLE and elapsed > 0 else self.rate
        return remaining / min(speed, self.rate) if speed > 0 else 0.0


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
