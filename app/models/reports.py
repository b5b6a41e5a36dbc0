"""Reports: the period a report covers, what the database's aggregations return, and the stats
built from them (app/db/reports.py computes, app/services/reports/ assembles and renders)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from app.models.tickets import RATING_MAX, RATING_MIN, Priority, epoch_ms

NO_CATEGORY = ""  # tickets filed before categories existed, or without one
MAX_REPORT_DAYS = 366  # a custom range, and /export's days, stop here (a year and a leap day)


class PeriodKind(StrEnum):
    """The period buttons (the short values travel in callback data)."""

    TODAY = "t"
    WEEK = "w"
    MONTH = "m"
    CUSTOM = "c"


PERIOD_DAYS = {PeriodKind.TODAY: 1, PeriodKind.WEEK: 7, PeriodKind.MONTH: 30}


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The first moment of `day` in `zone` (a DST change makes some days 23 or 25 hours long)."""
    return datetime.combine(day, time(), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days, `first` to `last` inclusive, in `zone`."""

    first: date
    last: date
    zone: tzinfo

    @classmethod
    def last_days(cls, days: int, today: date, zone: tzinfo) -> Period:
        """`days` days ending with today (today alone for 1)."""
        return cls(today - timedelta(days=days - 1), today, zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def bounds(self) -> list[int]:
        """Epoch ms of each day's local midnight and of the midnight after the last day: what the
        per-day aggregations bucket by (computed here, so the database needs no time zone)."""
        return [epoch_ms(local_midnight(day, self.zone)) for day in [*self.days, self.last + timedelta(days=1)]]

    @property
    def start_ms(self) -> int:
        return epoch_ms(local_midnight(self.first, self.zone))

    @property
    def end_ms(self) -> int:
        return epoch_ms(local_midnight(self.last + timedelta(days=1), self.zone))

    def before(self) -> Period:
        """The period of the same length just before this one (the digest's "previous week")."""
        length = self.last - self.first + timedelta(days=1)
        return Period(self.first - length, self.last - length, self.zone)


def percentile(ordered: Sequence[int], share: float) -> int | None:
    """The nearest-rank percentile of sorted values (None for none): the smallest value with at
    least `share` of the values at or below it — always one of the values, never interpolated."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class Spread:
    """How long something took across tickets (milliseconds): the median and the 90th percentile."""

    count: int = 0
    median: int | None = None
    p90: int | None = None

    @classmethod
    def of(cls, values: Iterable[int | None]) -> Spread:
        ordered = sorted(v for v in values if v is not None)
        return cls(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


# --- what the aggregations return (app/db/reports.py) ------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenedByCategory:
    category: str  # NO_CATEGORY when the tickets have none
    opened: int
    by_priority: dict[Priority, int]


@dataclass(frozen=True, slots=True)
class OpenedByAdmin:
    """Tickets opened in the period, by their assignee now (None: nobody has taken them)."""

    admin_id: int | None
    name: str
    opened: int
    responses: list[int]  # time to first response (ms) of those taken


@dataclass(frozen=True, slots=True)
class FinishedByAdmin:
    """Tickets finished in the period, by the assignee who had them."""

    admin_id: int | None
    name: str
    closed: int
    rejected: int
    resolutions: list[int]  # created → closed (ms) of the closed ones
    rated: int
    rating_sum: int
    sla_met: int = 0
    sla_counted: int = 0  # finished tickets that had an SLA target (0 until tickets carry `sla`)


@dataclass(frozen=True, slots=True)
class DayCounts:
    """One local day: opened that day (and their first responses), finished that day."""

    day: date
    opened: int = 0
    closed: int = 0
    rejected: int = 0
    responses: list[int] = field(default_factory=list)

    @property
    def response_median(self) -> int | None:
        return percentile(sorted(self.responses), 0.5)


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminLine:
    admin_id: int
    name: str
    taken: int = 0  # opened in the period and taken (their first response is in `response`)
    closed: int = 0
    rejected: int = 0
    response: Spread = Spread()
    resolution: Spread = Spread()
    rated: int = 0
    rating_sum: int = 0

    @property
    def csat(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


@dataclass(frozen=True, slots=True)
class Stats:
    period: Period
    opened: int
    closed: int
    rejected: int
    reopened: int
    by_category: dict[str, int]
    by_priority: dict[Priority, int]
    response: Spread
    resolution: Spread
    rated: int
    rating_sum: int
    sla_met: int
    sla_counted: int
    admins: list[AdminLine]
    days: list[DayCounts]
    unassigned_open: int = 0  # opened in the period, taken by nobody (yet)

    @property
    def csat(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    @property
    def sla_met_share(self) -> float | None:
        """None while no finished ticket of the period had an SLA target."""
        return self.sla_met / self.sla_counted if self.sla_counted else None

    def seen_by(self, admin_id: int) -> Stats:
        """What an ordinary staff member sees: the totals and their own line only."""
        return replace(self, admins=[line for line in self.admins if line.admin_id == admin_id])


def valid_rating(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX


class ExportColumn(StrEnum):
    """The CSV's columns, in order (their headers are worded in app/texts/reports.py)."""

    NUMBER = "number"
    CREATED = "created"
    FIRST_RESPONSE = "first_response"
    FINISHED = "finished"
    STATUS = "status"
    CATEGORY = "category"
    PRIORITY = "priority"
    EMPLOYEE = "employee"
    EMPLOYEE_ID = "employee_id"
    ASSIGNEE = "assignee"
    RESPONSE_MINUTES = "response_minutes"
    RESOLUTION_MINUTES = "resolution_minutes"
    SLA_MET = "sla_met"
    RATING = "rating"


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every word on the chart, in the reader's language (app/texts/reports.py)."""

    title: str
    opened: str
    closed: str
    response: str
    minutes: str
    hours: str
    days: list[str]  # one label per day, as the x axis shows it


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: str
    rows: int
    size: int
