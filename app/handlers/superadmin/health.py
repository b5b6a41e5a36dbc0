"""/health (and «🩺 Health»): database, uptime, versions, backups and logs at a glance."""

from __future__ import annotations

import asyncio
from html import escape

import aiogram
import pymongo
from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app import __version__
from app.keyboards import labels
from app.services.backups.files import directory_size
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.health import HealthMonitor
from app.texts import reliability as rt
from config import Settings


async def health_report(
    health: HealthMonitor, backups: BackupService, schedule: BackupSchedule, settings: Settings
) -> str:
    info = await health.server_info()
    if info.ping.ok and info.ping.latency_ms is not None:
        database = _("🟢 available, ping {ms} ms").format(ms=f"{info.ping.latency_ms:.1f}")
    else:
        database = _("🔴 unavailable: {error}").format(error=escape(info.ping.error))
    now = health.clock()
    state = await backups.last_backup() if info.ping.ok else None
    last = f"{rt.moment(state.last_success_at)} (<code>{escape(state.last_file)}</code>)" if state else _("none yet")
    upcoming = rt.moment(schedule.next_run_at) if schedule.next_run_at else _("automatic backups are off")
    log_bytes, log_files = await asyncio.to_thread(directory_size, settings.log_dir)
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
            duration=rt.duration(now - health.started_at), since=rt.moment(health.started_at)
        ),
        _("Versions: {versions}").format(versions=versions),
        _("Last backup: {value}").format(value=last),
        _("Next backup: {value}").format(value=upcoming),
        _("Logs: {size}, files: {files} (<code>{path}</code>)").format(
            size=rt.human_size(log_bytes), files=log_files, path=escape(str(settings.log_dir.resolve()))
        ),
    ]
    if health.down_since is not None:
        lines.append(
            _("⚠️ The health check has seen the database down since {since}.").format(since=rt.moment(health.down_since))
        )
    return "\n".join(lines)


async def show_health(
    message: Message,
    health: HealthMonitor,
    backups: BackupService,
    backup_schedule: BackupSchedule,
    settings: Settings,
) -> None:
    await message.answer(await health_report(health, backups, backup_schedule, settings))


def create_router() -> Router:
    router = Router(name="superadmin_health")
    router.message.register(show_health, StateFilter(None), Command("health"))
    router.message.register(show_health, StateFilter(None), F.text == labels.HEALTH)
    return router
