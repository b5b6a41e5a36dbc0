"""audit: an append-only record of who changed what (status changes, staff changes, restores)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

AUDIT_COLLECTION = "audit"


class AuditRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[AUDIT_COLLECTION]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("at", DESCENDING)])

    async def record(self, action: str, by: int | str, at: datetime | None = None, **details: Any) -> None:
        """`by` is a Telegram user id, or "cli" / "scheduler" for what no person did."""
        await self.collection.insert_one({"action": action, "by": by, "at": at or datetime.now(UTC), **details})
