"""The database side of "one sender per bot": the instance lease and the per-recipient claim."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.db.broadcast_deliveries import DeliveryRepository
from app.db.leases import LeaseRepository
from app.models.instances import LeaseHolder
from app.services.instance_lease import InstanceLease

TTL = timedelta(seconds=30)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(mongo_uri: str, db_name: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client[db_name]
    await client.drop_database(db_name)
    await client.close()


def holder(name: str) -> LeaseHolder:
    return LeaseHolder(name, "host", 1, T0)


async def test_one_holder_at_a_time_until_it_gives_up_or_runs_out(db: AsyncDatabase[dict[str, Any]]) -> None:
    leases = LeaseRepository(db)
    first, second = holder("first"), holder("second")
    results = await asyncio.gather(leases.take("work", first, T0, TTL), leases.take("work", second, T0, TTL))
    assert sorted(results) == [False, True]  # two processes starting together: one winner
    winner, loser = (first, second) if results[0] else (second, first)

    assert await leases.take("work", winner, T0 + timedelta(seconds=10), TTL)  # renewed
    assert not await leases.take("work", loser, T0 + timedelta(seconds=35), TTL)  # renewal moved the expiry
    found = await leases.holder("work")
    assert found is not None and found.owner == winner.owner
    assert found.expires_at == T0 + timedelta(seconds=40)

    assert await leases.take("work", loser, T0 + timedelta(seconds=41), TTL)  # ran out: taken over
    assert not await leases.take("work", winner, T0 + timedelta(seconds=42), TTL)  # and not taken back
    await leases.release("work", winner.owner)  # not its lease any more: changes nothing
    assert (await leases.holder("work")) is not None
    await leases.release("work", loser.owner)
    assert await leases.holder("work") is None
    assert await leases.take("work", winner, T0 + timedelta(seconds=43), TTL)  # free at once after a release


async def test_the_lease_tells_its_listeners_when_it_changes_hands(db: AsyncDatabase[dict[str, Any]]) -> None:
    now = [T0]
    first = InstanceLease(LeaseRepository(db), 30, clock=lambda: now[0])
    second = InstanceLease(LeaseRepository(db), 30, clock=lambda: now[0])
    heard: list[bool] = []

    async def listener(held: bool) -> None:
        heard.append(held)

    second.listeners.append(listener)
    assert await first.acquire() and not await second.acquire()
    now[0] += timedelta(seconds=20)
    await first.renew()
    await second.renew()
    assert (first.held, second.held, heard) == (True, False, [False])
    await first.release()
    await second.renew()
    assert second.held and heard == [False, True]


async def test_each_recipient_is_claimed_once(db: AsyncDatabase[dict[str, Any]]) -> None:
    deliveries = DeliveryRepository(db)
    await deliveries.add_recipients(7, [101, 102])
    claims = await asyncio.gather(*(deliveries.claim(7, 101) for _ in range(5)))
    assert sorted(claims) == [False, False, False, False, True]
    assert await deliveries.claim(7, 102)
    assert not await deliveries.claim(7, 103)  # not a recipient
