"""Background work in the bot's own event loop: the MongoDB health check and automatic backups.

APScheduler 3 `AsyncIOScheduler`: started by BotApp once the bot and dispatcher are built,
shut down before the bot session and the database client close. Jobs are coroutines; a
job still running at shutdown is cancelled and awaited (a backup then removes its `.part`).

The backup job is a one-off `DateTrigger`, re-planned after every backup: the next run is
the last successful regular backup (persisted in MongoDB, `backup_state`) plus
BACKUP_INTERVAL_DAYS, so a restart neither resets nor skips it; when that moment has
passed (the bot was down), it runs `backup_startup_delay` seconds after start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.db.repositories import Repositories
from app.services.backups.archive import BackupKind
from app.services.backups.service import BackupBusy, BackupResult, BackupService
from app.services.health import Alert, HealthMonitor
from app.services.superadmin_messages import SuperAdminMessenger
from app.texts import reliability as texts
from app.utils.clock import Clock, utc_now
from config import Settings

logger = logging.getLogger(__name__)

HEALTH_JOB = "healthcheck"
BACKUP_JOB = "backup"
BACKUP_STARTUP_DELAY_SECONDS = 60.0
RETRY_AFTER_FAILURE = timedelta(hours=1)
RETRY_WHEN_BUSY = timedelta(minutes=10)
STOP_TIMEOUT_SECONDS = 10.0


class BackupSchedule:
    """When the next automatic backup runs; `next_run_at` is None when they are switched off."""

    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        backups: BackupService,
        settings: Settings,
        clock: Clock,
        startup_delay: float,
    ) -> None:
        self.scheduler = scheduler
        self.backups = backups
        self.enabled = settings.backup_enabled
        self.interval = timedelta(days=settings.backup_interval_days)
        self.clock = clock
        self.startup_delay = timedelta(seconds=startup_delay)
        self.next_run_at: datetime | None = None
        self.job: Any = None  # set by Reliability: the coroutine the trigger runs

    async def plan(self) -> None:
        """At start-up: from the persisted last success, or soon if overdue (or never done)."""
        if not self.enabled:
            return
        state = await self.backups.last_backup()
        now = self.clock()
        due = state.last_success_at + self.interval if state else now
        self.set(due if due > now else now + self.startup_delay)

    def set(self, due: datetime) -> None:
        if not self.enabled:
            return
        self.next_run_at = due
        self.scheduler.add_job(
            self.job,
            DateTrigger(run_date=due, timezone=UTC),
            id=BACKUP_JOB,
            replace_existing=True,
            misfire_grace_time=None,  # late (event loop busy, laptop asleep) still runs
        )
        logger.info("Next automatic backup at %s", due.isoformat())

    async def after_backup(self, result: BackupResult) -> None:
        self.set(result.metadata.created_at + self.interval)

    def retry_later(self, delay: timedelta) -> None:
        self.set(self.clock() + delay)


class Reliability:
    """The health monitor, the backup service and the scheduler that drives them."""

    def __init__(
        self,
        settings: Settings,
        bot: Bot,
        repos: Repositories,
        i18n: I18n,
        *,
        clock: Clock = utc_now,
        backup_startup_delay: float = BACKUP_STARTUP_DELAY_SECONDS,
    ) -> None:
        self.settings = settings
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.messenger = SuperAdminMessenger(bot, i18n, settings, repos.users)
        self.health = HealthMonitor(repos.db, remind_minutes=settings.healthcheck_remind_minutes, clock=clock)
        self.backups = BackupService(repos.db, settings, clock)
        self.schedule = BackupSchedule(self.scheduler, self.backups, settings, clock, backup_startup_delay)
        self.schedule.job = self.run_scheduled_backup
        self.backups.listeners.append(self.schedule.after_backup)
        self._running: set[asyncio.Task[Any]] = set()

    def workflow_data(self) -> dict[str, Any]:
        """What handlers get injected by name."""
        return {"health": self.health, "backups": self.backups, "backup_schedule": self.schedule}

    async def start(self) -> None:
        await self.backups.cleanup()
        await self.messenger.refresh_language()
        self.scheduler.add_job(
            self.check_health,
            IntervalTrigger(seconds=self.settings.healthcheck_interval_seconds, timezone=UTC),
            id=HEALTH_JOB,
            max_instances=1,
            coalesce=True,
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

    async def check_health(self) -> Alert | None:
        """One health check: ping, update the state, send the alert that is due (if any)."""
        with self._tracked():
            async with self.health.lock:
                ping = await self.health.ping()
                alert = self.health.observe(ping.ok, ping.error)
                if ping.ok:
                    await self.messenger.refresh_language()
                if alert is None:
                    return None
                logger.warning("MongoDB health: %s since %s (%s)", alert.kind.value, alert.since, alert.error)
                with self.messenger.locale():
                    text = texts.alert_text(alert)
                if await self.messenger.send_text(text):
                    self.health.delivered(alert)
                return alert

    async def run_scheduled_backup(self) -> BackupResult | None:
        """The automatic backup: create, send to the super-admin; on failure try again later."""
        with self._tracked():
            try:
                result = await self.backups.create(BackupKind.SCHEDULED, by="scheduler")
            except BackupBusy:
                logger.info("Automatic backup postponed: another backup or restore is running")
                self.schedule.retry_later(RETRY_WHEN_BUSY)
                return None
            except Exception as error:
                logger.exception("Automatic backup failed")
                self.schedule.retry_later(RETRY_AFTER_FAILURE)
                with self.messenger.locale():
                    text = _("❌ The automatic backup failed: {error}\nI will try again in an hour.").format(
                        error=escape(str(error)[:300])
                    )
                await self.messenger.send_text(text)
                return None
            await self.messenger.refresh_language()
            with self.messenger.locale():
                await self.messenger.send_backup(result, _("💾 <b>Automatic backup</b>"))
            return result
