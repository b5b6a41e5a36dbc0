"""Loads the current user and their role from the database, once per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser

from app.db.repositories import Repositories
from app.fsm.states import STAFF_DIALOGUES
from app.fsm.transitions import reset
from app.models.users import Role, User
from app.utils.i18n import pick_language
from config import SUPPORTED_LANGUAGES, Settings

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserContextMiddleware(BaseMiddleware):
    """Registers/refreshes the sender and sets `user` and `role` for filters and handlers.

    The role is read from the database on every update and never cached: it comes with the
    profile the registration write returns (the `admins` list's mark, app/db/admins.py),
    so removing an admin takes effect on their very next tap at no extra round trip.
    """

    def __init__(self, repos: Repositories, settings: Settings) -> None:
        self.repos = repos
        self.settings = settings

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            # Only groups have such senders, and PrivateChatsOnly drops those first; handlers
            # must never run without a user and a role.
            return None
        user = await self.register(sender)
        data["user"] = user
        data["role"] = role = self.role_of(user)
        state: FSMContext | None = data.get("state")
        if not role.is_staff and state is not None and data.get("raw_state") in STAFF_DIALOGUES:
            # Removal ends their staff dialogue, but an update of theirs in flight at that moment
            # can write it back; no handler serves a non-staff there, so it would trap them.
            await reset(state)
            data["raw_state"] = None
        return await handler(event, data)

    async def register(self, sender: TelegramUser) -> User:
        registration = await self.repos.users.register(
            sender.id,
            first_name=sender.first_name,
            last_name=sender.last_name,
            username=sender.username,
            language=pick_language(sender.language_code, SUPPORTED_LANGUAGES, self.settings.default_language),
        )
        user = registration.user
        if registration.renamed and user.is_admin:
            await self.repos.admins.refresh_names(user.id, user.display_name, user.username)
        return user

    def role_of(self, user: User) -> Role:
        if user.id == self.settings.superadmin_id:
            return Role.SUPERADMIN
        return Role.ADMIN if user.is_admin else Role.USER
