"""counters: named sequences; ticket numbers come from here and are never reused."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

COUNTERS_COLLECTION = "counters"
TICKETS_SEQUENCE = "tickets"
BROADCASTS_SEQUENCE = "broadcasts"


class CounterRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[COUNTERS_COLLECTION]

    async def next_value(self, name: str) -> int:
        doc = await self.collection.find_one_and_update(
            {"_id": name},
            {"$inc": {"value": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return int(doc["value"])

    async def value(self, name: str) -> int:
        """The last value handed out (0: none yet)."""
        doc = await self.collection.find_one({"_id": name})
        value = doc.get("value") if doc else None
        return value if isinstance(value, int) else 0

    async def raise_to(self, name: str, value: int) -> None:
        """Never lowers a sequence: only moves it up to `value` if it is below."""
        await self.collection.update_one({"_id": name}, {"$max": {"value": value}}, upsert=True)
