"""audit: an append-only record of who changed what (status changes, staff changes, restores)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase


class AuditRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["audit"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("at", DESCENDING)])

    async def record(self, action: str, by: int, **details: Any) -> None:
        await self.collection.insert_one({"action": action, "by": by, "at": datetime.now(UTC), **details})
