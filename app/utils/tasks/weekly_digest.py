"""The weekly digest job: Monday morning in TIMEZONE, last week's stats to the super-admin
(app/services/reports/digest.py; once per week, claimed in the database before sending)."""

from __future__ import annotations

import logging

from apscheduler.triggers.cron import CronTrigger

from app.services.reports.digest import DIGEST_TIME, DIGEST_WEEKDAY, WeeklyDigest
from config import Settings

logger = logging.getLogger(__name__)

DIGEST_JOB = "weekly_digest"
DIGEST_CATCH_UP_JOB = "weekly_digest_catch_up"
MISFIRE_GRACE_SECONDS = 6 * 3600  # a loop busy at 09:00 (or a laptop asleep) still sends it that morning
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def trigger(settings: Settings) -> CronTrigger:
    return CronTrigger(
        day_of_week=WEEKDAYS[DIGEST_WEEKDAY],
        hour=DIGEST_TIME.hour,
        minute=DIGEST_TIME.minute,
        timezone=settings.zone,
    )


async def send_weekly_digest(digest: WeeklyDigest) -> bool:
    try:
        return await digest.run()
    except Exception:
        logger.exception("The weekly digest failed")
        return False
