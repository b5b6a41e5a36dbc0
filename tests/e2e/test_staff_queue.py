"""The staff queue: ordering, pagination, filters, the ticket card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import flows
from tests.support.fake_telegram import BotMessage
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc


async def test_queue_orders_by_priority_then_age_and_pages_by_ten(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    docs = [ticket_doc(n, 2001, priority=1 + n % 4, minutes_ago=100 - n) for n in range(1, 24)]
    docs.append(ticket_doc(24, 2001, status="in_progress", assignee={"id": 3001, "name": "Admin"}))
    docs.append(ticket_doc(25, 2001, status="closed"))
    await seed_tickets(bot, docs)
    await admin.tap("📥 Queue")
    page1 = await admin.wait_message()
    assert "🆕 23 · 🛠 1 · ⏳ 0 · ✅ 1 · ⛔ 0" in page1.body
    assert "Page 1 of 3 · tickets: 23" in page1.body
    numbers = [int(t.split("#")[1].split(" ")[0]) for t in page1.button_texts() if "#" in t]
    # Critical (priority 4: n % 4 == 3) first, oldest first inside a priority.
    assert numbers == [3, 7, 11, 15, 19, 23, 2, 6, 10, 14]
    await admin.click("▶️", page1)
    page2 = await admin.wait_edit(page1.message_id)
    numbers2 = [int(t.split("#")[1].split(" ")[0]) for t in page2.button_texts() if "#" in t]
    assert numbers2 == [18, 22, 1, 5, 9, 13, 17, 21, 4, 8]
    await admin.click("▶️", page2)
    page3 = await admin.wait_edit(page1.message_id)
    assert [int(t.split("#")[1].split(" ")[0]) for t in page3.button_texts() if "#" in t] == [12, 16, 20]


async def test_filters_mine_all_and_finished(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    old = datetime.now(UTC) - timedelta(days=40)
    docs = [
        ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Admin"}),
        ticket_doc(2, 2001, status="in_progress", assignee={"id": 3002, "name": "Other"}),
        ticket_doc(3, 2001, status="closed"),
        ticket_doc(4, 2001, status="rejected"),
        {**ticket_doc(5, 2001, status="closed"), "updated_at": old},
    ]
    await seed_tickets(bot, docs)

    def numbers(message: BotMessage) -> list[int]:
        return sorted(int(t.split("#")[1].split(" ")[0]) for t in message.button_texts() if "#" in t)

    await admin.tap("🛠 In my work")
    mine = await admin.wait_message()
    assert numbers(mine) == [1]
    await admin.click("👥 All in progress", mine)
    assert numbers(await admin.wait_edit(mine.message_id)) == [1, 2]
    await admin.click("🗂 Finished", mine)
    assert numbers(await admin.wait_edit(mine.message_id)) == [3, 4]  # #5 is older than 30 days
    await admin.click("🆕 New", mine)
    empty = await admin.wait_edit(mine.message_id)
    assert "Nothing here." in empty.body


async def test_card_shows_everything_and_resends_media(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    user = bot.fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
    await flows.start(user)
    await flows.file_ticket(user, photos=3, priority="critical")
    card = await open_card(admin, 1)
    for expected in (
        "Ticket #1",
        "New",
        "Critical",
        "ago",
        "Ivan Petrenko",
        "+380501234567",
        "@ivan_p",
        "printer",
        "Attachments: 3",
        "History:",
    ):
        assert expected in card.body, expected
    assert card.button_texts() == [
        "🛠 Take into work",
        "⛔ Reject",
        "💬 Take and reply",
        "📝 Note",
        "💬 Conversation",
        "🖼 Show attachments (3)",
        "⬅️ Back to the list",
    ]
    await admin.click("🖼 Show attachments (3)", card)
    album = await admin.wait_message()
    assert album.media_group_id is not None
    assert len([m for m in admin.messages if m.media_group_id == album.media_group_id]) == 3
