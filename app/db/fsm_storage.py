"""aiogram's PyMongoStorage on the process's shared client, reading a chat's state once per update.

aiogram's PyMongoStorage makes a round trip per call: the FSM middleware's `get_state`, then
`get_data`, `update_data`, `set_state` in the handler, and `clear()` is two or four. Here:

- `ChatIsolation` is aiogram's one-update-at-a-time-per-chat lock. While it holds a chat's
  lock it also opens a slot for that chat's state document, so the storage reads the
  document once per update and serves every later read of it from memory. Nothing else can
  change the document meanwhile: every update of that chat waits for the lock. The slot
  closes with the lock, so nothing is kept from one update to the next.
- With the document known, a write is one `update_one` (or one `delete_one` when state and
  data become empty, none when nothing was stored), and `save` writes state and data
  together, which `FSMContext` does in two calls (see app/fsm/transitions.py).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.storage.base import BaseEventIsolation, StateType, StorageKey
from aiogram.fsm.storage.pymongo import PyMongoStorage


@dataclass(slots=True)
class _HeldChat:
    key: StorageKey
    open: bool = True  # closed with the lock: a task started by the update keeps the
    # context (and this object) beyond it, and must then read the database again
    loaded: bool = False
    document: dict[str, Any] | None = None  # as stored; None: there is none


_held_chat: ContextVar[_HeldChat | None] = ContextVar("fsm_held_chat", default=None)


@dataclass(slots=True)
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # the update holding the lock and those waiting for it


class ChatIsolation(BaseEventIsolation):
    """One update at a time per chat (albums, double taps must not interleave their
    read-modify-write of the form), and the chat's state document read once per update.

    Unlike aiogram's SimpleEventIsolation, a chat's lock is dropped when nobody holds or
    waits for it, so memory does not grow with the number of users ever seen."""

    def __init__(self) -> None:
        self._locks: dict[StorageKey, _ChatLock] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        entry = self._locks.setdefault(key, _ChatLock())
        entry.holders += 1
        try:
            async with entry.lock:
                held = _HeldChat(key)
                token = _held_chat.set(held)
                try:
                    yield
                finally:
                    held.open = False
                    _held_chat.reset(token)
        finally:
            entry.holders -= 1
            if entry.holders == 0 and self._locks.get(key) is entry:
                del self._locks[key]

    async def close(self) -> None:
        # aiogram closes the isolation on shutdown while updates may still hold their chat's
        # lock (app/middlewares/in_flight.py waits for them afterwards); each lock is dropped
        # by its last holder, so there is nothing to clear — and clearing would break them.
        return None


class SharedClientStorage(PyMongoStorage):
    """The dispatcher closes its storage on shutdown; the client belongs to the runtime,
    which closes it last (after the scheduler), so closing here must not touch it."""

    async def close(self) -> None:
        return None

    async def get_state(self, key: StorageKey) -> str | None:
        document = await self._document(key)
        return None if document is None else document.get("state")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A copy: a handler changing what it read must not change what is stored.
        return copy.deepcopy(await self._stored_data(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        if self._held(key) is None:
            return await super().set_state(key, state)
        await self.save(key, state, await self._stored_data(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        if self._held(key) is None:
            return await super().set_data(key, data)
        await self.save(key, await self.get_state(key), data)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        if self._held(key) is None:
            return await super().update_data(key, data)
        merged = {**await self._stored_data(key), **data}
        await self.save(key, await self.get_state(key), merged)
        return copy.deepcopy(merged)

    async def save(self, key: StorageKey, state: StateType, data: Mapping[str, Any]) -> None:
        """State and data in one write; deleting the record when both are empty."""
        document_id = self._key_builder.build(key)
        resolved = self.resolve_state(state)
        held = self._held(key)
        document: dict[str, Any] | None
        if resolved is None and not data:
            if held is None or not held.loaded or held.document is not None:
                await self._collection.delete_one({"_id": document_id})
            document = None
        else:
            document = {"data": copy.deepcopy(dict(data))} if data else {}
            if resolved is not None:
                document["state"] = resolved
            if held is not None and held.loaded and held.document == document:
                return  # e.g. the same step again, after a hint
            unset = {name: "" for name in ("state", "data") if name not in document}
            update: dict[str, Any] = {"$set": document}
            if unset:
                update["$unset"] = unset
            await self._collection.update_one({"_id": document_id}, update, upsert=True)
        if held is not None:
            held.loaded, held.document = True, document

    async def _stored_data(self, key: StorageKey) -> dict[str, Any]:
        document = await self._document(key)
        return (document or {}).get("data") or {}

    async def _document(self, key: StorageKey) -> dict[str, Any] | None:
        held = self._held(key)
        if held is not None and held.loaded:
            return held.document
        document = await self._collection.find_one({"_id": self._key_builder.build(key)}, {"_id": 0})
        if held is not None:
            held.loaded, held.document = True, document
        return document

    @staticmethod
    def _held(key: StorageKey) -> _HeldChat | None:
        held = _held_chat.get()
        return held if held is not None and held.open and held.key == key else None
