"""Which bot process does the work that must run once: broadcasts, automatic backups, health alerts.

Only one process may run per bot token, but a second one started by mistake (or an old one
still running after a redeploy) must not send a broadcast again, make a second backup or
alert twice. The process that holds the `background` lease in the database does that work;
it renews the lease every third of its lifetime (utils/tasks/scheduler.py) and gives it up
on a clean stop. Another process says so in the log at start-up, keeps trying, and takes
over once the lease is given up or has run out (a crashed holder).

`held` changes only on a definite answer from the database: a holder that cannot reach the
database keeps working (its health alerts are needed most then); nobody else can take the
lease meanwhile, since they cannot reach the database either.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from pymongo.errors import PyMongoError

from app.db.leases import LeaseRepository
from app.models.instances import LeaseHolder
from app.utils.clock import Clock, utc_now

logger = logging.getLogger(__name__)

BACKGROUND = "background"

Listener = Callable[[bool], Awaitable[None]]


class InstanceLease:
    def __init__(self, leases: LeaseRepository, ttl_seconds: float, clock: Clock = utc_now) -> None:
        self.leases = leases
        self.ttl = timedelta(seconds=ttl_seconds)
        self.clock = clock
        host, pid = socket.gethostname(), os.getpid()
        # No "digits:letters" in it: the log drills treat that shape as a leaked bot token.
        self.me = LeaseHolder(f"{host}-{pid}-{uuid.uuid4().hex[:8]}", host, pid, clock())
        self.held = False
        # Called with `held` after every renewal that got an answer (app/runtime.py wires the broadcaster).
        self.listeners: list[Listener] = []

    @property
    def renew_every(self) -> float:
        return self.ttl.total_seconds() / 3

    async def acquire(self) -> bool:
        """At start-up: take the lease, or say clearly in the log who has it."""
        self.held = await self.leases.take(BACKGROUND, self.me, self.clock(), self.ttl)
        if self.held:
            logger.info("This instance runs the background work (broadcasts, automatic backups, health alerts)")
            return True
        other = await self.leases.holder(BACKGROUND)
        logger.warning(
            "Another instance of this bot runs the background work (broadcasts, automatic backups, health "
            "alerts): %s (host %s, pid %s), its lease valid until %s. This instance will not do that work while "
            "the other one runs and takes over when it stops. Only one instance may run per bot token: "
            "Telegram gives the updates to one of them at a time (409 Conflict) — stop one of them.",
            other.owner if other else "?",
            other.host if other else "?",
            other.pid if other else "?",
            other.expires_at.isoformat(timespec="seconds") if other else "?",
        )
        return False

    async def renew(self) -> None:
        """Periodically: keep the lease, or take it over once it is free; tell the listeners."""
        try:
            held = await self.leases.take(BACKGROUND, self.me, self.clock(), self.ttl)
        except PyMongoError as error:
            logger.warning("Could not renew the instance lease (the database: %s); carrying on as before", error)
            return
        if held and not self.held:
            logger.info("This instance now runs the background work: the previous holder stopped or went silent")
        elif self.held and not held:
            logger.warning("Another instance took over the background work; this one stops doing it")
        self.held = held
        for listener in self.listeners:
            await listener(held)

    async def release(self) -> None:
        """On a clean stop: the next process need not wait for the lease to run out."""
        if not self.held:
            return
        self.held = False
        try:
            await self.leases.release(BACKGROUND, self.me.owner)
        except PyMongoError as error:
            logger.warning("Could not give up the instance lease (%s); it runs out by itself", error)
