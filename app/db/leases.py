"""leases: one document per piece of work that only one bot process may do at a time.

`{_id: <name>, owner, host, pid, expires_at}`. Taking and renewing are single conditional
writes, so two processes starting together (or one renewing while another takes over an
expired lease) have exactly one winner — the same upsert-collides-with-`_id` trick as the
server-room window (app/db/server_calls.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.models.instances import LeaseHolder

LEASES_COLLECTION = "leases"


class LeaseRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[LEASES_COLLECTION]

    async def take(self, name: str, holder: LeaseHolder, now: datetime, ttl: timedelta) -> bool:
        """Renew the lease if `holder` has it, else take it if it is free or has run out.

        True if `holder` has it now, until `now + ttl`. A renewal matches its own owner
        whatever the expiry: a holder cut off by a database outage keeps the lease unless
        another process took it meanwhile.
        """
        fields = {"owner": holder.owner, "host": holder.host, "pid": holder.pid, "expires_at": now + ttl}
        renewed = await self.collection.update_one({"_id": name, "owner": holder.owner}, {"$set": fields})
        if renewed.matched_count:
            return True
        try:
            await self.collection.update_one({"_id": name, "expires_at": {"$lte": now}}, {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            return False  # held by a live process
        return True

    async def holder(self, name: str) -> LeaseHolder | None:
        doc = await self.collection.find_one({"_id": name})
        if doc is None:
            return None
        return LeaseHolder(str(doc["owner"]), str(doc.get("host", "?")), int(doc.get("pid", 0)), doc["expires_at"])

    async def release(self, name: str, owner: str) -> None:
        """Give the lease up at once (a clean stop), so the next process need not wait for it to run out."""
        await self.collection.delete_one({"_id": name, "owner": owner})
