"""When the next automatic backup runs.

The backup job is a one-off `DateTrigger`, re-planned after every backup: the next run is
the last successful regular backup (persisted in MongoDB, `backup_state`) plus
BACKUP_INTERVAL_DAYS, so a restart neither resets nor skips it; when that moment has
passed (the bot was down), it runs `startup_delay` seconds after start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from app.models.backups import BackupResult, next_backup_at
from app.services.backups.service import BackupService
from app.utils.clock import Clock
from config import Settings

logger = logging.getLogger(__name__)

BACKUP_JOB = "backup"


def capped_due(due: datetime, now: datetime, days: int) -> datetime:
    """A last backup recorded while the clock was ahead must not hold off the next for longer
    than one interval."""
    return min(due, now + timedelta(days=days))


class BackupSchedule:
    """`next_run_at` is None when automatic backups are switched off."""

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
        self.interval_days = settings.backup_interval_days
        self.zone = settings.zone
        self.clock = clock
        self.startup_delay = timedelta(seconds=startup_delay)
        self.next_run_at: datetime | None = None
        self.job: Callable[[], Awaitable[Any]] | None = None  # the coroutine the trigger runs

    async def plan(self) -> None:
        """At start-up: from the persisted last success, or soon if overdue (or never done)."""
        if not self.enabled:
            return
        state = await self.backups.last_backup()
        now = self.clock()
        due = next_backup_at(state.last_success_at, self.interval_days, self.zone) if state else now
        self.set(capped_due(due, now, self.interval_days) if due > now else now + self.startup_delay)

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
        due = next_backup_at(result.metadata.created_at, self.interval_days, self.zone)
        self.set(capped_due(due, self.clock(), self.interval_days))

    def retry_later(self, delay: timedelta) -> None:
        self.set(self.clock() + delay)
