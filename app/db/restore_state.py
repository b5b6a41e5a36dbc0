"""restore_state: one document while a restore runs (`_id: "restore"`), deleted when it is over.

Written before a restore changes anything and kept until the data is whole again (restored,
or put back from the safety backup), so a process that dies midway leaves behind what the
next start needs: that a roll-back is owed, and from which file. Not part of any backup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.models.backups import RestoreMarker

RESTORE_STATE_COLLECTION = "restore_state"
_ID = "restore"


class RestoreStateRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[RESTORE_STATE_COLLECTION]

    async def begin(self, source: str, by: int | str, at: datetime) -> None:
        fields = {"source": source, "by": by, "started_at": at, "safety": None}
        await self.collection.update_one({"_id": _ID}, {"$set": fields}, upsert=True)

    async def set_safety(self, name: str) -> None:
        await self.collection.update_one({"_id": _ID}, {"$set": {"safety": name}})

    async def get(self) -> RestoreMarker | None:
        doc = await self.collection.find_one({"_id": _ID})
        if doc is None:
            return None
        safety, by, started_at = doc.get("safety"), doc.get("by"), doc.get("started_at")
        return RestoreMarker(
            source=str(doc.get("source") or ""),
            by=by if isinstance(by, int | str) else "",
            started_at=started_at if isinstance(started_at, datetime) else datetime.min,
            safety=safety if isinstance(safety, str) else None,
        )

    async def exists(self) -> bool:
        return await self.collection.find_one({"_id": _ID}, {"_id": 1}) is not None

    async def clear(self) -> None:
        # The collection exists only while a restore is under way: nothing is left behind after it.
        await self.collection.drop()
