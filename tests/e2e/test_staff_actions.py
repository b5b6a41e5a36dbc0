"""Take into work, close, reject: atomic, recorded, and told to the ticket's owner."""

from __future__ import annotations

import asyncio
from typing import Unpack
from zoneinfo import ZoneInfo

from app.keyboards.callback_data import StaffTicketAction, StaffTicketCallback
from app.models.tickets import QueueView
from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card


async def owner_with_ticket(bot: BotHarness, **answers: Unpack[flows.FormAnswers]) -> FakeUser:
    user = bot.fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
    await flows.start(user)
    await flows.file_ticket(user, **answers)
    return user


async def test_take_then_close_with_comment(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    owner = await owner_with_ticket(bot)
    card = await open_card(admin, 1)
    await admin.click("🛠 Take into work", card)
    taken = await admin.wait_edit(card.message_id)
    assert "In progress" in taken.body and "Assignee: Olha" in taken.body
    assert taken.button_texts() == [
        "✅ Close",
        "⛔ Reject",
        "💬 Reply",
        "📝 Note",
        "💬 Conversation",
        "🔀 Reassign",
        "⬅️ Back to the list",
    ]
    note = await owner.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    assert note.text == "🛠 Your ticket #1 was taken into work by Olha."

    await admin.click("✅ Close", taken)
    await admin.wait_message(predicate=lambda m: "Closing ticket #1" in (m.text or ""))
    assert admin.reply_keyboard == [["⏭ Skip"], ["❌ Cancel"]]
    await admin.send_text("Replaced the toner cartridge")
    done = await admin.wait_message()
    assert done.text == "✅ Ticket #1 closed."
    # The card the Close button was on is re-rendered in place: no second card, no stale buttons.
    card_after = await admin.wait_edit(card.message_id)
    assert "Closed" in card_after.body and "Replaced the toner cartridge" in card_after.body
    assert "✅ Close" not in card_after.button_texts()
    assert len([m for m in admin.messages if "<b>Ticket #1</b>" in (m.raw_text or "")]) == 1
    closed = await owner.wait_message(predicate=lambda m: "closed" in (m.text or ""))
    assert "Comment: Replaced the toner cartridge" in closed.body

    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "closed" and doc["assignee"]["id"] == 3001
    assert [(h["from"], h["to"]) for h in doc["history"]] == [
        (None, "new"),
        ("new", "in_progress"),
        ("in_progress", "closed"),
    ]
    assert doc["history"][-1]["comment"] == "Replaced the toner cartridge" and doc["history"][-1]["by"]["id"] == 3001
    actions = [a["action"] async for a in bot.db.audit.find({}).sort("at", 1)]
    assert actions == ["take", "close"]


async def test_close_without_comment_via_skip(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    owner = await owner_with_ticket(bot)
    card = await open_card(admin, 1)
    await admin.click("🛠 Take into work", card)
    taken = await admin.wait_edit(card.message_id)
    await admin.click("✅ Close", taken)
    await admin.wait_message(predicate=lambda m: "Closing ticket #1" in (m.text or ""))
    await admin.tap("⏭ Skip")
    assert (await admin.wait_message()).text == "✅ Ticket #1 closed."
    closed = await owner.wait_message(predicate=lambda m: "closed" in (m.text or ""))
    assert closed.text == "✅ Your ticket #1 was closed.\n\nDid this solve your problem?"
    assert closed.button_texts() == ["👍 Yes", "👎 No, reopen"]


async def test_reject_needs_a_reason(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001)
    owner = await owner_with_ticket(bot)
    card = await open_card(admin, 1)
    await admin.click("⛔ Reject", card)
    await admin.wait_message(predicate=lambda m: "Rejecting ticket #1" in (m.text or ""))
    await admin.send_text("no")
    assert "must be 5–500 characters long; yours has 2" in (await admin.wait_message()).body
    await admin.send_text("   ")
    assert "yours has 0" in (await admin.wait_message()).body
    await admin.send_photo()
    assert "A reason is required" in (await admin.wait_message()).body
    await admin.send_command("/start")
    assert "A reason is required" in (await admin.wait_message()).body
    await admin.send_text("x" * 501)
    assert "yours has 501" in (await admin.wait_message()).body
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "new"

    await admin.tap("❌ Cancel")
    assert "not changed" in (await admin.wait_message()).body
    await admin.click("⛔ Reject", card)  # the card's buttons still work after a cancel
    await admin.wait_message(predicate=lambda m: "Rejecting ticket #1" in (m.text or ""))
    await admin.send_text("This is a facilities issue, call 101")
    assert (await admin.wait_message()).text == "⛔ Ticket #1 rejected."
    rejected_card = await admin.wait_edit(card.message_id)
    assert "Rejected" in (rejected_card.text or "") and "⛔ Reject" not in rejected_card.button_texts()
    assert len([m for m in admin.messages if "<b>Ticket #1</b>" in (m.raw_text or "")]) == 1
    rejected = await owner.wait_message(predicate=lambda m: "rejected" in (m.text or ""))
    assert "Reason: This is a facilities issue, call 101" in rejected.body
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "rejected" and doc["history"][-1]["comment"].startswith("This is")


async def test_two_admins_take_at_once_exactly_one_wins(bot: BotHarness) -> None:
    first = await make_admin(bot, 3001, name="Olha")
    second = await make_admin(bot, 3002, name="Petro")
    owner = await owner_with_ticket(bot)
    card1 = await open_card(first, 1)
    card2 = await open_card(second, 1)
    q1, q2 = await asyncio.gather(first.click("🛠 Take into work", card1), second.click("🛠 Take into work", card2))
    answers = [await first.wait_callback_answer(q1), await second.wait_callback_answer(q2)]
    texts = sorted(a[0] or "" for a in answers)
    assert texts[0].startswith("Ticket #1 is already taken by ") and texts[1] == "Ticket #1 is yours now."
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "in_progress"
    assert len([h for h in doc["history"] if h["to"] == "in_progress"]) == 1
    winner = doc["assignee"]["name"]
    assert texts[0] == f"Ticket #1 is already taken by {winner}."
    await owner.wait_message(predicate=lambda m: "taken into work" in (m.text or ""))
    for admin in (first, second):  # the owner is notified while a tap is handled: both are done now
        await flows.barrier(admin)
    await owner.expect_no_message(within=0)
    # The loser's card was re-rendered in place with the winner shown.
    loser, card = (second, card2) if winner == "Olha" else (first, card1)
    loser_card = loser.chat.messages_by_id[card.message_id]
    assert f"Assignee: {winner}" in loser_card.body and "🛠 Take into work" not in loser_card.button_texts()


async def test_only_the_assignee_closes_and_blocked_owner_is_reported(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    petro = await make_admin(bot, 3002, name="Petro")
    await owner_with_ticket(bot)
    card = await open_card(olha, 1)
    await olha.click("🛠 Take into work", card)
    await olha.wait_edit(card.message_id)
    other = await open_card(petro, 1, view="👥 All in progress")
    assert "✅ Close" not in other.button_texts()
    # Forged: Petro is not the assignee.
    close = StaffTicketCallback(action=StaffTicketAction.CLOSE, number=1, view=QueueView.IN_WORK).pack()
    query = await petro.press_data(close, other.message_id)
    text, _ = await petro.wait_callback_answer(query)
    assert text == "Only the assignee or the super-admin can do this with ticket #1."

    bot.fake.block(2001)
    await olha.click("✅ Close", card)
    await olha.wait_message(predicate=lambda m: "Closing" in (m.text or ""))
    await olha.tap("⏭ Skip")
    done = await olha.wait_message()
    assert done.body.startswith("✅ Ticket #1 closed.") and "could not be notified" in done.body


async def test_superadmin_may_close_a_ticket_someone_else_took(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    await owner_with_ticket(bot)
    card = await open_card(olha, 1)
    await olha.click("🛠 Take into work", card)
    await olha.wait_edit(card.message_id)
    boss = bot.superadmin
    boss.language_code = "en"
    await boss.send_command("/start")
    await boss.wait_message(predicate=lambda m: "Hello" in (m.text or "") or "Привіт" in (m.text or ""))
    await boss.send_command("/queue")
    queue = await boss.wait_message(predicate=lambda m: "🆕" in (m.text or ""))
    await boss.click("👥 All in progress", queue)
    in_work = await boss.wait_edit(queue.message_id)
    await boss.click(next(t for t in in_work.button_texts() if "#1 " in t), in_work)
    boss_card = await boss.wait_edit(queue.message_id)
    assert "✅ Close" in boss_card.button_texts()
    await boss.click("✅ Close", boss_card)
    await boss.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    await boss.send_text("Done remotely")
    await boss.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "closed" and doc["history"][-1]["by"]["id"] == bot.superadmin.id


async def test_a_repeated_take_by_the_assignee_says_already_yours(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    await owner_with_ticket(bot)
    card = await open_card(admin, 1)
    await admin.click("🛠 Take into work", card)
    await admin.wait_edit(card.message_id)
    query = await admin.press_data("st:t:1:n:0", card.message_id)  # the button from before, tapped again
    text, _ = await admin.wait_callback_answer(query)
    assert text == "Ticket #1 is already yours."


async def test_cards_show_dates_in_the_configured_time_zone(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    await owner_with_ticket(bot)
    card = await open_card(admin, 1)
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["created_at"].utcoffset().total_seconds() == 0  # stored as UTC
    local = doc["created_at"].astimezone(ZoneInfo("Europe/Kyiv"))
    assert f"Created: {local:%Y-%m-%d %H:%M %Z}" in (card.text or "") and " UTC" not in (card.text or "")
