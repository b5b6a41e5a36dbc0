"""The current time as a dependency: services take a `Clock`, tests pass their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _DisplayZone:
    """The zone people read times in (TIMEZONE): configured once per process where it starts its
    work (the bot's run, an operator command), like logging, and read by every renderer. A
    process-wide setting rather than a context variable: jobs and tests call renderers from
    tasks that did not start inside the bot's run."""

    zone: tzinfo = UTC


def use_display_zone(zone: tzinfo) -> None:
    _DisplayZone.zone = zone


def display_zone() -> tzinfo:
    return _DisplayZone.zone
