"""The employee's feedback on their closed ticket: «👍 Yes» → a rating 1–5 → an optional comment.
Each step happens once and in order (the repository's conditions), is audited, and a low rating
reaches the assignee and the super-admin (again with the comment, when one follows)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.repositories import Repositories
from app.models.tickets import LOW_RATING, RATING_MAX, RATING_MIN, Outcome, Ticket, TicketStatus
from app.models.users import User
from app.services.notifications import Notifier
from app.services.tickets.actions import ActionResult


class FeedbackService:
    def __init__(self, repos: Repositories, notifier: Notifier) -> None:
        self.repos = repos
        self.notifier = notifier

    async def solved(self, number: int, user: User) -> ActionResult:
        ticket = await self.repos.tickets.record_solved(number, user.id, datetime.now(UTC))
        if ticket is None:
            return await self._why_not(number, user)
        await self.repos.audit.record("feedback_solved", user.id, ticket=number)
        return ActionResult(Outcome.DONE, ticket)

    async def rate(self, number: int, user: User, rating: int) -> ActionResult:
        if not RATING_MIN <= rating <= RATING_MAX:
            return ActionResult(Outcome.NOT_FOUND, None)
        ticket = await self.repos.tickets.record_rating(number, user.id, rating)
        if ticket is None:
            return await self._why_not(number, user)
        await self.repos.audit.record("feedback_rating", user.id, ticket=number, rating=rating)
        if rating <= LOW_RATING:
            await self.notifier.low_rating(ticket)
        return ActionResult(Outcome.DONE, ticket)

    async def comment(self, number: int, user: User, comment: str) -> ActionResult:
        ticket = await self.repos.tickets.record_rating_comment(number, user.id, comment)
        if ticket is None:
            return await self._why_not(number, user)
        await self.repos.audit.record("feedback_comment", user.id, ticket=number, comment=comment)
        if ticket.feedback is not None and (ticket.feedback.rating or RATING_MAX) <= LOW_RATING:
            await self.notifier.low_rating(ticket)
        return ActionResult(Outcome.DONE, ticket)

    async def _why_not(self, number: int, user: User) -> ActionResult:
        ticket: Ticket | None = await self.repos.tickets.get(number)
        if ticket is None or ticket.user_id != user.id:
            return ActionResult(Outcome.NOT_FOUND, None)
        if ticket.status is not TicketStatus.CLOSED or ticket.feedback is None:  # or a step skipped
            return ActionResult(Outcome.WRONG_STATE, ticket)
        return ActionResult(Outcome.ANSWERED, ticket)
