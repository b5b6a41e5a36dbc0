"""aiogram's PyMongoStorage on the process's shared client."""

from __future__ import annotations

from aiogram.fsm.storage.pymongo import PyMongoStorage


class SharedClientStorage(PyMongoStorage):
    """The dispatcher closes its storage on shutdown; the client belongs to the runtime,
    which closes it last (after the scheduler), so closing here must not touch it."""

    async def close(self) -> None:
        return None
