"""/stats, the weekly digest and /export: what staff read, and the words on the chart and in the CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.categories import Catalogue
from app.models.reports import (
    NO_CATEGORY,
    AdminLine,
    ChartLabels,
    ExportColumn,
    ExportResult,
    Period,
    Spread,
    Stats,
)
from app.models.telegram_text import CAPTION_LIMIT, TEXT_LIMIT, fit, fit_html, shorten
from app.models.tickets import Priority, TicketStatus
from app.texts.formatting import duration, human_size
from app.texts.tickets import PRIORITY_MARKERS, STATUS_MARKERS, category_label, priority_label, status_label

NAME_SHOWN = 40
DATE_FORMAT = "%Y-%m-%d"  # as every date the bot shows (app/texts/formatting.py)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")  # what people type


# --- asking for the period ------------------------------------------------------------------


def choose_period() -> str:
    return _("📊 <b>Stats</b>\nChoose the period:")


def period_button(days: int) -> str:
    return _("Today") if days == 1 else _("{n} days").format(n=days)


def custom_button() -> str:
    return _("📅 Custom range")


def ask_first_date() -> str:
    return _("📅 The first day of the range, e.g. {example} (or 01.03.2026):").format(example="2026-03-01")


def ask_last_date(first: date) -> str:
    return _("📅 From {first} to which day (inclusive)?").format(first=first.strftime(DATE_FORMAT))


def bad_date() -> str:
    return _("I could not read a date there. Please write it like 2026-03-01 or 01.03.2026.")


def range_too_long(days: int) -> str:
    return _("That is more than {n} days. Please choose a shorter range.").format(n=days)


def stats_usage() -> str:
    return _(
        "/stats — choose the period with buttons; /stats 7 or /stats 30 — the last days; "
        "/stats 2026-03-01 2026-03-31 — a range."
    )


def parse_date(text: str) -> date | None:
    word = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(word, pattern).date()
        except ValueError:
            continue
    return None


def working() -> str:
    return _("⏳ Counting…")


# --- the report -----------------------------------------------------------------------------


def period_title(period: Period) -> str:
    first, last = period.first.strftime(DATE_FORMAT), period.last.strftime(DATE_FORMAT)
    days = len(period.days)
    if days == 1:
        return first
    return _("{first} – {last} ({n} days)").format(first=first, last=last, n=days)


def _ms(value: int | None) -> str:
    return duration(timedelta(milliseconds=value)) if value is not None else "—"


def spread(value: Spread) -> str:
    if not value.count:
        return "—"
    return _("median {median}, p90 {p90} ({n} tickets)").format(
        median=_ms(value.median), p90=_ms(value.p90), n=value.count
    )


def csat(average: float | None, count: int) -> str:
    if average is None:
        return _("no ratings")
    return _("{average} ★ ({n} ratings)").format(average=f"{average:.1f}", n=count)


def sla_share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def category_name(key: str, catalogue: Catalogue | None = None) -> str:
    """A report's category key (the catalogue's id) by the category's name in the reader's language."""
    if key == NO_CATEGORY:
        return "—"
    category = catalogue.get(int(key)) if catalogue is not None and key.isdigit() else None
    return category_label(category) if category is not None else escape(shorten(key, NAME_SHOWN))


def summary(stats: Stats) -> str:
    """The headline figures: the chart's caption and the digest's body (well under 1024)."""
    lines = [
        _("📊 <b>Stats: {period}</b>").format(period=period_title(stats.period)),
        _("Opened: {opened} · closed: {closed} · rejected: {rejected} · reopened: {reopened}").format(
            opened=stats.opened, closed=stats.closed, rejected=stats.rejected, reopened=stats.reopened
        ),
        _("⏱ First response: {spread}").format(spread=spread(stats.response)),
        _("✅ Resolution: {spread}").format(spread=spread(stats.resolution)),
        _("🎯 SLA met: {share}").format(share=sla_share(stats.sla_met_share)),
        _("⭐ CSAT: {csat}").format(csat=csat(stats.csat, stats.rated)),
    ]
    if stats.unassigned_open:
        lines.append(_("🆕 Not taken yet: {n}").format(n=stats.unassigned_open))
    return fit_html("\n".join(lines), CAPTION_LIMIT)


def admin_line(line: AdminLine, room: int | None) -> str:
    name = escape(shorten(line.name or str(line.admin_id), min(NAME_SHOWN, room or NAME_SHOWN)))
    return _(
        "• <b>{name}</b>: taken {taken}, closed {closed}, rejected {rejected}; response {response}; "
        "resolution {resolution}; CSAT {csat}"
    ).format(
        name=name,
        taken=line.taken,
        closed=line.closed,
        rejected=line.rejected,
        response=_ms(line.response.median),
        resolution=_ms(line.resolution.median),
        csat=csat(line.csat, line.rated),
    )


def details(stats: Stats, *, everyone: bool, catalogue: Catalogue | None = None) -> str:
    """By category, by priority, by staff member (`everyone`: every admin; else the reader's own line)."""

    def render(room: int | None) -> str:
        categories = " · ".join(f"{category_name(key, catalogue)}: {n}" for key, n in stats.by_category.items()) or "—"
        priorities = " · ".join(
            f"{priority_label(p)}: {stats.by_priority.get(p, 0)}" for p in sorted(Priority, reverse=True)
        )
        admins = [admin_line(line, room) for line in stats.admins]
        if not admins:
            admins = [_("Nobody took or finished a ticket in this period.") if everyone else _("Nothing of yours.")]
        return "\n".join(
            [
                _("<b>Opened by category</b>"),
                categories,
                "",
                _("<b>Opened by priority</b>"),
                priorities,
                "",
                _("<b>By staff member</b>") if everyone else _("<b>Yours</b>"),
                _("Response and resolution are medians."),
                *admins,
            ]
        )

    return fit(render, TEXT_LIMIT).text


def chart_labels(stats: Stats) -> ChartLabels:
    short = "%d.%m" if len(stats.period.days) > 1 else DATE_FORMAT
    return ChartLabels(
        title=_("Tickets per day, {period}").format(period=period_title(stats.period)),
        opened=_("Opened that day"),
        closed=_("Closed that day"),
        response=_("First response, median"),
        minutes=_("min"),
        hours=_("h"),
        days=[day.strftime(short) for day in stats.period.days],
    )


# --- the weekly digest ----------------------------------------------------------------------


def _change(now: float | None, before: float | None, show: Callable[[float], str]) -> str:
    if now is None or before is None:
        return f"{show(before) if before is not None else '—'} → {show(now) if now is not None else '—'}"
    sign = "+" if now > before else "−" if now < before else "±"
    return f"{show(before)} → {show(now)} ({sign}{show(abs(now - before))})"


def changes(stats: Stats, previous: Stats) -> str:
    """What changed since the week before, in one line."""

    def count(value: float) -> str:
        return str(round(value))

    def span(value: float) -> str:
        return _ms(int(value))

    def rating(value: float) -> str:
        return f"{value:.1f}"

    return _(
        "📈 Since the week before: opened {opened}; closed {closed}; first response {response}; CSAT {csat}"
    ).format(
        opened=_change(stats.opened, previous.opened, count),
        closed=_change(stats.closed, previous.closed, count),
        response=_change(stats.response.median, previous.response.median, span),
        csat=_change(stats.csat, previous.csat, rating),
    )


def digest(stats: Stats, previous: Stats) -> str:
    title = _("🗓 <b>Weekly digest</b>")
    return fit_html(f"{title}\n{summary(stats)}\n\n{changes(stats, previous)}", CAPTION_LIMIT)


# --- /export --------------------------------------------------------------------------------


def export_usage(max_days: int) -> str:
    return _("/export — the last 30 days' tickets as a CSV file; /export 90 — the last 90 days (up to {n}).").format(
        n=max_days
    )


def export_busy() -> str:
    return _("⏳ An export is already being written. Please wait for it.")


def export_caption(result: ExportResult, period: Period) -> str:
    return _("📄 Tickets opened {period}: {rows}").format(period=period_title(period), rows=result.rows)


def export_too_big(result: ExportResult, period: Period, limit_mb: int) -> str:
    return _(
        "📄 Tickets opened {period}: {rows}. The file is {size}, more than Telegram lets me send ({limit} MB); "
        "it is on the server: <code>{path}</code>"
    ).format(
        period=period_title(period),
        rows=result.rows,
        size=human_size(result.size),
        limit=limit_mb,
        path=escape(str(result.path)),
    )


def export_failed(path: str) -> str:
    return _("⚠️ Could not send the file. It is on the server: <code>{path}</code>").format(path=escape(path))


def export_headers() -> dict[ExportColumn, str]:
    return {
        ExportColumn.NUMBER: _("Number"),
        ExportColumn.CREATED: _("Created"),
        ExportColumn.FIRST_RESPONSE: _("Taken"),
        ExportColumn.FINISHED: _("Finished"),
        ExportColumn.STATUS: _("Status"),
        ExportColumn.CATEGORY: _("Category"),
        ExportColumn.PRIORITY: _("Priority"),
        ExportColumn.EMPLOYEE: _("Employee"),
        ExportColumn.EMPLOYEE_ID: _("Employee's Telegram id"),
        ExportColumn.ASSIGNEE: _("Assignee"),
        ExportColumn.RESPONSE_MINUTES: _("First response, min"),
        ExportColumn.RESOLUTION_MINUTES: _("Resolution, min"),
        ExportColumn.SLA_MET: _("SLA met"),
        ExportColumn.RATING: _("Rating"),
    }


def plain_status(status: TicketStatus) -> str:
    """The status's words without its marker: a spreadsheet filters on words."""
    return status_label(status).removeprefix(STATUS_MARKERS[status]).strip()


def plain_priority(priority: Priority) -> str:
    return priority_label(priority).removeprefix(PRIORITY_MARKERS[priority]).strip()


def yes_no(value: bool | None) -> str:
    return "" if value is None else _("yes") if value else _("no")
