"""The maintenance gate: a restore starts only after the updates already under way are done."""

from __future__ import annotations

import asyncio
from typing import cast

from app.db.restore_state import RestoreStateRepository
from app.services.backups.maintenance import Maintenance


class Markers:
    """The database's restore marker, as the gate reads it."""

    def __init__(self) -> None:
        self.present = False
        self.reads = 0

    async def exists(self) -> bool:
        self.reads += 1
        return self.present


def gate(markers: Markers, clock: list[float]) -> Maintenance:
    return Maintenance(cast(RestoreStateRepository, markers), refresh_seconds=1.0, clock=lambda: clock[0])


async def test_a_restore_waits_for_updates_under_way_and_refuses_new_ones() -> None:
    maintenance = gate(Markers(), [0.0])
    order: list[str] = []
    handling = asyncio.Event()
    finish = asyncio.Event()

    async def update_under_way() -> None:
        with maintenance.serving():
            assert not await maintenance.active()
            handling.set()
            await finish.wait()
            order.append("update done")

    async def restore() -> None:
        async with maintenance.restoring():
            order.append("restore begins")

    update = asyncio.create_task(update_under_way())
    await handling.wait()
    restoring = asyncio.create_task(restore())
    await asyncio.sleep(0)
    assert await maintenance.active()  # a new update is refused from the moment the restore asks
    assert order == []
    finish.set()
    await asyncio.gather(update, restoring)
    assert order == ["update done", "restore begins"]
    assert not await maintenance.active()


async def test_the_marker_is_read_at_most_once_a_second_and_kept_when_unreadable() -> None:
    markers = Markers()
    clock = [0.0]
    maintenance = gate(markers, clock)
    assert not await maintenance.active()
    markers.present = True  # another process (the CLI) begins a restore
    clock[0] = 0.5
    assert not await maintenance.active() and markers.reads == 1
    clock[0] = 1.0
    assert await maintenance.active() and markers.reads == 2
    markers.present = False
    clock[0] = 2.5
    assert not await maintenance.active() and markers.reads == 3
    maintenance.owe_roll_back()  # a roll-back failed here: on whatever the marker says
    assert await maintenance.active() and markers.reads == 3
    maintenance.settled()
    clock[0] = 4.0
    assert not await maintenance.active()
