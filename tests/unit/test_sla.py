"""Working hours, holidays and the SLA clocks (pure rules: app/models/sla.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from hypothesis import given
from hypothesis import strategies as st

from app.models.sla import (
    ClockKind,
    SlaError,
    SlaPolicy,
    Stage,
    parse_holidays,
    parse_target,
    parse_work_hours,
)
from app.models.tickets import Priority, StatusChange, Ticket, TicketStatus
from app.models.users import Person
from app.texts.sla import clock_lines
from app.utils.i18n import LOCALES_DIR

KYIV = ZoneInfo("Europe/Kyiv")
WEEK = parse_work_hours("Mon-Fri 09:00-18:00", "2026-12-25", KYIV)  # 2026-12-25 is a Friday


def kyiv(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=KYIV)


def test_working_time_skips_nights_weekends_and_holidays() -> None:
    assert WEEK.seconds_between(kyiv(7, 17), kyiv(8, 10)) == 2 * 3600  # Mon 17:00 → Tue 10:00
    assert WEEK.seconds_between(kyiv(11, 17), kyiv(14, 10)) == 2 * 3600  # Fri → Mon over a weekend
    assert WEEK.seconds_between(kyiv(24, 17), kyiv(28, 10)) == 2 * 3600  # Thu → Mon over the holiday Friday
    assert WEEK.seconds_between(kyiv(12, 10), kyiv(13, 10)) == 0  # a whole weekend
    assert WEEK.add(kyiv(11, 16), 3 * 3600) == kyiv(14, 10)  # Fri 16:00 + 3 h → Mon 10:00
    assert WEEK.day_seconds == 9 * 3600


def test_opening_hours() -> None:
    assert WEEK.is_open(kyiv(7, 9)) and not WEEK.is_open(kyiv(7, 18)) and not WEEK.is_open(kyiv(25, 12))
    assert WEEK.next_opening(kyiv(7, 12)) is None
    assert WEEK.next_opening(kyiv(11, 19)) == kyiv(14, 9)  # Friday evening → Monday morning
    assert WEEK.next_opening(kyiv(24, 20)) == kyiv(28, 9)  # the holiday is skipped


def test_a_daylight_saving_change_is_a_normal_working_day() -> None:
    # Sunday 2026-03-29 clocks go forward in Kyiv; Monday 09:00-18:00 is still 9 hours.
    assert WEEK.seconds_between(kyiv(27, 18, month=3), kyiv(30, 18, month=3)) == 9 * 3600


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri 9-18", "cannot read"),
        ("Mon-Fri 18:00-09:00", "not a day's range"),
        ("Xyz 09:00-18:00", "cannot read"),
        ("", "no working hours"),
    ],
)
def test_bad_work_hours_say_why(text: str, message: str) -> None:
    with pytest.raises(SlaError, match=message):
        parse_work_hours(text, "", UTC)


def test_several_groups_and_always() -> None:
    hours = parse_work_hours("Mon-Fri 09:00-18:00; Sat 10:00-14:00", "", UTC)
    assert hours.week[5] == ((600, 840),) and hours.week[6] == ()
    assert parse_work_hours("always", "", UTC).always
    with pytest.raises(SlaError, match="not a date"):
        parse_holidays("2026-13-01")
    assert parse_holidays("2026-01-01, 2026-01-07") == {date(2026, 1, 1), date(2026, 1, 7)}


@pytest.mark.parametrize("text", ["15m", "0h/4h", "4x/1d", "1h/2h/3h"])
def test_bad_targets_say_why(text: str) -> None:
    with pytest.raises(SlaError):
        parse_target(text)


POLICY = SlaPolicy(
    WEEK,
    {
        Priority.CRITICAL: parse_target("15m/4h"),
        Priority.HIGH: parse_target("1h/8h"),
        Priority.NORMAL: parse_target("4h/3d"),
        Priority.LOW: parse_target("1d/7d"),
    },
)
OLHA = Person(1, "Olha")


def ticket(priority: Priority, created: datetime, *changes: tuple[datetime, TicketStatus, TicketStatus]) -> Ticket:
    history = [StatusChange(created, None, None, TicketStatus.NEW)]
    history += [StatusChange(at, OLHA, old, new) for at, old, new in changes]
    status = history[-1].to_status
    return Ticket(
        1, 2, None, "Ivan", "+380501234567", "It broke", priority, status, created, history[-1].at, history=history
    )


def clock(t: Ticket, now: datetime, kind: ClockKind) -> tuple[float, Stage | None, bool]:
    found = next(c for c in POLICY.clocks(t, now) if c.kind is kind)
    return found.elapsed, found.stage, found.running


def test_the_response_clock_counts_working_time_only_and_stops_when_taken() -> None:
    friday = ticket(Priority.NORMAL, kyiv(11, 16))
    assert clock(friday, kyiv(14, 10), ClockKind.RESPONSE) == (3 * 3600, None, True)  # 3 h of 4 h
    assert clock(friday, kyiv(14, 10, 13), ClockKind.RESPONSE)[1] is Stage.WARNED  # 80 % = 3 h 12 min
    assert clock(friday, kyiv(14, 11), ClockKind.RESPONSE)[1] is Stage.BREACHED
    taken = ticket(Priority.NORMAL, kyiv(11, 16), (kyiv(14, 9, 30), TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    assert clock(taken, kyiv(20, 10), ClockKind.RESPONSE) == (2.5 * 3600, None, False)


def test_critical_clocks_run_around_the_clock() -> None:
    saturday = ticket(Priority.CRITICAL, kyiv(12, 3))
    assert clock(saturday, kyiv(12, 3, 15), ClockKind.RESPONSE)[1] is Stage.BREACHED


def test_waiting_pauses_the_resolution_clock() -> None:
    t = ticket(
        Priority.HIGH,
        kyiv(7, 9),
        (kyiv(7, 9, 10), TicketStatus.NEW, TicketStatus.IN_PROGRESS),
        (kyiv(7, 10), TicketStatus.IN_PROGRESS, TicketStatus.WAITING),
        (kyiv(8, 10), TicketStatus.WAITING, TicketStatus.IN_PROGRESS),
    )
    elapsed, stage, running = clock(t, kyiv(8, 12), ClockKind.RESOLUTION)
    assert (elapsed, stage, running) == (3 * 3600, None, True)  # 1 h before the wait + 2 h after
    waiting = ticket(Priority.HIGH, kyiv(7, 9), (kyiv(7, 10), TicketStatus.NEW, TicketStatus.WAITING))
    resolution = next(c for c in POLICY.clocks(waiting, kyiv(20, 9)) if c.kind is ClockKind.RESOLUTION)
    assert resolution.elapsed == 3600 and resolution.paused and not resolution.running


@given(st.integers(0, 14 * 24 * 60), st.integers(0, 20 * 24 * 60))
def test_adding_working_time_and_measuring_it_agree(start_minutes: int, seconds: int) -> None:
    start = kyiv(1, 0) + timedelta(minutes=start_minutes)
    end = WEEK.add(start, seconds)
    assert WEEK.seconds_between(start, end) == pytest.approx(seconds)


def test_the_cards_clock_lines() -> None:
    i18n = I18n(path=LOCALES_DIR, default_locale="uk", domain="messages")
    t = ticket(Priority.HIGH, kyiv(7, 9), (kyiv(7, 9, 10), TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    waiting = ticket(
        Priority.HIGH,
        kyiv(7, 9),
        (kyiv(7, 9, 10), TicketStatus.NEW, TicketStatus.IN_PROGRESS),
        (kyiv(8, 10), TicketStatus.IN_PROGRESS, TicketStatus.WAITING),
    )
    with i18n.context(), i18n.use_locale("en"):
        assert clock_lines(POLICY.clocks(t, kyiv(7, 12))) == ["⏱ Resolution: within 5 h"]
        assert clock_lines(POLICY.clocks(t, kyiv(8, 11))) == ["🔥 Resolution: overdue by 3 h"]  # 9 h + 2 h of 8 h
        assert clock_lines(POLICY.clocks(waiting, kyiv(8, 12))) == [
            "🔥 Resolution: overdue by 2 h (paused while waiting for the employee)"
        ]
        fresh = ticket(Priority.NORMAL, kyiv(7, 9))
        assert clock_lines(POLICY.clocks(fresh, kyiv(7, 10))) == [
            "⏱ First response: within 3 h",
            "⏱ Resolution: within 26 h",
        ]
