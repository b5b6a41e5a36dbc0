"""Picks each update's language: the stored user's choice, else Telegram's language_code."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18nMiddleware

from app.models.users import User
from app.utils.i18n import pick_language


class UserLocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("user")
        if user is not None and user.language in self.i18n.available_locales:
            return user.language
        sender: TelegramUser | None = data.get("event_from_user")
        return pick_language(
            sender.language_code if sender else None,
            self.i18n.available_locales,
            self.i18n.default_locale,
        )
