"""Loads the current user and their role from the database, once per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject
from aiogram.types import User as TelegramUser

from app.db.repositories import Repositories
from app.i18n import pick_language
from app.models import Role
from config import SUPPORTED_LANGUAGES, Settings

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserContextMiddleware(BaseMiddleware):
    """Registers/refreshes the sender and sets `user` and `role` for filters and handlers.

    The role is read from the database on every update and never cached, so removing an
    admin takes effect on their very next tap.
    """

    def __init__(self, repos: Repositories, settings: Settings) -> None:
        self.repos = repos
        self.settings = settings

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        if chat is not None and chat.type != ChatType.PRIVATE:
            return None  # a help desk works in private chats only; groups are ignored
        data["user"] = await self.repos.users.register(
            sender.id,
            first_name=sender.first_name,
            last_name=sender.last_name,
            username=sender.username,
            language=pick_language(sender.language_code, SUPPORTED_LANGUAGES, self.settings.default_language),
        )
        data["role"] = await self.role_of(sender.id)
        return await handler(event, data)

    async def role_of(self, user_id: int) -> Role:
        if user_id == self.settings.superadmin_id:
            return Role.SUPERADMIN
        if await self.repos.admins.is_admin(user_id):
            return Role.ADMIN
        return Role.USER
