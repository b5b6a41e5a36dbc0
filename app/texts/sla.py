"""What people read about service-level targets: the card's clocks, the watch's reminders and
"staff are back at …" outside working hours. Durations are clock time: working time for clocks
that run in working hours only."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.sla import Clock, ClockKind, Stage
from app.models.tickets import Ticket
from app.texts.formatting import duration, short, when

DESCRIPTION_SHOWN = 60


def _what(clock: Clock) -> str:
    return _("first response") if clock.kind is ClockKind.RESPONSE else _("resolution")


def span(seconds: float, clock: Clock) -> str:
    """A clock's time: working time in hours and minutes (26 h, not "1 d 2 h" of a 24-hour day)."""
    if not clock.working:
        return duration(timedelta(seconds=seconds))
    minutes = max(0, int(seconds // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("{h} h {m} min").format(h=hours, m=minutes)
    return _("{n} h").format(n=hours) if hours else _("{n} min").format(n=minutes)


def clock_line(clock: Clock) -> str | None:
    """The card's line for a clock still counting (or paused); None for a stopped one."""
    left, over = span(clock.left, clock), span(-clock.left, clock)
    if clock.paused and clock.stage is Stage.BREACHED:
        return _("🔥 {what}: overdue by {over} (paused while waiting for the employee)").format(
            what=_what(clock).capitalize(), over=over
        )
    if clock.paused:
        return _("⏸ Resolution clock paused while waiting for the employee ({left} left)").format(left=left)
    if not clock.running:
        return None
    if clock.stage is Stage.BREACHED:
        return _("🔥 {what}: overdue by {over}").format(what=_what(clock).capitalize(), over=over)
    return _("⏱ {what}: within {left}").format(what=_what(clock).capitalize(), left=left)


def clock_lines(clocks: list[Clock]) -> list[str]:
    return [line for line in (clock_line(clock) for clock in clocks) if line is not None]


def reminder(ticket: Ticket, clock: Clock) -> str:
    """The watch's message: at 80 % of a target, and when it is missed."""
    about = escape(short(ticket.description, DESCRIPTION_SHOWN))
    if clock.stage is Stage.BREACHED:
        return _("🔥 Ticket #{number} «{about}» is overdue: the {what} target ({target}) is missed.").format(
            number=ticket.number, about=about, what=_what(clock), target=span(clock.target, clock)
        )
    return _("⏰ Ticket #{number} «{about}»: {what} due within {left}.").format(
        number=ticket.number, about=about, what=_what(clock), left=span(clock.left, clock)
    )


def back_at(opening: datetime) -> str:
    """Under "Ticket #N created" outside working hours."""
    return _("🌙 Support is not at work now; staff will be back {at}.").format(at=when(opening))
