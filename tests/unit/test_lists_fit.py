"""Every card and list the bot renders fits one Telegram message, whatever people typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import validators
from app.models.tickets import ChangeNote, Priority, StatusChange, Ticket, TicketStatus
from app.models.users import Person
from app.texts.tickets import staff_card, ticket_card
from app.utils.i18n import create_i18n
from tests.support.fake_telegram.markup import check_text
from tests.unit.test_message_limits import LONGEST_CATEGORY

LONGEST_NAME = "Ж" * 64 + " " + "Щ" * 64  # Telegram's first and last name are 64 each


def worst_ticket(cycles: int) -> Ticket:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    admin, boss = Person(3001, LONGEST_NAME), Person(1, LONGEST_NAME)
    history = [StatusChange(at, Person(2001, "Ivan"), None, TicketStatus.NEW)]
    for cycle in range(cycles):
        moment = at + timedelta(hours=cycle)
        history.append(StatusChange(moment, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
        history.append(
            StatusChange(moment, boss, TicketStatus.IN_PROGRESS, TicketStatus.NEW, note=ChangeNote.ASSIGNEE_LEFT)
        )
    history.append(StatusChange(at, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    comment = "🙂" * (validators.COMMENT_MAX // 2)  # the longest comment, in UTF-16 units
    history.append(StatusChange(at, admin, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED, comment))
    return Ticket(
        number=10**6,
        user_id=2001,
        username="u" * 32,
        full_name="Ґ" * validators.NAME_MAX,
        phone="+380501234567",
        description="🙂" * (validators.DESCRIPTION_MAX // 2),
        priority=Priority.CRITICAL,
        status=TicketStatus.CLOSED,
        created_at=at,
        updated_at=at + timedelta(days=3),
        assignee=admin,
        history=history,
    )


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("cycles", [0, 3, 50])
def test_the_longest_ticket_cards_fit_one_message(language: str, cycles: int) -> None:
    i18n = create_i18n("uk")
    ticket = worst_ticket(cycles)
    with i18n.context(), i18n.use_locale(language):
        for card in (staff_card(ticket, LONGEST_CATEGORY), ticket_card(ticket, LONGEST_CATEGORY)):
            check_text(card.text, "HTML")  # raises "message is too long" as Telegram would


def test_typed_limits_count_utf16_units_as_telegram_does() -> None:
    longest = "🙂" * (validators.DESCRIPTION_MAX // 2)
    assert validators.description(longest) == longest
    with pytest.raises(validators.InvalidInput):
        validators.description(longest + "🙂")
