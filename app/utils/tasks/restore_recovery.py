"""Finishing a restore that did not: at start-up and after each health check that finds the database up.

The roll-back itself is BackupService.recover (the marker in the database says what is owed);
this job runs it and tells the super-admin: once when the data is back, and once (until it
succeeds) when it cannot be put back yet.
"""

from __future__ import annotations

import logging

from app.models.backups import Recovery
from app.services.backups.service import BackupService
from app.services.superadmin_messages import SuperAdminMessenger
from app.texts import backups as texts

logger = logging.getLogger(__name__)


class RestoreRecovery:
    def __init__(self, backups: BackupService, messenger: SuperAdminMessenger) -> None:
        self.backups = backups
        self.messenger = messenger
        self._told_failure = False

    async def run(self) -> Recovery | None:
        try:
            recovery = await self.backups.recover()
        except Exception:  # the database went away again: the next health check tries again
            logger.exception("Could not check for an unfinished restore")
            return None
        if recovery is None:
            return None
        if recovery.error is None:
            self._told_failure = False
            with self.messenger.locale():
                await self.messenger.send_text(texts.recovered(recovery))
        elif not self._told_failure:
            with self.messenger.locale():
                self._told_failure = await self.messenger.send_text(texts.not_recovered(recovery))
        return recovery
