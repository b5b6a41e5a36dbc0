"""Updates still being handled when the bot stops are let finish first.

aiogram stops polling and runs its shutdown handlers without waiting for the update tasks
it started; the runtime then closes the Telegram session and the database client under
them, so a server-room alert being sent at that moment would fail half-way. This outer
middleware remembers the task of every update in flight, and a shutdown handler waits for
them (bounded) before anything is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

DRAIN_TIMEOUT_SECONDS = 10.0


class InFlightUpdates(BaseMiddleware):
    def __init__(self, timeout: float = DRAIN_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        # The whole task, not just this call: aiogram's error handling wraps it and must finish too.
        task = asyncio.current_task()
        if task is not None and task not in self._tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await handler(event, data)

    async def drain(self) -> None:
        pending = {task for task in self._tasks if task is not asyncio.current_task() and not task.done()}
        if not pending:
            return
        logger.info("Stopping: waiting for %s update(s) in flight", len(pending))
        _done, still = await asyncio.wait(pending, timeout=self.timeout)
        if still:
            logger.warning("Stopping: %s update(s) still running after %.0f s; not waiting", len(still), self.timeout)

    def setup(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self)
        dispatcher.shutdown.register(self.drain)
