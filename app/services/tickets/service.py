"""Ticket rules that handlers call: creating tickets and reading them for their owner."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.counters import TICKETS_SEQUENCE
from app.db.repositories import Repositories
from app.models.paging import Page
from app.models.tickets import ACTIVE_STATUSES, FINISHED_STATUSES, Draft, StatusChange, Ticket, TicketStatus
from app.models.users import User

USER_PAGE_SIZE = 5


class TicketService:
    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def create(self, user: User, draft: Draft) -> Ticket:
        if draft.priority is None or not (draft.full_name and draft.phone and draft.description):
            raise ValueError("incomplete draft")
        now = datetime.now(UTC)
        number = await self.repos.counters.next_value(TICKETS_SEQUENCE)
        ticket = Ticket(
            number=number,
            user_id=user.id,
            username=user.username,
            full_name=draft.full_name,
            phone=draft.phone,
            description=draft.description,
            priority=draft.priority,
            status=TicketStatus.NEW,
            created_at=now,
            updated_at=now,
            media=list(draft.media),
            category=draft.category,
            history=[StatusChange(at=now, by=None, from_status=None, to_status=TicketStatus.NEW)],
        )
        return await self.repos.tickets.insert(ticket)

    async def page_for_owner(self, user_id: int, *, history: bool, page: int) -> Page[Ticket]:
        statuses = FINISHED_STATUSES if history else ACTIVE_STATUSES
        return await self.repos.tickets.page_of_user(user_id, statuses, page, USER_PAGE_SIZE)

    async def get_for_owner(self, user_id: int, number: int) -> Ticket | None:
        """A ticket only its owner may see this way: someone else's number is 'not found'."""
        ticket = await self.repos.tickets.get(number)
        return ticket if ticket is not None and ticket.user_id == user_id else None
