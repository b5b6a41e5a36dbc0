"""Runs a callback once a burst of events has gone quiet (used to answer an album once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)

FLUSH_TIMEOUT_SECONDS = 10.0


class Debouncer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._quiet: dict[Hashable, asyncio.Event] = {}  # set: stop waiting, run the callback now

    @property
    def busy(self) -> bool:
        """A callback is scheduled or running."""
        return any(not task.done() for task in self._tasks.values())

    def call_later(self, key: Hashable, callback: Callable[[], Awaitable[None]]) -> None:
        """Schedule `callback`; a newer call with the same key replaces a pending one."""
        pending = self._tasks.pop(key, None)
        if pending is not None:
            pending.cancel()
        quiet = self._quiet[key] = asyncio.Event()
        self._tasks[key] = asyncio.create_task(self._run(key, callback, quiet))

    async def _run(self, key: Hashable, callback: Callable[[], Awaitable[None]], quiet: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(quiet.wait(), self.delay)
        try:
            await callback()
        except Exception:
            logger.exception("Delayed reply failed")
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]
                del self._quiet[key]

    async def flush(self) -> None:
        """Run every scheduled callback now and wait for them (bounded), then close.

        For a graceful stop: an album whose items have all arrived, waiting out its quiet
        time, has had its updates confirmed to Telegram already; cancelled, it would be lost."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for quiet in self._quiet.values():
            quiet.set()
        if tasks:
            logger.info("Stopping: answering %s album(s) collected so far", len(tasks))
            _done, still = await asyncio.wait(tasks, timeout=FLUSH_TIMEOUT_SECONDS)
            if still:
                logger.warning(
                    "Stopping: %s album(s) still being answered after %.0f s; not waiting",
                    len(still),
                    FLUSH_TIMEOUT_SECONDS,
                )
        await self.close()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        self._quiet.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
