"""Emergency calls to the server room, limited to one per user per cooldown window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.db.repositories import Repositories
from app.models.users import User
from app.services.notifications import Notifier

# A note step left open is not an emergency any more: whatever the person types later must
# not go to every staff member as one.
NOTE_WINDOW = timedelta(minutes=10)


def note_window_closed(asked_at: float | None, now: datetime) -> bool:
    """`asked_at`: when the note was asked for (POSIX seconds); unknown counts as closed."""
    return asked_at is None or now.timestamp() - asked_at > NOTE_WINDOW.total_seconds()


@dataclass(frozen=True, slots=True)
class CallResult:
    """`sent` False: refused by the anti-flood window (`minutes_left`); else how many of the
    staff (`total`) the alert reached — none reached gives the window back."""

    sent: bool
    minutes_left: int = 0
    reached: int = 0
    total: int = 0


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
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as BSON stores it, for give_back
        if not await self.repos.server_calls.try_claim(user.id, now, self.cooldown):
            return CallResult(sent=False, minutes_left=max(1, await self.minutes_left(user.id, now)))
        latest = await self.repos.tickets.latest_of_user(user.id)
        reach = await self.notifier.server_room_call(user, latest.phone if latest else None, note)
        if reach.reached == 0:
            # Nobody heard it: the caller must be free to try again at once.
            await self.repos.server_calls.give_back(user.id, now, self.cooldown)
        return CallResult(sent=True, reached=reach.reached, total=reach.total)
