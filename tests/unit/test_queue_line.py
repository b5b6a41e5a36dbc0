"""The 💬 mark of a queue button: an active ticket whose employee wrote last."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models.tickets import Priority, Ticket, TicketStatus
from app.texts.tickets import queue_line


def ticket(status: TicketStatus, awaiting: bool) -> Ticket:
    now = datetime.now(UTC)
    return Ticket(
        7, 2001, None, "Ivan", "+380501234567", "No network", Priority.HIGH, status, now, now, awaiting_staff=awaiting
    )


@pytest.mark.parametrize("status", [TicketStatus.NEW, TicketStatus.IN_PROGRESS])
def test_an_active_ticket_waiting_for_staff_is_marked(status: TicketStatus) -> None:
    assert queue_line(ticket(status, True)).startswith("💬 ")
    assert "💬" not in queue_line(ticket(status, False))


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.REJECTED])
def test_a_finished_ticket_waits_for_nobody(status: TicketStatus) -> None:
    assert "💬" not in queue_line(ticket(status, True))


def test_an_old_document_without_the_field_is_not_marked() -> None:
    doc = ticket(TicketStatus.IN_PROGRESS, True).to_doc()
    del doc["awaiting_staff"]
    assert Ticket.from_doc(doc).awaiting_staff is False
