"""Emergency calls to the server room, limited to one per user per cooldown window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.db.repositories import Repositories
from app.models.users import User
from app.services.notifications import Notifier


@dataclass(frozen=True, slots=True)
class CallResult:
    sent: bool
    minutes_left: int = 0


class ServerRoomService:
    def __init__(self, repos: Repositories, notifier: Notifier, cooldown_seconds: int) -> None:
        self.repos = repos
        self.notifier = notifier
        self.cooldown = timedelta(seconds=cooldown_seconds)

    async def minutes_left(self, user_id: int, now: datetime | None = None) -> int:
        """0 when the user may call now, else whole minutes until they may (rounded up)."""
        now = now or datetime.now(UTC)
        last = await self.repos.server_calls.last_call_at(user_id, now)
        if last is None:
            return 0
        remaining = min(last + self.cooldown - now, self.cooldown)
        return max(0, math.ceil(remaining.total_seconds() / 60))

    async def call(self, user: User, note: str | None) -> CallResult:
        now = datetime.now(UTC)
        if not await self.repos.server_calls.try_claim(user.id, now, self.cooldown):
            return CallResult(sent=False, minutes_left=max(1, await self.minutes_left(user.id, now)))
        latest = await self.repos.tickets.latest_of_user(user.id)
        await self.notifier.server_room_call(user, latest.phone if latest else None, note)
        return CallResult(sent=True)
