"""One Telegram request to one chat, and what its answer means — the single place that decides it.

Notifications, the super-admin's messages and the broadcast all send through `deliver`:
"retry after" is waited out and the request repeated (a bounded number of times), a user
who blocked the bot is reported as such (callers mark them unreachable), anything else is a
failure with Telegram's words. Nothing here raises a Telegram error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

logger = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3


class Delivered(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot or deleted their account
    FAILED = "failed"
    STOPPED = "stopped"  # the caller stopped before the request was made: nothing was sent


@dataclass(frozen=True, slots=True)
class Delivery:
    state: Delivered
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.state is Delivered.SENT


async def _go_ahead() -> bool:
    return True


async def deliver(
    send: Callable[[], Awaitable[Any]],
    *,
    what: str,
    attempts: int = DEFAULT_ATTEMPTS,
    before_attempt: Callable[[], Awaitable[bool]] = _go_ahead,
    retry_after: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Delivery:
    """Make the request `send()` until it is answered, at most `attempts` times.

    `before_attempt` may wait (a pacer) and returns False to stop without sending;
    `retry_after` waits out Telegram's "retry after N" (a pacer may hold instead of sleeping).
    `what` names the request in the log ("notice to 42").
    """
    for _attempt in range(attempts):
        if not await before_attempt():
            return Delivery(Delivered.STOPPED)
        try:
            await send()
        except TelegramRetryAfter as error:
            logger.warning("%s: Telegram asks to wait %s s", what, error.retry_after)
            await retry_after(error.retry_after)
            continue
        except TelegramForbiddenError as error:
            logger.info("%s: the user has blocked the bot", what)
            return Delivery(Delivered.BLOCKED, error.message)
        except TelegramAPIError as error:
            logger.warning("%s: not delivered: %s", what, error)
            return Delivery(Delivered.FAILED, error.message)
        return Delivery(Delivered.SENT)
    logger.warning("%s: gave up after %s rate-limit answers", what, attempts)
    return Delivery(Delivered.FAILED, "too many requests")
