"""One Telegram request to one chat, and what its answer means — the single place that decides it.

Notifications, the super-admin's messages and the broadcast all send through `deliver`:
"retry after" is waited out and the request repeated; a Telegram server error (5xx, or an
answer that is not the Bot API's JSON, e.g. a proxy's error page) or a network error is
retried after a short, growing wait — a bounded number of attempts in all, so one hiccup
never loses a server-room alert. A user who blocked the bot is reported as such (callers
mark them unreachable), anything else is a failure with Telegram's words. Nothing here
raises a Telegram error.

The price of retrying a network error: if the connection broke after Telegram had accepted
the message, the recipient gets it twice. A possible duplicate of a notice is better than
a lost alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

logger = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3
# Waits before the 2nd, 3rd, … attempt after a server or network error; the last one repeats.
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)


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
    backoff: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Delivery:
    """Make the request `send()` until it is answered, at most `attempts` times.

    `before_attempt` may wait (a pacer) and returns False to stop without sending;
    `retry_after` waits out Telegram's "retry after N" (a pacer may hold instead of sleeping);
    `backoff` waits before repeating a request that met a server or network error.
    `what` names the request in the log ("notice to 42").
    """
    last_error = "too many requests"
    for attempt in range(attempts):
        if not await before_attempt():
            return Delivery(Delivered.STOPPED)
        try:
            await send()
        except TelegramRetryAfter as error:
            logger.warning("%s: Telegram asks to wait %s s", what, error.retry_after)
            last_error = "too many requests"
            await retry_after(error.retry_after)
            continue
        except TelegramForbiddenError as error:
            logger.info("%s: the user has blocked the bot", what)
            return Delivery(Delivered.BLOCKED, error.message)
        except TelegramEntityTooLarge as error:  # a network error by class, but final
            logger.warning("%s: not delivered: %s", what, error)
            return Delivery(Delivered.FAILED, error.message)
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
            last_error = error.message if isinstance(error, TelegramAPIError) else str(error)
            logger.warning("%s: attempt %s of %s failed: %s", what, attempt + 1, attempts, error)
            if attempt + 1 < attempts:
                await backoff(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            continue
        except TelegramAPIError as error:
            logger.warning("%s: not delivered: %s", what, error)
            return Delivery(Delivered.FAILED, error.message)
        return Delivery(Delivered.SENT)
    logger.warning("%s: gave up after %s attempts: %s", what, attempts, last_error)
    return Delivery(Delivered.FAILED, last_error)
