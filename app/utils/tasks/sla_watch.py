"""The SLA watch job: once a minute, in the process holding the lease (app/services/tickets/sla.py)."""

from __future__ import annotations

from app.services.tickets.sla import SlaWatch
from app.utils.clock import Clock

SLA_JOB = "sla_watch"
INTERVAL_SECONDS = 60  # a reminder comes within a minute of its moment


async def check_sla(watch: SlaWatch, clock: Clock) -> int:
    return await watch.check(clock())
