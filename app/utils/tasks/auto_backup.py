"""The automatic backup job: create a backup, send it to the super-admin; on failure try again later."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.backups import BackupBusy, BackupKind, BackupResult
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.superadmin_messages import SuperAdminMessenger

logger = logging.getLogger(__name__)

RETRY_AFTER_FAILURE = timedelta(hours=1)
RETRY_WHEN_BUSY = timedelta(minutes=10)


async def run_scheduled_backup(
    backups: BackupService, schedule: BackupSchedule, messenger: SuperAdminMessenger
) -> BackupResult | None:
    try:
        result = await backups.create(BackupKind.SCHEDULED, by="scheduler")
    except BackupBusy:
        logger.info("Automatic backup postponed: another backup or restore is running")
        schedule.retry_later(RETRY_WHEN_BUSY)
        return None
    except Exception as error:
        logger.exception("Automatic backup failed")
        schedule.retry_later(RETRY_AFTER_FAILURE)
        with messenger.locale():
            text = _("❌ The automatic backup failed: {error}\nI will try again in an hour.").format(
                error=escape(str(error)[:300])
            )
        await messenger.send_text(text)
        return None
    await messenger.refresh_language()
    with messenger.locale():
        await messenger.send_backup(result, _("💾 <b>Automatic backup</b>"))
    return result
