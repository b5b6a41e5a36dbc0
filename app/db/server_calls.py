"""server_room_calls: when each user last called the server room, for the anti-flood window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class ServerCallRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["server_room_calls"]

    async def last_call_at(self, user_id: int, now: datetime) -> datetime | None:
        """A call recorded in the future (the clock was ahead, then put right) counts as made
        `now`: the window then ends one cooldown from now, not a day later."""
        doc = await self.collection.find_one({"_id": user_id})
        if doc is None:
            return None
        last: datetime = doc["last_call_at"]
        if last > now:
            await self.collection.update_one({"_id": user_id, "last_call_at": last}, {"$set": {"last_call_at": now}})
            return now
        return last

    async def try_claim(self, user_id: int, now: datetime, cooldown: timedelta) -> bool:
        """Record a call at `now` unless one happened within `cooldown`; True if this call won.

        A single conditional upsert: when the window is still open the filter matches
        nothing, the upsert collides with the existing `_id` and the claim is refused, so
        two taps at the same moment (even in two processes) produce exactly one call.
        """
        try:
            await self.collection.update_one(
                {"_id": user_id, "last_call_at": {"$lte": now - cooldown}},
                {"$set": {"last_call_at": now}, "$inc": {"count": 1}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True
