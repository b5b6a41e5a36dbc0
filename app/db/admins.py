"""admins: support staff, `_id` = Telegram user id. The super-admin comes from config, not from here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class AdminRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["admins"]

    async def is_admin(self, user_id: int) -> bool:
        return await self.collection.find_one({"_id": user_id}, {"_id": 1}) is not None

    async def ids(self) -> AsyncIterator[int]:
        async for doc in self.collection.find({}, {"_id": 1}):
            yield int(doc["_id"])

    async def all(self) -> list[dict[str, Any]]:
        # A staff list is tens of people, never thousands: one page is the whole list.
        return [doc async for doc in self.collection.find({}).sort("added_at", ASCENDING)]

    async def add(self, user_id: int, *, name: str, username: str | None, added_by: int, added_at: datetime) -> bool:
        """False when this person is already an admin."""
        try:
            await self.collection.insert_one(
                {"_id": user_id, "name": name, "username": username, "added_by": added_by, "added_at": added_at}
            )
        except DuplicateKeyError:
            return False
        return True

    async def remove(self, user_id: int) -> dict[str, Any] | None:
        return await self.collection.find_one_and_delete({"_id": user_id})

    async def refresh_names(self, user_id: int, name: str, username: str | None) -> None:
        await self.collection.update_one({"_id": user_id}, {"$set": {"name": name, "username": username}})
