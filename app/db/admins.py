"""admins: support staff, `_id` = Telegram user id. The super-admin comes from config, not from here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase


class AdminRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["admins"]

    async def is_admin(self, user_id: int) -> bool:
        return await self.collection.find_one({"_id": user_id}, {"_id": 1}) is not None

    async def ids(self) -> AsyncIterator[int]:
        async for doc in self.collection.find({}, {"_id": 1}):
            yield int(doc["_id"])
