"""Handing a ticket in work to another staff member ("Reassign"): who can take it, with how many
tickets each has in work, and the hand-over itself (atomic, in the history and the audit log,
told to the new assignee with the card, to the previous one and to the employee)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.repositories import Repositories
from app.db.shapes import eq
from app.models.paging import Page, clamp_page
from app.models.tickets import ChangeNote, Outcome, StatusChange, Ticket, reassign_refusal
from app.models.users import Person, StaffLoad
from app.services.notifications import Notifier
from app.services.tickets.actions import ActionResult

CANDIDATES_PER_PAGE = 8


class Handover:
    def __init__(self, repos: Repositories, notifier: Notifier) -> None:
        self.repos = repos
        self.notifier = notifier

    async def check(self, number: int, actor_id: int, *, superadmin: bool) -> ActionResult:
        ticket = await self.repos.tickets.get(number)
        if ticket is None:
            return ActionResult(Outcome.NOT_FOUND, None)
        refused = reassign_refusal(ticket, actor_id, superadmin=superadmin)
        return ActionResult(refused or Outcome.DONE, ticket)

    async def candidates(self, ticket: Ticket, page: int) -> Page[StaffLoad]:
        """Staff other than the assignee, the least busy first, with their tickets in work."""
        current = ticket.assignee.id if ticket.assignee else None
        ids = [staff_id for staff_id in await self.notifier.staff_ids() if staff_id != current]
        loads = await self.repos.tickets.workloads()
        ids.sort(key=lambda staff_id: (loads.get(staff_id, 0), staff_id))
        page = clamp_page(page, len(ids), CANDIDATES_PER_PAGE)
        shown = ids[page * CANDIDATES_PER_PAGE : (page + 1) * CANDIDATES_PER_PAGE]
        names = await self.repos.users.names(shown)
        people = [StaffLoad(Person(i, await self._name(i, names)), loads.get(i, 0)) for i in shown]
        return Page(people, page, len(ids), CANDIDATES_PER_PAGE)

    async def _name(self, staff_id: int, names: dict[int, str]) -> str:
        if staff_id in names:
            return names[staff_id]
        admin = await self.repos.admins.get(staff_id)  # added by id, has not written yet
        return admin.label if admin else str(staff_id)

    async def person(self, staff_id: int) -> Person | None:
        """A staff member to hand a ticket to (None: not on the staff)."""
        if not await self.notifier.is_staff(staff_id):
            return None
        return Person(staff_id, await self._name(staff_id, await self.repos.users.names([staff_id])))

    async def hand_over(
        self, number: int, actor: Person, to: Person, note: str | None, *, superadmin: bool
    ) -> ActionResult:
        current = await self.repos.tickets.get(number)
        if current is None:
            return ActionResult(Outcome.NOT_FOUND, None)
        refused = reassign_refusal(current, actor.id, superadmin=superadmin)
        if refused is None and current.assignee is not None and current.assignee.id == to.id:
            refused = Outcome.WRONG_STATE
        if refused is not None:
            return ActionResult(refused, current)
        if not await self.notifier.is_staff(to.id):
            return ActionResult(Outcome.NOT_STAFF, current)
        change = StatusChange(
            datetime.now(UTC), actor, current.status, current.status, note, ChangeNote.REASSIGNED, assignee=to
        )
        # Pinned to the assignee just checked: a concurrent hand-over or take-back makes this a no-op.
        condition = {"assignee.id": eq(current.assignee.id if current.assignee else None)}
        ticket = await self.repos.tickets.change_status(number, condition, change, assignee=to)
        if ticket is None:
            return ActionResult(Outcome.WRONG_STATE, await self.repos.tickets.get(number))
        await self.repos.audit.record(
            "reassign", actor.id, ticket=number, to=to.id, previous=current.assignee.id if current.assignee else None
        )
        notified = await self.notifier.handed_over(ticket, change, previous=current.assignee)
        return ActionResult(Outcome.DONE, ticket, owner_notified=notified)
