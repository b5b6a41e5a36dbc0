"""fsm_states: each chat's conversation step (written by the FSM storage, app/db/fsm_storage.py).

The bot ends someone's conversation from outside it only when their role changes: a removed
admin must not be left inside a staff dialogue they may no longer finish."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from pymongo.asynchronous.database import AsyncDatabase

FSM_COLLECTION = "fsm_states"
# The key builder SharedClientStorage uses (aiogram's default): ids do not include the bot's.
_KEYS = DefaultKeyBuilder()


class ConversationRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[FSM_COLLECTION]

    async def forget(self, user_id: int, states: Collection[str]) -> bool:
        """End the person's private-chat conversation if it is one of `states`; True if it was."""
        key = _KEYS.build(StorageKey(bot_id=0, chat_id=user_id, user_id=user_id))
        result = await self.collection.delete_one({"_id": key, "state": {"$in": list(states)}})
        return result.deleted_count > 0
