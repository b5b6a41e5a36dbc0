"""counters: named sequences; ticket numbers come from here and are never reused."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

COUNTERS_COLLECTION = "counters"


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
