"""Staff stop an employee from filing tickets and calling the server room, and let them again.

The employee is told once, with the reason, when it happens (and once when it is lifted); their
existing tickets keep working. Every block and unblock is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from app.db.repositories import Repositories
from app.models.users import Block, User
from app.services.notifications import Notifier
from app.texts.blocks import blocked_notice, unblocked_notice


class BlockOutcome(StrEnum):
    DONE = "done"
    UNKNOWN = "unknown"  # nobody with this id has written to the bot
    STAFF = "staff"  # staff cannot be blocked
    ALREADY = "already"  # blocked already (block) / not blocked (unblock)


@dataclass(frozen=True, slots=True)
class BlockResult:
    outcome: BlockOutcome
    user: User | None
    told: bool = False  # the employee received the notice


class BlockService:
    def __init__(self, repos: Repositories, notifier: Notifier) -> None:
        self.repos = repos
        self.notifier = notifier

    async def _target(self, user_id: int) -> tuple[BlockOutcome | None, User | None]:
        user = await self.repos.users.get(user_id)
        if await self.notifier.is_staff(user_id):
            return BlockOutcome.STAFF, user
        return (BlockOutcome.UNKNOWN, None) if user is None else (None, user)

    async def block(self, user_id: int, reason: str, actor: User) -> BlockResult:
        refused, user = await self._target(user_id)
        if refused is not None or user is None:
            return BlockResult(refused or BlockOutcome.UNKNOWN, user)
        block = Block(reason, actor.id, actor.display_name, datetime.now(UTC))
        if not await self.repos.users.block(user_id, block):
            return BlockResult(BlockOutcome.ALREADY, user)
        await self.repos.audit.record("block_user", actor.id, user=user_id, reason=reason)
        told = await self.notifier.deliver(user_id, lambda: (blocked_notice(reason), None))
        return BlockResult(BlockOutcome.DONE, user, told)

    async def unblock(self, user_id: int, actor: User) -> BlockResult:
        refused, user = await self._target(user_id)
        if refused is not None or user is None:
            return BlockResult(refused or BlockOutcome.UNKNOWN, user)
        if await self.repos.users.unblock(user_id) is None:
            return BlockResult(BlockOutcome.ALREADY, user)
        await self.repos.audit.record("unblock_user", actor.id, user=user_id)
        told = await self.notifier.deliver(user_id, lambda: (unblocked_notice(), None))
        return BlockResult(BlockOutcome.DONE, user, told)
