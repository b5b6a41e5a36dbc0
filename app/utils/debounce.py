"""Runs a callback once a burst of events has gone quiet (used to answer an album once)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)


class Debouncer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}

    @property
    def busy(self) -> bool:
        """A callback is scheduled or running."""
        return any(not task.done() for task in self._tasks.values())

    def call_later(self, key: Hashable, callback: Callable[[], Awaitable[None]]) -> None:
        """Schedule `callback`; a newer call with the same key replaces a pending one."""
        pending = self._tasks.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._tasks[key] = asyncio.create_task(self._run(key, callback))

    async def _run(self, key: Hashable, callback: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(self.delay)
        try:
            await callback()
        except Exception:
            logger.exception("Delayed reply failed")
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
