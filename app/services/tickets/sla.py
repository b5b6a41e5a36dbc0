"""The SLA watch: every active ticket's clocks against its priority's targets. At 80 % of a
target the assignee is reminded (all staff while nobody has taken it); when it is missed, the
super-admin too. Each reminder once per ticket and stage (a conditional write marks it first),
so a second run, a restart or a second instance never repeats one."""

from __future__ import annotations

import logging
from datetime import datetime

from app.db.repositories import Repositories
from app.models.sla import Clock, SlaPolicy, Stage
from app.models.tickets import Ticket, TicketStatus
from app.services.notifications import Notifier

logger = logging.getLogger(__name__)


class SlaWatch:
    def __init__(self, repos: Repositories, notifier: Notifier, policy: SlaPolicy) -> None:
        self.repos = repos
        self.notifier = notifier
        self.policy = policy

    async def check(self, now: datetime) -> int:
        """One round; returns how many reminders went out."""
        sent = 0
        for ticket in await self.repos.tickets.sla_watched():
            clocks = self.policy.clocks(ticket, now)
            overdue = any(c.stage is Stage.BREACHED and (c.running or c.paused) for c in clocks)
            if overdue != ticket.sla_overdue:
                await self.repos.tickets.set_overdue(ticket.number, overdue)
            for clock in clocks:
                if clock.running and clock.stage is not None and await self._first_time(ticket, clock):
                    await self._remind(ticket, clock)
                    sent += 1
        if sent:
            logger.info("SLA watch: %s reminders", sent)
        return sent

    async def _first_time(self, ticket: Ticket, clock: Clock) -> bool:
        assert clock.stage is not None
        first = await self.repos.tickets.mark_sla_stage(ticket.number, f"{clock.kind}_{clock.stage}")
        if first and clock.stage is Stage.BREACHED:  # missed before anyone was warned: no warning later
            await self.repos.tickets.mark_sla_stage(ticket.number, f"{clock.kind}_{Stage.WARNED}")
        return first

    async def _remind(self, ticket: Ticket, clock: Clock) -> None:
        taken = ticket.assignee is not None and ticket.status is not TicketStatus.NEW
        recipients = [ticket.assignee.id] if taken and ticket.assignee is not None else await self.notifier.staff_ids()
        if clock.stage is Stage.BREACHED and self.notifier.settings.superadmin_id not in recipients:
            recipients.append(self.notifier.settings.superadmin_id)  # escalation
        await self.notifier.sla_reminder(ticket, clock, recipients)
