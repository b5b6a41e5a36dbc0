"""A ticket's timeline: its conversation's messages and its status changes, newest first, in pages.

Messages are paged by the database; status changes live on the ticket (its history) and are
shared out among the message pages by time: page k holds the changes newer than the next
older message (the first of page k+1) and not newer than its own newest message (page 0: no
upper bound). So every change is on exactly one page, beside the messages of its time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.models.conversation import TicketMessage
from app.models.paging import Page
from app.models.tickets import StatusChange

CHANGES_PER_PAGE = 10  # a ticket passed around for months keeps its pages readable
RECENT_ON_CARD = 3  # the latest messages a ticket's card ends with


@dataclass(frozen=True, slots=True)
class TimelinePage:
    messages: Page[TicketMessage]
    changes: list[StatusChange] = field(default_factory=list)  # newest first
    earlier_changes: int = 0  # changes of this page's span left out (over CHANGES_PER_PAGE)


def changes_between(
    history: list[StatusChange], newest: datetime | None, older: datetime | None
) -> tuple[list[StatusChange], int]:
    """The changes at or before `newest` (None: no bound) and after `older` (None: no bound),
    newest first and at most CHANGES_PER_PAGE of them, and how many more there were."""
    within = [
        change for change in history if (newest is None or change.at <= newest) and (older is None or change.at > older)
    ]
    within.sort(key=lambda change: change.at, reverse=True)
    return within[:CHANGES_PER_PAGE], max(0, len(within) - CHANGES_PER_PAGE)


def timeline_page(
    history: list[StatusChange], messages: Page[TicketMessage], next_older: datetime | None
) -> TimelinePage:
    """`next_older`: when the message after this page's last was written (None: this is the last page)."""
    newest = messages.items[0].created_at if messages.items and messages.number > 0 else None
    shown, left_out = changes_between(history, newest, next_older)
    return TimelinePage(messages, shown, left_out)
