"""server_room_calls: when each user last called the server room, for the anti-flood window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

SERVER_CALLS_COLLECTION = "server_room_calls"


class ServerCallRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[SERVER_CALLS_COLLECTION]

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

    async def give_back(self, user_id: int, claimed_at: datetime, cooldown: timedelta) -> None:
        """Undo the claim made at `claimed_at` (the alert reached nobody): the window is open again.

        Only that claim: the filter matches nothing once a later call has replaced it.
        `claimed_at` must be whole milliseconds, as BSON stores it.
        """
        await self.collection.update_one(
            {"_id": user_id, "last_call_at": claimed_at},
            {"$set": {"last_call_at": claimed_at - cooldown}, "$inc": {"count": -1}},
        )
