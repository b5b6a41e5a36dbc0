"""Adding and removing admins. Every role change refreshes the affected person's keyboard and menu."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.keyboards import reply
from app.models.tickets import ChangeNote
from app.models.users import Person, Role
from app.services.menus import CommandMenus
from app.services.notifications import Notifier
from app.services.tickets.actions import TicketActions
from config import Settings


class StaffOutcome(StrEnum):
    DONE = "done"
    ALREADY_ADMIN = "already_admin"
    NOT_ADMIN = "not_admin"
    SUPERADMIN = "superadmin"


@dataclass(frozen=True, slots=True)
class StaffChange:
    outcome: StaffOutcome
    name: str = ""
    notified: bool = False
    returned_tickets: list[int] = field(default_factory=list)


class StaffService:
    def __init__(
        self,
        repos: Repositories,
        notifier: Notifier,
        menus: CommandMenus,
        actions: TicketActions,
        settings: Settings,
        staff_dialogues: Collection[str] = (),
    ) -> None:
        self.repos = repos
        self.notifier = notifier
        self.menus = menus
        self.actions = actions
        self.settings = settings
        self.staff_dialogues = staff_dialogues  # FSM states only staff can be in (app/fsm/states.py)

    async def add(self, user_id: int, by: Person) -> StaffChange:
        if user_id == self.settings.superadmin_id:
            return StaffChange(StaffOutcome.SUPERADMIN)
        known = await self.repos.users.get(user_id)
        name = known.display_name if known and known.display_name else str(user_id)
        added = await self.repos.admins.add(
            user_id, name=name, username=known.username if known else None, added_by=by.id, added_at=datetime.now(UTC)
        )
        if not added:
            return StaffChange(StaffOutcome.ALREADY_ADMIN, name)
        await self.repos.audit.record("admin_added", by.id, admin=user_id)
        notified = await self.refresh_navigation(
            user_id, Role.ADMIN, lambda: _("🎉 You have been granted support staff access. Your panel is below.")
        )
        return StaffChange(StaffOutcome.DONE, name, notified)

    async def remove(self, user_id: int, by: Person) -> StaffChange:
        if user_id == self.settings.superadmin_id:
            return StaffChange(StaffOutcome.SUPERADMIN)
        removed = await self.repos.admins.remove(user_id)
        if removed is None:
            return StaffChange(StaffOutcome.NOT_ADMIN)
        # A reject reason or a broadcast they were writing can no longer be finished: without
        # this, everything they type would land in a dialogue no handler serves them any more.
        await self.repos.conversations.forget(user_id, self.staff_dialogues)
        returned = []
        for number in await self.repos.tickets.numbers_assigned_to(user_id):
            if await self.actions.return_to_queue(number, by, note=ChangeNote.ASSIGNEE_LEFT):
                returned.append(number)
        await self.repos.audit.record("admin_removed", by.id, admin=user_id, returned_tickets=returned)
        notified = await self.refresh_navigation(
            user_id, Role.USER, lambda: _("Your support staff access has been removed. You can still file tickets.")
        )
        return StaffChange(StaffOutcome.DONE, removed.label, notified, returned)

    async def refresh_navigation(self, user_id: int, role: Role, text: Callable[[], str]) -> bool:
        """New command menu and reply keyboard for the person's new role, at once.

        `text` is rendered in the person's language, which is looked up once for both."""
        language = await self.notifier.language_of(user_id)
        await self.menus.apply(user_id, role, language)

        def render() -> tuple[str, ReplyKeyboardMarkup]:
            return text(), reply.main_menu(role)

        return await self.notifier.deliver(user_id, render, language)
