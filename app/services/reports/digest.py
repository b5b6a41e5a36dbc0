"""The weekly digest: on Monday morning (TIMEZONE) the super-admin gets last week's stats — the
chart with the summary, and what changed since the week before.

Once per week, whatever runs it: the week is claimed in `report_state` before anything is sent
(a unique id; a second process, a restart or a late run finds it taken). A digest whose sending
failed is not tried again: a missed digest is better than two.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from app.db.reports import ReportStateRepository
from app.models.reports import Period
from app.services.reports.chart import chart_png
from app.services.reports.stats import StatsService
from app.services.superadmin_messages import SuperAdminMessenger
from app.texts import reports as texts

logger = logging.getLogger(__name__)

DIGEST_WEEKDAY = 0  # Monday
DIGEST_TIME = time(9, 0)  # local, TIMEZONE


def week_key(day: date) -> str:
    """The ISO week `day` is in, e.g. "2026-W49" (sorts as the weeks do)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


class WeeklyDigest:
    def __init__(self, stats: StatsService, state: ReportStateRepository, messenger: SuperAdminMessenger) -> None:
        self.stats = stats
        self.state = state
        self.messenger = messenger

    def this_monday(self) -> date:
        today = self.stats.today()
        return today - timedelta(days=(today.weekday() - DIGEST_WEEKDAY) % 7)

    def last_week(self) -> Period:
        monday = self.this_monday()
        return self.stats.between(monday - timedelta(days=7), monday - timedelta(days=1))

    def due_at(self) -> datetime:
        """This week's digest time (it may have passed)."""
        return datetime.combine(self.this_monday(), DIGEST_TIME, tzinfo=self.stats.zone)

    async def missed(self) -> bool:
        """At start-up: this week's digest was due while the bot was down. Only for a bot that has
        sent digests before: a new installation starts with next Monday's."""
        last = await self.state.last_digest_week()
        return last is not None and last < week_key(self.this_monday()) and self.stats.clock() >= self.due_at()

    async def run(self) -> bool:
        """Last week's digest, if this week's has not been claimed yet; True if it was sent."""
        week = week_key(self.this_monday())
        if not await self.state.claim_digest(week, self.stats.clock()):
            logger.info("Weekly digest %s already sent", week)
            return False
        period = self.last_week()
        stats = await self.stats.compute(period)
        previous = await self.stats.compute(period.before())
        await self.messenger.refresh_language()
        with self.messenger.locale():
            caption = texts.digest(stats, previous)
            labels = texts.chart_labels(stats)
        png = await chart_png(stats.days, labels)
        sent = await self.messenger.send_photo(png, f"digest-{week}.png", caption)
        if sent:
            await self.state.digest_sent(week, self.stats.clock())
        logger.info("Weekly digest %s %s", week, "sent" if sent else "not delivered")
        return sent
