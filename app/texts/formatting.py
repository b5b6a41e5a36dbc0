"""The one way each kind of value is written for people: dates, durations, sizes, short quotes, links.

Uses the gettext shared with the operator's CLI (app/utils/i18n_text.py), so the CLI and the bot
format alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from html import escape

from app.models.telegram_text import shorten, utf16_len
from app.utils.clock import display_zone
from app.utils.i18n_text import gettext as _


def when(moment: datetime | None, *, seconds: bool = False, zone: tzinfo | None = None) -> str:
    """A date and time in TIMEZONE (or `zone`), e.g. "2026-12-03 23:49 EET" ("—" when there is none)."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone or display_zone())
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def duration(span: timedelta) -> str:
    """A length of time in words, e.g. "2 d 3 h", "1 h 5 min", "40 s"."""
    seconds = max(0, int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("{n} d").format(n=days))
    if hours:
        parts.append(_("{n} h").format(n=hours))
    if minutes and not days:
        parts.append(_("{n} min").format(n=minutes))
    if not parts:
        parts.append(_("{n} s").format(n=seconds))
    return " ".join(parts)


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, to the minute: "5 min", "3 h 20 min" (under two days), "4 days"."""
    minutes = int(((now or datetime.now(UTC)) - moment).total_seconds() // 60)
    if minutes < 60:
        return _("{n} min").format(n=max(minutes, 0))
    if minutes < 48 * 60:
        return _("{h} h {m} min").format(h=minutes // 60, m=minutes % 60)
    return _("{d} days").format(d=minutes // (24 * 60))


def stopwatch(seconds: float) -> str:
    """m:ss or h:mm:ss, for a countdown: reads the same in every language, so it needs no translation."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def human_size(size: int) -> str:
    if size < 1024:
        return _("{value} B").format(value=size)
    if size < 1024 * 1024:
        return _("{value} KB").format(value=f"{size / 1024:.1f}")
    if size < 1024**3:
        return _("{value} MB").format(value=f"{size / 1024**2:.1f}")
    return _("{value} GB").format(value=f"{size / 1024**3:.2f}")


def short(text: str, limit: int = 40) -> str:
    """One line of at most `limit` UTF-16 units (as Telegram counts), "…" where it was cut."""
    return shorten(" ".join(text.split()), limit)


def counted_length(text: str) -> str:
    """A text's length as Telegram counts it (UTF-16 units), for "yours has {n}" — with a word
    of explanation when emoji made it longer than the letters a person sees."""
    units = utf16_len(text)
    if units == len(text):
        return str(units)
    return _("{n} (as in Telegram, an emoji counts as two characters)").format(n=units)


def telegram_link(user_id: int, username: str | None) -> str:
    """@username, or a link that opens the person's profile when they have none (HTML)."""
    if username:
        return f"@{escape(username)}"
    return f'<a href="tg://user?id={user_id}">{user_id}</a>'
