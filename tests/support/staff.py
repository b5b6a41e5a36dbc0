"""Helpers for staff-side tests: admins, seeded tickets, opening cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.db.admins import AdminRepository
from app.db.repositories import Repositories
from app.keyboards.callback_data import (
    CategoryAction,
    CategoryCallback,
    ConversationAction,
    ConversationCallback,
    QueueCallback,
    QueueCategoryCallback,
    StaffAction,
    StaffCallback,
    StaffTicketAction,
    StaffTicketCallback,
)
from app.models.tickets import QueueView, Ticket
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness

# Every staff action, as the packed callback data a real button would carry: packed by the
# app's own factories, so a renamed prefix or field cannot turn a "refused" check into a
# check of data no handler would ever have accepted.
STAFF_CALLBACKS = [
    *(QueueCallback(view=view).pack() for view in QueueView),
    QueueCategoryCallback(view=QueueView.NEW, choose=True).pack(),
    QueueCategoryCallback(view=QueueView.NEW, category=5).pack(),
    *(StaffTicketCallback(action=action, number=1).pack() for action in StaffTicketAction),
    *(
        StaffTicketCallback(action=action, number=2, view=QueueView.IN_WORK).pack()
        for action in (StaffTicketAction.TAKE, StaffTicketAction.CLOSE, StaffTicketAction.REJECT)
    ),
    # «Take and reply» on a new ticket (#1) and Reply / Note / Conversation on a taken one (#2).
    *(ConversationCallback(action=action, number=number).pack() for action in ConversationAction for number in (1, 2)),
]
SUPERADMIN_CALLBACKS = [
    StaffCallback(action=StaffAction.LIST).pack(),
    StaffCallback(action=StaffAction.ADD).pack(),
    StaffCallback(action=StaffAction.REMOVE, user_id=3001).pack(),
    StaffCallback(action=StaffAction.CONFIRM_REMOVE, user_id=3001).pack(),
    # Every catalogue action on a default category (Printers); SET_PRIORITY to Critical.
    *(CategoryCallback(action=action, category=5, priority=4).pack() for action in CategoryAction),
]


async def make_admin(bot: BotHarness, user_id: int, name: str = "Admin", **kwargs: Any) -> FakeUser:
    """An admin who has started the bot (so Telegram lets the bot write to them)."""
    admin = bot.fake.user(user_id, first_name=name, language_code="en", **kwargs)
    await AdminRepository(bot.db).add(user_id, name=name, username=None, added_by=1, added_at=datetime.now(UTC))
    await admin.send_command("/start")
    await admin.wait_message()
    return admin


def ticket_doc(
    number: int,
    user_id: int,
    *,
    priority: int = 2,
    status: str = "new",
    minutes_ago: int = 0,
    assignee: dict[str, Any] | None = None,
    media: int = 0,
) -> dict[str, Any]:
    created = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "number": number,
        "user_id": user_id,
        "username": "owner",
        "full_name": "Ivan Petrenko",
        "phone": "+380501234567",
        "description": f"Ticket {number}: the network is down",
        "priority": priority,
        "status": status,
        "created_at": created,
        "updated_at": created,
        "assignee": assignee,
        "media": [{"kind": "photo", "file_id": f"missing-{number}-{i}"} for i in range(media)],
        "history": [{"at": created, "by": None, "from": None, "to": "new", "comment": None}],
    }


async def seed_tickets(bot: BotHarness, docs: list[dict[str, Any]]) -> None:
    """Tickets written the way the app writes them (derived fields, status counts) — never
    straight into the collection."""
    await bot.workflow("repos", Repositories).tickets.insert_many([Ticket.from_doc(doc) for doc in docs])


async def open_card(admin: FakeUser, number: int, view: str | None = None) -> BotMessage:
    """Open ticket #number from the first page of the queue (or of the filter button `view`)."""
    await admin.tap("📥 Queue")
    queue = await admin.wait_message(predicate=lambda m: "New tickets" in (m.text or ""))
    listing = queue
    if view is not None:
        await admin.click(view, queue)
        listing = await admin.wait_edit(queue.message_id)
    label = next(t for t in listing.button_texts() if f"#{number} " in t)
    await admin.click(label, listing)
    return await admin.wait_edit(queue.message_id)
