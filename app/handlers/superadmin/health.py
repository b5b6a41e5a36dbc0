"""/health (and «🩺 Health»): database, uptime, versions, backups and logs at a glance."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Message

from app.services.backups.files import directory_size
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.health import HealthMonitor
from app.texts import health as texts
from app.texts import labels
from app.utils.logging_setup import FILE_GLOB
from config import Settings


async def health_report(
    health: HealthMonitor, backups: BackupService, schedule: BackupSchedule, settings: Settings
) -> str:
    info = await health.server_info()
    state = await backups.last_backup() if info.ping.ok else None
    log_bytes, log_files = await asyncio.to_thread(directory_size, settings.log_dir, FILE_GLOB)
    return texts.health_report(
        info,
        started_at=health.started_at,
        now=health.clock(),
        down_since=health.down_since,
        last_backup=state,
        next_backup=schedule.next_run_at,
        logs=(log_bytes, log_files, settings.log_dir),
        embedded_in=None if settings.mongodb_uri is not None else settings.data_dir / "mongo",
    )


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
