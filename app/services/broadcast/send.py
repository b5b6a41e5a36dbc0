"""One recipient of a broadcast: the request, Telegram's answer, and what it means for the delivery."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

from app.models.broadcasts import BroadcastContent, DeliveryState
from app.services.broadcast.content import send_content
from app.services.broadcast.pacing import Pacer

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # per recipient; only Telegram's "retry after" answers are retried


async def send_to(
    bot: Bot, user_id: int, content: BroadcastContent, pacer: Pacer, sleep: Callable[[float], Awaitable[bool]]
) -> tuple[DeliveryState, str | None]:
    """Sends when the pacer allows; `sleep` returns False when the broadcast is being stopped,
    and then nothing is sent (the delivery stays pending for a resume)."""
    for _attempt in range(MAX_ATTEMPTS):
        if not await sleep(pacer.reserve(content.message_count)):
            return DeliveryState.PENDING, None  # stopping before the request: a resume sends it
        try:
            await send_content(bot, user_id, content)
        except TelegramRetryAfter as error:
            logger.warning("Broadcast: Telegram asks to wait %s s (at user %s)", error.retry_after, user_id)
            pacer.hold(error.retry_after)
            continue
        except TelegramForbiddenError as error:
            logger.info("Broadcast: user %s has blocked the bot; marked unreachable", user_id)
            return DeliveryState.BLOCKED, error.message
        except TelegramAPIError as error:
            logger.warning("Broadcast: could not deliver to %s: %s", user_id, error)
            return DeliveryState.FAILED, error.message
        return DeliveryState.SENT, None
    logger.warning("Broadcast: gave up on user %s after %s rate-limit answers", user_id, MAX_ATTEMPTS)
    return DeliveryState.FAILED, "too many requests"
