"""The broadcast initiator's chat: notices, and one status message edited in place."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

logger = logging.getLogger(__name__)

Render = Callable[[], tuple[str, InlineKeyboardMarkup | None]]


class StatusChat:
    """Renders in the initiator's language; Telegram refusing a message never stops a broadcast."""

    def __init__(self, bot: Bot, i18n: I18n, chat_id: int, language: str) -> None:
        self.bot = bot
        self.i18n = i18n
        self.chat_id = chat_id
        self.language = language
        self.status_message_id: int | None = None

    def _render(self, render: Render) -> tuple[str, InlineKeyboardMarkup | None]:
        # Runs in the broadcast's task, outside any update: set the locale explicitly.
        with self.i18n.context(), self.i18n.use_locale(self.language):
            return render()

    async def tell(self, render: Render) -> int | None:
        """A new message (it notifies, unlike an edit); its id, or None if it could not be sent."""
        text, markup = self._render(render)
        try:
            message = await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            logger.warning("Could not tell %s about the broadcast: %s", self.chat_id, error)
            return None
        return message.message_id

    async def show_status(self, render: Render) -> None:
        """Edit the status message, or send it if there is none yet."""
        if self.status_message_id is None:
            self.status_message_id = await self.tell(render)
            return
        text, markup = self._render(render)
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=self.chat_id, message_id=self.status_message_id, reply_markup=markup
            )
        except TelegramAPIError as error:
            # "message is not modified" or deleted by the admin: harmless, the next report retries.
            logger.debug("Broadcast status not edited: %s", error)
