"""While a restore runs (or one's roll-back is owed), everyone but the super-admin gets a short notice.

An outer middleware on updates, before the one that registers the sender: a refused update
reads and writes nothing, so nothing is half-written into data that is being replaced, and
a new user is not registered into a `users` collection about to be overwritten. Button
presses are answered (the notice as an alert), so no spinner is left turning.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n

from app.services.backups.maintenance import Maintenance
from app.texts.backups import maintenance_notice
from app.utils.i18n import pick_language
from config import Settings

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class MaintenanceMiddleware(BaseMiddleware):
    def __init__(self, maintenance: Maintenance, i18n: I18n, settings: Settings) -> None:
        self.maintenance = maintenance
        self.i18n = i18n
        self.superadmin_id = settings.superadmin_id

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot or sender.id == self.superadmin_id:
            return await handler(event, data)  # the super-admin runs the restore and watches it
        # Counted as under way before the check, so a restore starting meanwhile waits for it
        # (and the check, made after the restore began, refuses it).
        with self.maintenance.serving():
            if not await self.maintenance.active():
                return await handler(event, data)
        chat: Chat | None = data.get("event_chat")
        if isinstance(event, Update) and (chat is None or chat.type == ChatType.PRIVATE):
            await self._tell(event, sender)
        return None

    async def _tell(self, update: Update, sender: TelegramUser) -> None:
        # The stored language would need the database; Telegram's language code is at hand.
        language = pick_language(sender.language_code, self.i18n.available_locales, self.i18n.default_locale)
        with self.i18n.context(), self.i18n.use_locale(language):
            text = maintenance_notice()
        try:
            if update.message is not None:
                await update.message.answer(text)
            elif update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
        except TelegramAPIError as error:
            logger.warning("Could not send the maintenance notice to %s: %s", sender.id, error)
