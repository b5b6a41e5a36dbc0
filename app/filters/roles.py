"""Role filters: read the role the user-context middleware loaded (no database call here)."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from app.models.users import Role


class RoleFilter(Filter):
    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, role: Role | None = None, **_: Any) -> bool:
        return role in self.roles


STAFF = RoleFilter(Role.ADMIN, Role.SUPERADMIN)
SUPERADMIN = RoleFilter(Role.SUPERADMIN)
