"""One recipient of a broadcast: the request, Telegram's answer, and what it means for the delivery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot

from app.models.broadcasts import BroadcastContent, DeliveryState
from app.services.broadcast.content import send_content
from app.services.broadcast.pacing import Pacer
from app.services.delivery import Delivered, deliver

STATES = {
    Delivered.SENT: DeliveryState.SENT,
    Delivered.BLOCKED: DeliveryState.BLOCKED,
    Delivered.FAILED: DeliveryState.FAILED,
    Delivered.STOPPED: DeliveryState.PENDING,  # stopping before the request: a resume sends it
}

MAX_ATTEMPTS = 5  # per recipient


async def send_to(
    bot: Bot,
    user_id: int,
    content: BroadcastContent,
    header: str,
    pacer: Pacer,
    sleep: Callable[[float], Awaitable[bool]],
) -> tuple[DeliveryState, str | None]:
    """Sends when the pacer allows; `sleep` returns False when the broadcast is being stopped,
    and then nothing is sent (the delivery stays pending for a resume)."""

    async def paced() -> bool:
        return await sleep(pacer.reserve(content.message_count))

    async def hold(seconds: float) -> None:
        pacer.hold(seconds)  # the next reservation waits it out, for every recipient

    async def backoff(seconds: float) -> None:
        await sleep(seconds)  # woken by a stop: the next `paced` then stops before sending

    delivery = await deliver(
        lambda: send_content(bot, user_id, content, header),
        what=f"Broadcast to {user_id}",
        attempts=MAX_ATTEMPTS,
        before_attempt=paced,
        retry_after=hold,
        backoff=backoff,
    )
    return STATES[delivery.state], delivery.error
