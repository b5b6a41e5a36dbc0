"""How a ticket's status changes are shared out among the pages of its conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.models.conversation import Content, DeliveryState, Direction, TicketMessage
from app.models.paging import Page
from app.models.tickets import StatusChange, TicketStatus
from app.models.timeline import CHANGES_PER_PAGE, timeline_page

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PER_PAGE = 5


def message(minute: int) -> TicketMessage:
    return TicketMessage(
        number=1,
        direction=Direction.IN,
        author_id=1,
        author_name="Ivan",
        content=Content(text=f"at {minute}"),
        created_at=T0 + timedelta(minutes=minute),
        delivery=DeliveryState.SENT,
    )


def change(minute: int) -> StatusChange:
    return StatusChange(T0 + timedelta(minutes=minute), None, TicketStatus.NEW, TicketStatus.IN_PROGRESS)


def pages(message_minutes: list[int], change_minutes: list[int]) -> list[list[int]]:
    """The change minutes each page shows, as the app pages newest first."""
    newest_first = sorted(message_minutes, reverse=True)
    history = [change(m) for m in change_minutes]
    shown: list[list[int]] = []
    count = max(1, -(-len(newest_first) // PER_PAGE))
    for number in range(count):
        items = [message(m) for m in newest_first[number * PER_PAGE : (number + 1) * PER_PAGE]]
        rest = newest_first[(number + 1) * PER_PAGE :]
        next_older = message(rest[0]).created_at if rest else None
        page = timeline_page(history, Page(items, number, len(newest_first), PER_PAGE), next_older)
        shown.append([int((c.at - T0).total_seconds() // 60) for c in page.changes])
    return shown


def test_changes_sit_beside_the_messages_of_their_time() -> None:
    # Messages at 10..120 every 10 minutes: page 0 = 120..80, page 1 = 70..30, page 2 = 20, 10.
    # A page holds the changes after its next older message (page 0: and all newer ones).
    messages = list(range(10, 121, 10))
    assert pages(messages, [0, 15, 35, 75, 79, 80, 200]) == [[200, 80, 79, 75], [35], [15, 0]]


def test_without_messages_every_change_is_on_the_one_page() -> None:
    assert pages([], [0, 5, 9]) == [[9, 5, 0]]


def test_a_long_history_shows_the_newest_changes_and_counts_the_rest() -> None:
    history = [change(m) for m in range(CHANGES_PER_PAGE + 7)]
    page = timeline_page(history, Page([], 0, 0, PER_PAGE), None)
    assert len(page.changes) == CHANGES_PER_PAGE and page.earlier_changes == 7
    assert page.changes[0].at == history[-1].at


@given(
    st.lists(st.integers(0, 500), max_size=30, unique=True),
    st.lists(st.integers(0, 500), max_size=CHANGES_PER_PAGE),
)
def test_every_change_is_on_exactly_one_page(message_minutes: list[int], change_minutes: list[int]) -> None:
    shown = [minute for page in pages(message_minutes, change_minutes) for minute in page]
    assert sorted(shown) == sorted(change_minutes)
