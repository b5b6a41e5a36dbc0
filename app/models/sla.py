"""Service-level targets: working hours and holidays, and the clocks of a ticket.

Pure rules (no I/O), read once from the settings:
- WORK_HOURS: groups "Days HH:MM-HH:MM" separated by ";", days a range ("Mon-Fri") or one day
  ("Sat"), in TIMEZONE; "always" for 24/7. HOLIDAYS: ISO dates, comma separated.
- SLA_<PRIORITY>: "first response/resolution", each a number with m, h or d: "15m/4h", "4h/3d".
  Critical tickets' clocks run 24/7 (d = 24 h); the others' run in working hours only, and a
  day ("d") is one full working day of working time (9 h for 09:00-18:00).
- The response clock runs from filing until staff first take the ticket; the resolution clock
  from filing until it is closed or rejected, paused while it waits for the employee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from app.models.tickets import Priority, StatusChange, Ticket, TicketStatus

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WARN_AT = 0.8  # the first reminder, at 80 % of a target
_GROUP = re.compile(r"^(\w{3})(?:-(\w{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhd])$")
_SEARCH_DAYS = 400  # how far ahead a deadline or an opening is looked for (a year of holidays)


class SlaError(ValueError):
    """A malformed WORK_HOURS, HOLIDAYS or SLA_* value."""


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """Per weekday (0 = Monday) the working intervals in minutes from midnight; holidays off."""

    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]
    zone: tzinfo

    @property
    def always(self) -> bool:
        return all(day == ((0, 24 * 60),) for day in self.week) and not self.holidays

    @property
    def day_seconds(self) -> float:
        """One working day: the longest day's working time."""
        return max(sum(end - start for start, end in day) for day in self.week) * 60.0

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        spans = []
        for start, end in self.week[day.weekday()]:
            opens = datetime.combine(day, time(), self.zone) + timedelta(minutes=start)
            spans.append((opens, datetime.combine(day, time(), self.zone) + timedelta(minutes=end)))
        return spans

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time from `start` to `end` (0 if end is not after start)."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            for opens, closes in self._intervals(day):
                total += max(0.0, (min(closes, end) - max(opens, start)).total_seconds())
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start`."""
        left = seconds
        day = start.astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            for opens, closes in self._intervals(day):
                begin = max(opens, start)
                if closes <= begin:
                    continue
                room = (closes - begin).total_seconds()
                if left <= room:
                    return begin + timedelta(seconds=left)
                left -= room
            day += timedelta(days=1)
        return start + timedelta(seconds=seconds)  # no working time at all: plain time

    def is_open(self, at: datetime) -> bool:
        return any(opens <= at < closes for opens, closes in self._intervals(at.astimezone(self.zone).date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """When staff are next at work after `at` (None: open now, or never)."""
        if self.is_open(at):
            return None
        day = at.astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            for opens, _closes in self._intervals(day):
                if opens > at:
                    return opens
            day += timedelta(days=1)
        return None


ALWAYS = ((0, 24 * 60),)


def parse_work_hours(text: str, holidays: str, zone: tzinfo) -> WorkingTime:
    value = " ".join(text.split()).lower()
    if value in ("always", "24/7"):
        return WorkingTime((ALWAYS,) * 7, parse_holidays(holidays), zone)
    week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for group in filter(None, (part.strip() for part in value.split(";"))):
        match = _GROUP.match(group)
        if not match or match.group(1) not in DAYS or (match.group(2) and match.group(2) not in DAYS):
            raise SlaError(f"cannot read {group!r}")
        first = DAYS.index(match.group(1))
        last = DAYS.index(match.group(2)) if match.group(2) else first
        start = int(match.group(3)) * 60 + int(match.group(4))
        end = int(match.group(5)) * 60 + int(match.group(6))
        if not 0 <= start < end <= 24 * 60 or int(match.group(4)) > 59 or int(match.group(6)) > 59:
            raise SlaError(f"the hours in {group!r} are not a day's range")
        for day in range(first, (last if last >= first else last + 7) + 1):
            week[day % 7].append((start, end))
    if not any(week):
        raise SlaError("no working hours at all")
    return WorkingTime(tuple(tuple(sorted(day)) for day in week), parse_holidays(holidays), zone)


def parse_holidays(text: str) -> frozenset[date]:
    found = set()
    for word in filter(None, re.split(r"[,\s]+", text.strip())):
        try:
            found.add(date.fromisoformat(word))
        except ValueError:
            raise SlaError(f"{word!r} is not a date like 2026-12-25") from None
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Span:
    amount: float
    unit: str  # m, h, d

    def seconds(self, working: WorkingTime | None) -> float:
        if self.unit == "m":
            return self.amount * 60
        if self.unit == "h":
            return self.amount * 3600
        return self.amount * (working.day_seconds if working is not None else 86400)


def parse_target(text: str) -> tuple[Span, Span]:
    """ "15m/4h" → (first response, resolution)."""
    parts = [part.strip().lower() for part in text.split("/")]
    if len(parts) != 2:
        raise SlaError(f"{text!r} is not 'response/resolution', like 4h/3d")
    spans = []
    for part in parts:
        match = _SPAN.match(part)
        if not match or float(match.group(1)) <= 0:
            raise SlaError(f"{part!r} is not a positive number with m, h or d")
        spans.append(Span(float(match.group(1)), match.group(2)))
    return spans[0], spans[1]


class ClockKind(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


class Stage(StrEnum):
    WARNED = "warned"  # 80 % of the target gone
    BREACHED = "breached"


@dataclass(frozen=True, slots=True)
class Clock:
    kind: ClockKind
    target: float  # seconds of clock time
    elapsed: float
    running: bool  # still counting (stopped: met or missed for good; paused: waiting)
    paused: bool = False
    working: bool = False  # counted in working time (said in hours: a "day" would read as 24 h)

    @property
    def left(self) -> float:
        return self.target - self.elapsed

    @property
    def stage(self) -> Stage | None:
        if self.elapsed >= self.target:
            return Stage.BREACHED
        return Stage.WARNED if self.elapsed >= WARN_AT * self.target else None


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    working: WorkingTime
    targets: dict[Priority, tuple[Span, Span]]

    def clock_of(self, priority: Priority) -> WorkingTime | None:
        """None: 24/7 (critical tickets, or a service open around the clock)."""
        return None if priority is Priority.CRITICAL or self.working.always else self.working

    def _spent(self, clock: WorkingTime | None, start: datetime, end: datetime) -> float:
        return (end - start).total_seconds() if clock is None else clock.seconds_between(start, end)

    def clocks(self, ticket: Ticket, now: datetime) -> list[Clock]:
        """The ticket's response and resolution clocks at `now`."""
        clock = self.clock_of(ticket.priority)
        response, resolution = self.targets[ticket.priority]
        taken = first_taken(ticket.history)
        responded_at = taken if taken is not None else now
        result = [
            Clock(
                ClockKind.RESPONSE,
                response.seconds(clock),
                self._spent(clock, ticket.created_at, responded_at),
                running=taken is None and ticket.status.is_active,
                working=clock is not None,
            )
        ]
        end = ticket.finished_at if not ticket.status.is_active else now
        waited = sum(self._spent(clock, start, stop) for start, stop in waiting_spans(ticket.history, end))
        result.append(
            Clock(
                ClockKind.RESOLUTION,
                resolution.seconds(clock),
                self._spent(clock, ticket.created_at, end) - waited,
                running=ticket.status.is_active and ticket.status is not TicketStatus.WAITING,
                paused=ticket.status is TicketStatus.WAITING,
                working=clock is not None,
            )
        )
        return result

    def overdue(self, ticket: Ticket, now: datetime) -> bool:
        return any(c.stage is Stage.BREACHED for c in self.clocks(ticket, now) if c.running or c.paused)


def first_taken(history: list[StatusChange]) -> datetime | None:
    taken = [change.at for change in history if change.to_status is TicketStatus.IN_PROGRESS]
    return min(taken) if taken else None


def waiting_spans(history: list[StatusChange], end: datetime) -> list[tuple[datetime, datetime]]:
    """When the ticket waited for its employee (the last wait may still go on until `end`)."""
    spans: list[tuple[datetime, datetime]] = []
    started: datetime | None = None
    for change in history:
        if change.to_status is TicketStatus.WAITING and change.from_status is not TicketStatus.WAITING:
            started = change.at
        elif started is not None and change.to_status is not TicketStatus.WAITING:
            spans.append((started, change.at))
            started = None
    if started is not None:
        spans.append((started, end))
    return spans
