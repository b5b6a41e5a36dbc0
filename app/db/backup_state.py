"""backup_state: when the last regular backup succeeded, so the weekly schedule survives restarts.

One document, `_id: "schedule"`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.models.backups import BackupState

STATE_COLLECTION = "backup_state"
_STATE_ID = "schedule"


class BackupStateRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[STATE_COLLECTION]

    async def get(self) -> BackupState | None:
        doc = await self.collection.find_one({"_id": _STATE_ID})
        if doc is None or not isinstance(doc.get("last_success_at"), datetime):
            return None
        return BackupState(doc["last_success_at"], str(doc.get("last_file", "")), str(doc.get("last_kind", "")))

    async def record_success(self, at: datetime, file: str, kind: str) -> None:
        await self.collection.update_one(
            {"_id": _STATE_ID},
            {"$set": {"last_success_at": at, "last_file": file, "last_kind": kind}},
            upsert=True,
        )
