"""Texts about MongoDB health for the super-admin: alerts and the /health report."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

import aiogram
import pymongo

from app import __version__
from app.models.backups import BackupState
from app.models.health import Alert, AlertKind, ServerInfo
from app.texts.backups import schedule_lines
from app.texts.formatting import duration, human_size, when
from app.utils.i18n_text import gettext as _


def alert_text(alert: Alert) -> str:
    if alert.kind is AlertKind.RECOVERED:
        return _("🟢 <b>MongoDB is back.</b>\nThe outage lasted {duration} (since {since}).").format(
            duration=duration(alert.outage), since=when(alert.since, seconds=True)
        )
    if alert.kind is AlertKind.STILL_DOWN:
        return _("🔴 <b>MongoDB is still unavailable</b> — for {duration} now (since {since}).\n{error}").format(
            duration=duration(alert.outage), since=when(alert.since, seconds=True), error=escape(alert.error)
        )
    return _(
        "🔴 <b>MongoDB is unavailable</b> since {since}.\n"
        "Ping failed: {error}\n"
        "Users are told the service is temporarily unavailable; I will report when it is back."
    ).format(since=when(alert.since, seconds=True), error=escape(alert.error))


def embedded_restarted(answers: bool) -> str:
    if answers:
        return _("🔁 <b>The embedded database had stopped</b>, so I restarted it; it answers again.")
    return _("🔁 <b>The embedded database had stopped.</b> I restarted it, but it does not answer yet.")


def embedded_restart_failed(error: str) -> str:
    return _("🔴 <b>The embedded database has stopped</b> and I could not restart it: {error}").format(
        error=escape(error)
    )


def health_report(
    info: ServerInfo,
    *,
    started_at: datetime,
    now: datetime,
    down_since: datetime | None,
    last_backup: BackupState | None,
    next_backup: datetime | None,
    logs: tuple[int, int, Path],
    embedded_in: Path | None = None,
) -> str:
    """`embedded_in`: the embedded server's data folder when the bot runs on it (no MONGODB_URI)."""
    if info.ping.ok and info.ping.latency_ms is not None:
        database = _("🟢 available, ping {ms} ms").format(ms=f"{info.ping.latency_ms:.1f}")
    else:
        database = _("🔴 unavailable: {error}").format(error=escape(info.ping.error))
    if embedded_in is not None:
        database += " · " + _(
            "embedded (nx-27017, <code>{path}</code>): for trying the bot, not for production"
        ).format(path=escape(str(embedded_in.resolve())))
    log_bytes, log_files, log_dir = logs
    versions = " · ".join(
        [
            f"app {__version__}",
            f"aiogram {aiogram.__version__}",
            f"PyMongo {pymongo.__version__}",
            f"MongoDB {escape(info.version or '?')}",
        ]
    )
    lines = [
        _("🩺 <b>Health</b>"),
        _("Database: {status}").format(status=database),
        _("Uptime: {duration} (since {since})").format(
            duration=duration(now - started_at), since=when(started_at, seconds=True)
        ),
        _("Versions: {versions}").format(versions=versions),
        *schedule_lines(last_backup, next_backup),
        _("Logs: {size}, files: {files} (<code>{path}</code>)").format(
            size=human_size(log_bytes), files=log_files, path=escape(str(log_dir.resolve()))
        ),
    ]
    if down_since is not None:
        lines.append(
            _("⚠️ The health check has seen the database down since {since}.").format(
                since=when(down_since, seconds=True)
            )
        )
    return "\n".join(lines)
