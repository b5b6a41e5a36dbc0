"""Synthetic but realistically shaped tickets and users, built with the app's own models.

A help desk after some years: most tickets closed or rejected, a backlog of new ones,
a few in work; priorities mostly normal; about a third with attachments; each finished
ticket carries its take/close history. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.models.media import Media, MediaKind
from app.models.tickets import Priority, StatusChange, Ticket, TicketStatus
from app.models.users import Person

STATUS_SHARES = [
    (TicketStatus.NEW, 0.05),
    (TicketStatus.IN_PROGRESS, 0.02),
    (TicketStatus.CLOSED, 0.83),
    (TicketStatus.REJECTED, 0.10),
]
# The default catalogue's ids (app/models/categories.py): Hardware, Software, Network, Accounts, Printers, Other.
CATEGORY_SHARES = [(1, 0.25), (2, 0.25), (3, 0.12), (4, 0.15), (5, 0.15), (6, 0.08)]
PRIORITY_SHARES = [(Priority.LOW, 0.20), (Priority.NORMAL, 0.50), (Priority.HIGH, 0.22), (Priority.CRITICAL, 0.08)]
TICKETS_PER_USER = 8
HISTORY_SPAN = timedelta(days=3 * 365)
FIRST_NAMES = ["Ivan", "Olena", "Taras", "Iryna", "Andrii", "Oksana", "Dmytro", "Natalia", "Serhii", "Yulia"]
LAST_NAMES = ["Petrenko", "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk"]
WORDS = [
    "printer",
    "scanner",
    "laptop",
    "monitor",
    "network",
    "wifi",
    "vpn",
    "password",
    "account",
    "mail",
    "outlook",
    "excel",
    "does",
    "not",
    "work",
    "since",
    "morning",
    "on",
    "the",
    "third",
    "floor",
    "please",
    "help",
    "urgent",
    "error",
    "message",
    "blue",
    "screen",
    "cannot",
    "log",
    "in",
    "slow",
    "very",
    "after",
    "update",
    "keyboard",
    "mouse",
    "projector",
    "meeting",
    "room",
    "access",
    "card",
]


@dataclass(frozen=True, slots=True)
class SeedPlan:
    tickets: int
    first_user_id: int = 10_000_000
    first_number: int = 1
    seed: int = 20_240_601

    @property
    def users(self) -> int:
        return max(1, self.tickets // TICKETS_PER_USER)


def _pick(rng: random.Random, shares: list[tuple[Any, float]]) -> Any:
    point = rng.random()
    for value, share in shares:
        point -= share
        if point < 0:
            return value
    return shares[-1][0]


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def seeded_language(user_id: int) -> str:
    """The stored language of a seeded user (7 in 10 Ukrainian); it wins over Telegram's language_code."""
    return "uk" if (user_id * 2_654_435_761) % 10 < 7 else "en"


def user_docs(plan: SeedPlan, now: datetime) -> Iterator[dict[str, Any]]:
    rng = random.Random(plan.seed + 1)
    for offset in range(plan.users):
        user_id = plan.first_user_id + offset
        yield {
            "_id": user_id,
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "username": f"user{user_id}",
            "reachable": True,
            "language": seeded_language(user_id),
            "created_at": now - HISTORY_SPAN,
        }


def ticket_docs(plan: SeedPlan, now: datetime, admins: list[Person]) -> Iterator[dict[str, Any]]:
    """`plan.tickets` documents numbered from `plan.first_number`, oldest first."""
    rng = random.Random(plan.seed)
    categories = random.Random(plan.seed + 1)  # its own stream: the other fields stay what they were
    step = HISTORY_SPAN / max(1, plan.tickets)
    start = now - HISTORY_SPAN
    for index in range(plan.tickets):
        created = start + step * index
        status: TicketStatus = _pick(rng, STATUS_SHARES)
        user_id = plan.first_user_id + rng.randrange(plan.users)
        history = [StatusChange(created, None, None, TicketStatus.NEW)]
        assignee = None
        updated = created
        if status is not TicketStatus.NEW:
            admin = rng.choice(admins)
            taken = created + timedelta(minutes=rng.randint(1, 240))
            history.append(StatusChange(taken, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
            assignee, updated = admin, taken
            if status in (TicketStatus.CLOSED, TicketStatus.REJECTED):
                finished = taken + timedelta(minutes=rng.randint(5, 3000))
                comment = _sentence(rng, 3, 12) if rng.random() < 0.5 else None
                history.append(StatusChange(finished, admin, TicketStatus.IN_PROGRESS, status, comment))
                updated = min(finished, now)
        media = [
            Media(MediaKind.PHOTO, f"AgACAgIAAxkBAAI{index:08d}{n}")
            for n in range(rng.choice([0, 0, 0, 0, 1, 1, 2, 3]))
        ]
        ticket = Ticket(
            number=plan.first_number + index,
            user_id=user_id,
            username=f"user{user_id}",
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            phone=f"+38050{rng.randrange(10**7):07d}",
            description=_sentence(rng, 6, 45),
            priority=_pick(rng, PRIORITY_SHARES),
            status=status,
            created_at=created,
            updated_at=updated,
            media=media,
            assignee=assignee,
            history=history,
            category=_pick(categories, CATEGORY_SHARES),
        )
        yield ticket.to_doc()


def now_utc() -> datetime:
    return datetime.now(UTC)
