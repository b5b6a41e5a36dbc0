"""Messages to the super-admin from background jobs (health alerts, automatic backups, the weekly digest).

Jobs have no update and hence no language; the super-admin's is looked up while the
database is reachable and remembered, so a "database is down" alert needs no database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, FSInputFile
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from pymongo.errors import PyMongoError

from app.db.users import UserRepository
from app.models.backups import BackupResult
from app.services.delivery import Delivered, deliver
from app.texts import backups as texts
from config import Settings

logger = logging.getLogger(__name__)

MB = 1024 * 1024
LANGUAGE_LOOKUP_SECONDS = 3.0


async def send_backup_file(bot: Bot, chat_id: int, result: BackupResult, title: str, max_upload_mb: int) -> bool:
    """The ZIP as a document, or its summary and where it is kept; True if the file was sent.

    Call inside an i18n context. Never touches the file beyond reading it.
    """
    if result.size > max_upload_mb * MB:
        await bot.send_message(
            chat_id, f"{title}\n{texts.backup_summary(result)}\n\n{texts.kept_on_server(result, max_upload_mb)}"
        )
        return False
    document = await deliver(
        lambda: bot.send_document(
            chat_id, FSInputFile(result.path, filename=result.name), caption=texts.caption(title, result)
        ),
        what=f"Backup {result.name} to {chat_id}",
        attempts=2,
    )
    if document.sent or document.state is Delivered.BLOCKED:
        return document.sent
    await bot.send_message(
        chat_id,
        _(
            "{title}\n⚠️ Could not send the file ({error}). It is kept on the server: <code>{path}</code>\n{summary}"
        ).format(
            title=title,
            error=escape((document.error or "")[:200]),
            path=escape(str(result.path.resolve())),
            summary=texts.backup_summary(result),
        ),
    )
    return False


class SuperAdminMessenger:
    def __init__(self, bot: Bot, i18n: I18n, settings: Settings, users: UserRepository) -> None:
        self.bot = bot
        self.i18n = i18n
        self.settings = settings
        self.users = users
        self.chat_id = settings.superadmin_id
        self.language = settings.default_language

    async def refresh_language(self) -> None:
        try:
            user = await asyncio.wait_for(self.users.get(self.chat_id), LANGUAGE_LOOKUP_SECONDS)
        except (PyMongoError, TimeoutError, OSError):
            return
        if user is not None and user.language in self.i18n.available_locales:
            self.language = user.language

    @contextmanager
    def locale(self) -> Iterator[None]:
        with self.i18n.context(), self.i18n.use_locale(self.language):
            yield

    async def send_text(self, text: str) -> bool:
        delivery = await deliver(
            lambda: self.bot.send_message(self.chat_id, text), what="Super-admin message", attempts=2
        )
        return delivery.sent

    async def send_photo(self, png: bytes, filename: str, caption: str) -> bool:
        delivery = await deliver(
            lambda: self.bot.send_photo(self.chat_id, BufferedInputFile(png, filename=filename), caption=caption),
            what="Super-admin photo",
            attempts=2,
        )
        return delivery.sent

    async def send_backup(self, result: BackupResult, title: str) -> bool:
        try:
            return await send_backup_file(self.bot, self.chat_id, result, title, self.settings.backup_max_upload_mb)
        except TelegramAPIError as error:
            logger.warning("Could not tell the super-admin about backup %s: %s", result.name, error)
            return False
