"""Background work in the bot's own event loop: the scheduler and the jobs it drives.

APScheduler 3 `AsyncIOScheduler`: started by BotApp once the bot and dispatcher are built,
shut down before the bot session and the database client close. Jobs are coroutines (one
module each beside this one); a job still running at shutdown is cancelled and awaited
(a backup then removes its `.part`).

With an instance lease (services/instance_lease.py), the jobs that must run once per bot —
health alerts, automatic backups, the waiting tickets' reminders and closing, the weekly digest —
run only in the process holding it; a job renews it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.db.embedded import EmbeddedMongo
from app.db.repositories import Repositories
from app.models.backups import BackupResult
from app.models.health import Alert
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.health import HealthMonitor
from app.services.instance_lease import InstanceLease
from app.services.notifications import Notifier
from app.services.reports.digest import WeeklyDigest
from app.services.reports.stats import StatsService
from app.services.superadmin_messages import SuperAdminMessenger
from app.services.tickets.actions import TicketActions
from app.services.tickets.sla import SlaWatch
from app.utils.clock import Clock, utc_now
from app.utils.tasks import auto_backup, health_check, sla_watch, waiting_tickets, weekly_digest
from app.utils.tasks.restore_recovery import RestoreRecovery
from config import Settings

logger = logging.getLogger(__name__)

BACKUP_STARTUP_DELAY_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
LEASE_JOB = "instance_lease"


class BackgroundJobs:
    """The health monitor, the backup service and the scheduler that drives their jobs."""

    def __init__(
        self,
        settings: Settings,
        bot: Bot,
        repos: Repositories,
        i18n: I18n,
        *,
        clock: Clock = utc_now,
        backup_startup_delay: float = BACKUP_STARTUP_DELAY_SECONDS,
        sla_check_seconds: float = sla_watch.INTERVAL_SECONDS,
        lease: InstanceLease | None = None,
        embedded: EmbeddedMongo | None = None,
    ) -> None:
        self.settings = settings
        self.lease = lease  # None: the only process, it does everything
        self.embedded = embedded  # the embedded server the bot runs on, restarted if it dies
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.messenger = SuperAdminMessenger(bot, i18n, settings, repos.users)
        self.health = HealthMonitor(repos.db, remind_minutes=settings.healthcheck_remind_minutes, clock=clock)
        self.backups = BackupService(repos.db, settings, clock)
        self.schedule = BackupSchedule(self.scheduler, self.backups, settings, clock, backup_startup_delay)
        self.schedule.job = self.run_scheduled_backup
        self.backups.listeners.append(self.schedule.after_backup)
        self.recovery = RestoreRecovery(self.backups, self.messenger)
        self.repos = repos
        self.clock = clock
        notifier = Notifier(bot, repos, i18n, settings)
        self.ticket_actions = TicketActions(repos, notifier)
        self.sla = SlaWatch(repos, notifier, settings.sla)
        self.sla_check_seconds = sla_check_seconds
        self.stats = StatsService(repos.reports, settings.zone, clock)
        self.digest = WeeklyDigest(self.stats, repos.report_state, self.messenger)
        self.startup_delay = timedelta(seconds=backup_startup_delay)
        self._running: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        await self.backups.cleanup()
        await self.messenger.refresh_language()
        await self.recovery.run()  # a restore the previous process left unfinished: its data back first
        self.scheduler.add_job(
            self.check_health,
            IntervalTrigger(seconds=self.settings.healthcheck_interval_seconds, timezone=UTC),
            id=health_check.HEALTH_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.add_job(
            self.check_waiting,
            IntervalTrigger(seconds=waiting_tickets.INTERVAL_SECONDS, timezone=UTC),
            id=waiting_tickets.WAITING_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.add_job(
            self.check_sla,
            IntervalTrigger(seconds=self.sla_check_seconds, timezone=UTC),
            id=sla_watch.SLA_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        if self.lease is not None:
            self.scheduler.add_job(
                self.keep_lease,
                IntervalTrigger(seconds=self.lease.renew_every, timezone=UTC),
                id=LEASE_JOB,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self.scheduler.add_job(
            self.send_digest,
            weekly_digest.trigger(self.settings),
            id=weekly_digest.DIGEST_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=weekly_digest.MISFIRE_GRACE_SECONDS,
        )
        if await self.digest.missed():  # the bot was down on Monday morning
            self.scheduler.add_job(
                self.send_digest,
                DateTrigger(run_date=self.clock() + self.startup_delay, timezone=UTC),
                id=weekly_digest.DIGEST_CATCH_UP_JOB,
                misfire_grace_time=None,
            )
        await self.schedule.plan()
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels coroutine jobs still running
        running = list(self._running)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=STOP_TIMEOUT_SECONDS)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._running.discard(task)

    async def keep_lease(self) -> None:
        if self.lease is not None:
            with self._tracked():
                await self.lease.renew()

    @property
    def runs_background_work(self) -> bool:
        return self.lease is None or self.lease.held

    async def check_health(self) -> Alert | None:
        if not self.runs_background_work:
            return None  # the holder of the lease alerts; two processes would alert twice
        with self._tracked():
            alert = await health_check.check_health(self.health, self.messenger, self.embedded)
            if self.health.healthy:
                await self.recovery.run()  # e.g. the database went away during a restore's roll-back
            return alert

    async def check_waiting(self) -> waiting_tickets.WaitingReport | None:
        if not self.runs_background_work:
            return None  # the holder of the lease reminds and closes; the writes are conditional anyway
        with self._tracked():
            return await waiting_tickets.check_waiting(self.repos, self.ticket_actions, self.settings, self.clock)

    async def check_sla(self) -> int | None:
        if not self.runs_background_work:
            return None  # the holder of the lease reminds; the marks are conditional anyway
        with self._tracked():
            return await sla_watch.check_sla(self.sla, self.clock)

    async def send_digest(self) -> bool:
        if not self.runs_background_work:
            return False  # the holder of the lease sends it; the week's claim would stop a second anyway
        with self._tracked():
            return await weekly_digest.send_weekly_digest(self.digest)

    async def run_scheduled_backup(self) -> BackupResult | None:
        if not self.runs_background_work:
            logger.info("Automatic backup left to the instance holding the lease; looking again later")
            self.schedule.retry_later(auto_backup.RETRY_WHEN_BUSY)
            return None
        with self._tracked():
            return await auto_backup.run_scheduled_backup(self.backups, self.schedule, self.messenger)
