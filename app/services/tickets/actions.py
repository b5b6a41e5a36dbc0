"""What staff do to tickets: take into work, close, reject. Each change is atomic, recorded in the
ticket's history and the audit log, and told to the ticket's owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.db.repositories import Repositories
from app.db.shapes import eq
from app.models.conversation import reply_refusal
from app.models.tickets import (
    ChangeNote,
    Outcome,
    StatusChange,
    Ticket,
    TicketStatus,
    finish_refusal,
    reopen_refusal,
)
from app.models.users import Person
from app.services.notifications import Notifier


@dataclass(frozen=True, slots=True)
class ActionResult:
    outcome: Outcome
    ticket: Ticket | None
    owner_notified: bool = True

    @property
    def done(self) -> bool:
        return self.outcome is Outcome.DONE


class TicketActions:
    def __init__(self, repos: Repositories, notifier: Notifier) -> None:
        self.repos = repos
        self.notifier = notifier

    async def take(self, number: int, actor: Person, *, superadmin: bool = False) -> ActionResult:
        change = StatusChange(datetime.now(UTC), actor, TicketStatus.NEW, TicketStatus.IN_PROGRESS)
        ticket = await self.repos.tickets.change_status(
            number, {"status": TicketStatus.NEW.value}, change, assignee=actor
        )
        if ticket is not None:
            if not superadmin and await self.repos.admins.get(actor.id) is None:
                return await self._undo_take(ticket, actor)
            return await self._finish("take", ticket, change)
        current = await self.repos.tickets.get(number)
        if current is None:
            return ActionResult(Outcome.NOT_FOUND, None)
        if current.status is TicketStatus.IN_PROGRESS:
            mine = current.assignee is not None and current.assignee.id == actor.id
            return ActionResult(Outcome.ALREADY_YOURS if mine else Outcome.ALREADY_TAKEN, current)
        return ActionResult(Outcome.WRONG_STATE, current)

    async def close(self, number: int, actor: Person, *, superadmin: bool, comment: str | None) -> ActionResult:
        return await self._finish_ticket("close", TicketStatus.CLOSED, number, actor, superadmin, comment)

    async def reject(self, number: int, actor: Person, *, superadmin: bool, reason: str) -> ActionResult:
        return await self._finish_ticket("reject", TicketStatus.REJECTED, number, actor, superadmin, reason)

    async def _finish_ticket(
        self, action: str, to: TicketStatus, number: int, actor: Person, superadmin: bool, comment: str | None
    ) -> ActionResult:
        current = await self.repos.tickets.get(number)
        if current is None:
            return ActionResult(Outcome.NOT_FOUND, None)
        refused = finish_refusal(current, actor.id, superadmin=superadmin, to=to)
        if refused is not None:
            return ActionResult(refused, current)
        # The condition pins the state we just checked: a concurrent change makes this a no-op.
        condition: dict[str, object] = {"status": current.status.value}
        if current.assignee is not None:
            condition["assignee.id"] = current.assignee.id
        change = StatusChange(datetime.now(UTC), actor, current.status, to, comment)
        ticket = await self.repos.tickets.change_status(number, condition, change)
        if ticket is None:
            latest = await self.repos.tickets.get(number)
            return ActionResult(Outcome.WRONG_STATE, latest)
        await self._judge_sla(ticket)
        return await self._finish(action, ticket, change)

    async def _judge_sla(self, ticket: Ticket) -> None:
        """A finished ticket against its targets, once, as it ends (what reports count)."""
        clocks = self.notifier.settings.sla.clocks(ticket, ticket.finished_at)
        ticket.sla_met = all(clock.elapsed <= clock.target for clock in clocks)
        await self.repos.tickets.set_sla_met(ticket.number, ticket.sla_met)

    async def wait(self, number: int, actor: Person, *, superadmin: bool) -> ActionResult:
        """In progress → waiting for the employee's answer (the assignee or the super-admin)."""
        current = await self.repos.tickets.get(number)
        if current is None:
            return ActionResult(Outcome.NOT_FOUND, None)
        refused = reply_refusal(current, actor.id, superadmin=superadmin)
        if refused is None and current.status is not TicketStatus.IN_PROGRESS:
            refused = Outcome.WRONG_STATE
        if refused is not None:
            return ActionResult(refused, current)
        condition = {"assignee.id": eq(current.assignee.id if current.assignee else None)}
        change = StatusChange(datetime.now(UTC), actor, TicketStatus.IN_PROGRESS, TicketStatus.WAITING)
        ticket = await self.repos.tickets.change_status(number, condition, change)
        if ticket is None:
            return ActionResult(Outcome.WRONG_STATE, await self.repos.tickets.get(number))
        return await self._finish("wait", ticket, change)

    async def answered(self, ticket: Ticket, employee: Person) -> Ticket:
        """The employee wrote to their waiting ticket: back to in progress, the assignee told.
        The employee is not sent a status notice (they are the one who just acted)."""
        if ticket.status is not TicketStatus.WAITING:
            return ticket
        change = StatusChange(datetime.now(UTC), employee, TicketStatus.WAITING, TicketStatus.IN_PROGRESS)
        changed = await self.repos.tickets.change_status(ticket.number, {}, change)
        if changed is None:  # someone else moved it first; it is theirs to tell
            return await self.repos.tickets.get(ticket.number) or ticket
        await self._audit("answered", changed, change)
        await self.notifier.answered(changed)
        return changed

    async def remind_waiting(self, number: int, waiting_ts: int) -> bool:
        """The one reminder of a wait (the flag is flipped atomically: never twice)."""
        ticket = await self.repos.tickets.mark_reminded(number, waiting_ts)
        if ticket is None:
            return False
        await self.repos.audit.record("waiting_reminded", 0, ticket=number)
        await self.notifier.waiting_reminder(ticket)
        return True

    async def auto_close(self, number: int, waiting_ts: int, at: datetime, days: int) -> Ticket | None:
        """Close a ticket still in the same wait (`waiting_ts`) for want of an answer."""
        change = StatusChange(at, None, TicketStatus.WAITING, TicketStatus.CLOSED, note=ChangeNote.NO_ANSWER)
        ticket = await self.repos.tickets.change_status(number, {"waiting_ts": eq(waiting_ts)}, change)
        if ticket is not None:
            await self._judge_sla(ticket)
            await self._audit("auto_close", ticket, change)
            await self.notifier.auto_closed(ticket, days)
        return ticket

    async def reopen(self, number: int, employee: Person, note: ChangeNote) -> ActionResult:
        """The owner reopens their finished ticket (within REOPEN_DAYS): back to its assignee if
        they are still staff, else to the queue. «👎 No, reopen» (NOT_SOLVED) counts only while
        the closing question is unanswered. Someone else's ticket is "not found"."""
        now = datetime.now(UTC)
        ticket = await self.repos.tickets.get(number)
        refused = reopen_refusal(ticket, employee.id, now, self.notifier.settings.reopen_days) if ticket else None
        if ticket is None or refused is Outcome.NOT_FOUND:  # someone else's ticket is not shown either
            return ActionResult(Outcome.NOT_FOUND, None)
        if refused is not None:
            return ActionResult(refused, ticket)
        assignee = ticket.assignee if ticket.assignee and await self.notifier.is_staff(ticket.assignee.id) else None
        to = TicketStatus.IN_PROGRESS if assignee else TicketStatus.NEW
        condition: dict[str, object] = {"user_id": eq(employee.id)}
        if note is ChangeNote.NOT_SOLVED:
            condition["feedback"] = eq(None)
        change = StatusChange(now, employee, ticket.status, to, note=note)
        changed = await self.repos.tickets.change_status(ticket.number, condition, change, assignee=assignee)
        if changed is None:
            latest = await self.repos.tickets.get(ticket.number)
            active = latest is None or latest.status.is_active
            return ActionResult(Outcome.WRONG_STATE if active else Outcome.ANSWERED, latest)
        await self._audit("reopen", changed, change)
        await self.notifier.reopened(changed, note)
        return ActionResult(Outcome.DONE, changed)

    async def return_to_queue(self, number: int, actor: Person, note: ChangeNote) -> Ticket | None:
        """Put a taken ticket (in progress or waiting) back to `new` (its assignee lost their role)."""
        for status in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING):
            change = StatusChange(datetime.now(UTC), actor, status, TicketStatus.NEW, note=note)
            ticket = await self.repos.tickets.change_status(number, {}, change, assignee=None)
            if ticket is not None:
                await self._finish("return_to_queue", ticket, change)
                return ticket
        return None

    async def _undo_take(self, ticket: Ticket, actor: Person) -> ActionResult:
        """The actor's role was removed between their tap and this take.

        Removal deletes the admin, then returns their tickets; a take checks the role after
        writing. Whichever comes second sees the other, so no ticket stays with a non-admin.
        The owner was not told of the take yet, so they are not told of its undoing either."""
        note = ChangeNote.ASSIGNEE_LEFT
        change = StatusChange(datetime.now(UTC), actor, TicketStatus.IN_PROGRESS, TicketStatus.NEW, note=note)
        condition = {"status": TicketStatus.IN_PROGRESS.value, "assignee.id": actor.id}
        if await self.repos.tickets.change_status(ticket.number, condition, change, assignee=None) is not None:
            await self.repos.audit.record("take_undone", actor.id, ticket=ticket.number)
        return ActionResult(Outcome.NOT_STAFF, None)

    async def _finish(self, action: str, ticket: Ticket, change: StatusChange) -> ActionResult:
        await self._audit(action, ticket, change)
        notified = await self.notifier.status_changed(ticket, change)
        return ActionResult(Outcome.DONE, ticket, owner_notified=notified)

    async def _audit(self, action: str, ticket: Ticket, change: StatusChange) -> None:
        await self.repos.audit.record(
            action,
            change.by.id if change.by else 0,
            ticket=ticket.number,
            from_status=change.from_status.value if change.from_status else None,
            to_status=change.to_status.value,
            comment=change.comment,
            note=change.note.value if change.note else None,
        )
