"""«My tickets»: active list with pages, detail cards, attachments, history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.keyboards.callback_data import MyTicketsAction, MyTicketsCallback
from tests.support import flows
from tests.support.harness import BotHarness


async def seed_tickets(bot: BotHarness, user_id: int, count: int, status: str = "new", start: int = 1) -> None:
    now = datetime.now(UTC)
    docs = []
    for i in range(count):
        number = start + i
        docs.append(
            {
                "number": number,
                "user_id": user_id,
                "username": None,
                "full_name": "Ivan Petrenko",
                "phone": "+380501234567",
                "description": f"Problem number {number} with the network",
                "priority": 2,
                "status": status,
                "created_at": now + timedelta(seconds=number),
                "updated_at": now + timedelta(seconds=number),
                "media": [],
                "assignee": None,
                "history": [{"at": now, "by": None, "from": None, "to": "new", "comment": None}],
            }
        )
    await bot.db.tickets.insert_many(docs)


async def test_active_tickets_are_paginated_newest_first(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await seed_tickets(bot, 2001, 7)
    await seed_tickets(bot, 2002, 2, start=100)  # someone else's
    await seed_tickets(bot, 2001, 1, status="closed", start=50)
    await user.tap(flows.MY_TICKETS)
    page1 = await user.wait_message()
    assert "Page 1 of 2 · tickets: 7" in page1.body
    labels = page1.button_texts()
    assert [t.split(" · ")[0] for t in labels[:5]] == ["🆕 #7", "🆕 #6", "🆕 #5", "🆕 #4", "🆕 #3"]
    assert "▶️" in labels and "◀️" not in labels and "🗂 History" in labels
    await user.click("▶️")
    page2 = await user.wait_edit(page1.message_id)
    assert "Page 2 of 2" in page2.body
    assert [t.split(" · ")[0] for t in page2.button_texts()[:2]] == ["🆕 #2", "🆕 #1"]
    assert "◀️" in page2.button_texts()


async def test_card_shows_details_and_resends_media(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await flows.file_ticket(user, photos=2)
    await bot.db.tickets.update_one(
        {"number": 1}, {"$set": {"status": "in_progress", "assignee": {"id": 3001, "name": "Admin Olha"}}}
    )
    await user.tap(flows.MY_TICKETS)
    listing = await user.wait_message()
    await user.click(listing.button_texts()[0], listing)
    card = await user.wait_edit(listing.message_id)
    for expected in ("Ticket #1", "In progress", "High", "printer", "Attachments: 2", "Assignee: Admin Olha"):
        assert expected in card.body, expected
    await user.click("🖼 Show attachments (2)", card)
    album = await user.wait_message()
    assert album.media_group_id is not None
    await user.click("⬅️ Back to the list", card)
    back = await user.wait_edit(listing.message_id)
    assert "Your active tickets" in back.body


async def test_history_shows_closing_comment_and_rejection_reason(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await seed_tickets(bot, 2001, 1, status="rejected", start=1)
    await bot.db.tickets.update_one(
        {"number": 1},
        {
            "$push": {
                "history": {
                    "at": datetime.now(UTC),
                    "by": {"id": 1, "name": "A"},
                    "from": "new",
                    "to": "rejected",
                    "comment": "Duplicate of #0",
                }
            }
        },
    )
    await user.tap(flows.MY_TICKETS)
    listing = await user.wait_message()
    assert "no active tickets" in listing.body
    await user.click("🗂 History", listing)
    history = await user.wait_edit(listing.message_id)
    assert "Closed and rejected" in history.body
    await user.click(history.button_texts()[0], history)
    card = await user.wait_edit(listing.message_id)
    assert "Rejected" in card.body and "Reason: Duplicate of #0" in card.body


async def test_someone_elses_ticket_cannot_be_opened_with_forged_data(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await seed_tickets(bot, 2002, 1, start=42)
    query = await user.press_data(MyTicketsCallback(action=MyTicketsAction.OPEN, number=42).pack())
    text, alert = await user.wait_callback_answer(query)
    assert text == "Ticket not found." and alert
    query = await user.press_data(MyTicketsCallback(action=MyTicketsAction.MEDIA, number=42).pack())
    text, _ = await user.wait_callback_answer(query)
    assert text == "This ticket has no attachments."
    # Not even a valid action: malformed on purpose, so typed out (no factory can pack it).
    query = await user.press_data("my:zz:a:0:42")
    text, _ = await user.wait_callback_answer(query)
    assert text == "This button is no longer active."
