"""What a broadcast run writes besides sending: its recipients' snapshot, and each answer
recorded even through a database hiccup."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pymongo.errors import ConnectionFailure, ExecutionTimeout

from app.db.repositories import Repositories

logger = logging.getLogger(__name__)

SNAPSHOT_BATCH = 500
DB_RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
TRANSIENT_DB_ERRORS = (ConnectionFailure, ExecutionTimeout)


async def snapshot(repos: Repositories, broadcast_id: int, initiator_id: int) -> None:
    """Every reachable user but the initiator gets a `pending` delivery; memory holds one batch of ids."""
    batch: list[int] = []
    async for user_id in repos.users.reachable_ids(SNAPSHOT_BATCH):
        if user_id != initiator_id:
            batch.append(user_id)
        if len(batch) >= SNAPSHOT_BATCH:
            await repos.deliveries.add_recipients(broadcast_id, batch)
            batch = []
    await repos.deliveries.add_recipients(broadcast_id, batch)
    total = (await repos.deliveries.counters(broadcast_id)).total
    await repos.broadcasts.snapshot_finished(broadcast_id, total)


async def persist(write: Callable[[], Awaitable[None]]) -> None:
    """Telegram has answered: forgetting that would mean sending again on resume, so retry the write."""
    delays = iter(DB_RETRY_DELAYS)
    while True:
        try:
            await write()
            return
        except TRANSIENT_DB_ERRORS as error:
            delay = next(delays, DB_RETRY_DELAYS[-1])
            logger.warning("Broadcast: could not record a delivery (%s); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
