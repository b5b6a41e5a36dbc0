"""Telegram's 409 Conflict on getUpdates, said once and clearly instead of every few seconds.

Telegram lets one poller per token wait for updates: when a second process polls, it ends
the first one's request with 409 Conflict, and the two keep taking updates from each other
for as long as both run. aiogram logs every such failure (an error and a warning each time,
for hours). Here the first conflict is logged as one plain line — what it means and what
to do — repeated at most every REMIND_SECONDS while conflicts go on; the poll waits a few
seconds and answers "no updates" so aiogram simply polls again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
REMIND_SECONDS = 600.0


class PollingConflict(BaseRequestMiddleware):
    def __init__(self, retry_seconds: float = RETRY_SECONDS) -> None:
        self.retry_seconds = retry_seconds
        self._said_at: float | None = None
        self._since_said = 0

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramConflictError as error:
            if not isinstance(method, GetUpdates):
                raise
            self._say(error.message)
        await asyncio.sleep(self.retry_seconds)
        return cast(Response[TelegramType], Response[list[Update]](ok=True, result=[]))

    def _say(self, description: str) -> None:
        now = time.monotonic()
        self._since_said += 1
        if self._said_at is not None and now - self._said_at < REMIND_SECONDS:
            return
        logger.error(
            "Telegram refused getUpdates with 409 Conflict: another process is polling with this bot token "
            "(or a webhook is set). Only one instance may run per bot: stop the other one. Until then each "
            "gets only part of the updates; this one tries again every %.0f s and says this again in %.0f min "
            "if it goes on (%s conflict(s) so far). Telegram said: %s",
            self.retry_seconds,
            REMIND_SECONDS / 60,
            self._since_said,
            description,
        )
        self._said_at, self._since_said = now, 0
