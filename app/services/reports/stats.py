"""/stats and the weekly digest: the period's figures from the database's aggregations.

The repository (app/db/reports.py) returns a few rows per group; here they are added up and the
nearest-rank percentiles picked from the durations those rows carry. Nothing here reads a ticket.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, tzinfo

from app.db.reports import ReportRepository
from app.models.reports import (
    PERIOD_DAYS,
    AdminLine,
    FinishedByAdmin,
    OpenedByAdmin,
    Period,
    PeriodKind,
    Spread,
    Stats,
)
from app.models.tickets import Priority
from app.utils.clock import Clock, utc_now


class StatsService:
    def __init__(self, reports: ReportRepository, zone: tzinfo, clock: Clock = utc_now) -> None:
        self.reports = reports
        self.zone = zone
        self.clock = clock

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def period(self, kind: PeriodKind) -> Period:
        """Today, or the last 7 / 30 days with today (CUSTOM is asked for: `between`)."""
        return Period.last_days(PERIOD_DAYS.get(kind, 1), self.today(), self.zone)

    def last_days(self, days: int) -> Period:
        return Period.last_days(days, self.today(), self.zone)

    def between(self, first: date, last: date) -> Period:
        return Period(min(first, last), max(first, last), self.zone)

    async def compute(self, period: Period) -> Stats:
        by_category, opened, finished, days, reopened = await asyncio.gather(
            self.reports.opened_by_category(period),
            self.reports.opened_by_admin(period),
            self.reports.finished_by_admin(period),
            self.reports.by_day(period),
            self.reports.reopens(period),
        )
        categories: dict[str, int] = defaultdict(int)
        priorities: dict[Priority, int] = dict.fromkeys(Priority, 0)
        for row in by_category:
            categories[row.category] += row.opened
            for priority, n in row.by_priority.items():
                priorities[priority] += n
        return Stats(
            period=period,
            opened=sum(categories.values()),
            closed=sum(row.closed for row in finished),
            rejected=sum(row.rejected for row in finished),
            reopened=reopened,
            by_category=dict(sorted(categories.items(), key=lambda item: (-item[1], item[0]))),
            by_priority=priorities,
            response=Spread.of(d for row in opened for d in row.responses),
            resolution=Spread.of(d for row in finished for d in row.resolutions),
            rated=sum(row.rated for row in finished),
            rating_sum=sum(row.rating_sum for row in finished),
            sla_met=sum(row.sla_met for row in finished),
            sla_counted=sum(row.sla_counted for row in finished),
            admins=admin_lines(opened, finished),
            days=days,
            unassigned_open=sum(row.opened for row in opened if row.admin_id is None),
        )


def admin_lines(opened: list[OpenedByAdmin], finished: list[FinishedByAdmin]) -> list[AdminLine]:
    """One line per staff member who took or finished a ticket of the period, busiest first."""
    lines: dict[int, AdminLine] = {}
    for o in opened:
        if o.admin_id is not None:
            lines[o.admin_id] = AdminLine(o.admin_id, o.name, taken=len(o.responses), response=Spread.of(o.responses))
    for f in finished:
        if f.admin_id is None:
            continue
        line = lines.get(f.admin_id) or AdminLine(f.admin_id, f.name)
        lines[f.admin_id] = AdminLine(
            line.admin_id,
            line.name or f.name,
            taken=line.taken,
            closed=f.closed,
            rejected=f.rejected,
            response=line.response,
            resolution=Spread.of(f.resolutions),
            rated=f.rated,
            rating_sum=f.rating_sum,
        )
    return sorted(lines.values(), key=lambda a: (-(a.closed + a.rejected), -a.taken, a.name.casefold(), a.admin_id))
