"""The waiting-tickets job: one reminder to an employee whose ticket waits for their answer
(after WAITING_REMIND_HOURS), then the ticket closes by itself (after WAITING_AUTOCLOSE_DAYS).

Each step is an atomic, conditional write (the reminder flag, the status pinned to the same
wait), so a job run twice, or a stale process, never reminds or closes twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from app.db.repositories import Repositories
from app.models.tickets import epoch_ms
from app.services.tickets.actions import TicketActions
from app.utils.clock import Clock
from config import Settings

logger = logging.getLogger(__name__)

WAITING_JOB = "waiting_tickets"
INTERVAL_SECONDS = 600  # reminders and closings come within ten minutes of their due time


@dataclass(frozen=True, slots=True)
class WaitingReport:
    reminded: int
    closed: int


async def check_waiting(repos: Repositories, actions: TicketActions, settings: Settings, clock: Clock) -> WaitingReport:
    now = clock()
    days = settings.waiting_autoclose_days
    closed = 0
    for number, since in await repos.tickets.waiting_since(epoch_ms(now - timedelta(days=days))):
        closed += await actions.auto_close(number, since, now, days) is not None
    reminded = 0
    remind_before = epoch_ms(now - timedelta(hours=settings.waiting_remind_hours))
    for number, since in await repos.tickets.waiting_since(remind_before, unreminded=True):
        reminded += await actions.remind_waiting(number, since)
    if closed or reminded:
        logger.info("Waiting tickets: %s reminded, %s closed for want of an answer", reminded, closed)
    return WaitingReport(reminded, closed)
