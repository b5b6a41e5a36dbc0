"""Long texts, counted as Telegram counts them (UTF-16 units: an emoji is 2): every limit the
bot sets holds, every message it renders fits, and no ticket gets stuck because of its text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card

EMOJI = "😀"
FULL_TEXT = "📄 Full text"


def text_of(message: BotMessage) -> str:
    return message.text or ""


def en_user(bot: BotHarness, user_id: int = 2001) -> FakeUser:
    return bot.fake.user(user_id, first_name="Ivan", username="ivan_p", language_code="en")


async def test_description_limit_counts_an_emoji_as_two(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    user = en_user(bot)
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.send_text("0501234567")
    await user.wait_message(predicate=flows.at_step("description"))
    await user.send_text(EMOJI * 1001)
    refused = await user.wait_message()
    assert "too long" in text_of(refused) and "yours has 2002" in text_of(refused)
    assert flows.step("description") in text_of(refused)

    await user.send_text(EMOJI * 1000)  # exactly 2000 units
    await user.wait_message(predicate=flows.at_step("media"))
    await user.tap(flows.SKIP)
    await user.wait_message(predicate=flows.at_step("priority"))
    await user.tap(flows.PRIORITIES["high"])
    summary = await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""))
    assert EMOJI * 1000 in text_of(summary)
    await user.tap(flows.SUBMIT)
    created = await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    assert "Ticket #1 created" in text_of(created) and EMOJI * 1000 in text_of(created)
    notice = await admin.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    assert notice.button_texts() == ["Open", "💬 Take and reply"]
    card = await open_card(admin, 1)
    assert EMOJI * 1000 in text_of(card) and FULL_TEXT not in card.button_texts()


async def seed_legacy_ticket(bot: BotHarness, owner: int, **fields: Any) -> None:
    """A ticket as the bot stored it while limits counted code points: 2000 emoji = 4000 units."""
    now = datetime.now(UTC)
    doc: dict[str, Any] = {
        "number": 1,
        "user_id": owner,
        "username": "ivan_p",
        "full_name": "Ivan Petrenko",
        "phone": "+380501234567",
        "description": "Start. " + EMOJI * 2000 + " The end.",
        "priority": 3,
        "status": "new",
        "created_at": now,
        "updated_at": now,
        "media": [],
        "assignee": None,
        "history": [{"at": now, "by": None, "from": None, "to": "new", "comment": None}],
    }
    await bot.db.tickets.insert_one({**doc, **fields})


async def read_full_text(person: FakeUser, card: BotMessage) -> str:
    """Tap «📄 Full text» and collect the messages that arrive, up to the description's last words."""
    await person.click(FULL_TEXT, card)
    parts = [await person.wait_message()]
    while "The end." not in text_of(parts[-1]):
        parts.append(await person.wait_message())
    return "".join(text_of(part) for part in parts)


async def test_a_ticket_with_an_overlong_description_can_be_opened_taken_and_closed(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    owner = en_user(bot)
    await flows.start(owner)
    await seed_legacy_ticket(bot, owner.id)

    card = await open_card(admin, 1)
    assert "Start. " + EMOJI in text_of(card) and "…" in text_of(card) and "The end." not in text_of(card)
    assert FULL_TEXT in card.button_texts()
    full = await read_full_text(admin, card)
    assert "Start. " + EMOJI * 2000 + " The end." in full

    await admin.click("🛠 Take into work", card)
    taken = await admin.wait_edit(card.message_id)
    assert "In progress" in text_of(taken) and "Assignee: Olha" in text_of(taken)
    await owner.wait_message(predicate=lambda m: "taken into work" in (m.text or ""))

    await admin.click("✅ Close", taken)
    await admin.wait_message(predicate=lambda m: "Closing ticket #1" in (m.text or ""))
    await admin.send_text(EMOJI * 501)  # 1002 units: over the comment's 1000
    refused = await admin.wait_message()
    assert "too long" in text_of(refused) and "yours has 1002" in text_of(refused)
    await admin.send_text("Fixed. " + EMOJI * 496)  # 999 units
    assert text_of(await admin.wait_message()) == "✅ Ticket #1 closed."
    closed_card = await admin.wait_edit(card.message_id)  # the card is updated where it is
    assert "Closed" in text_of(closed_card) and FULL_TEXT in closed_card.button_texts()
    told = await owner.wait_message(predicate=lambda m: "was closed" in (m.text or ""))
    assert "Fixed. " + EMOJI * 496 in text_of(told)

    await owner.tap(flows.MY_TICKETS)
    listing = await owner.wait_message()
    await owner.click("🗂 History", listing)
    history = await owner.wait_edit(listing.message_id)
    await owner.click(next(t for t in history.button_texts() if "#1 " in t), history)
    owner_card = await owner.wait_edit(listing.message_id)
    assert "Closed" in text_of(owner_card) and "…" in text_of(owner_card) and FULL_TEXT in owner_card.button_texts()
    full = await read_full_text(owner, owner_card)
    assert "Start. " + EMOJI * 2000 + " The end." in full
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "closed" and doc["history"][-1]["comment"] == "Fixed. " + EMOJI * 496


async def test_a_reason_is_measured_in_utf16_units_and_the_rejected_card_fits(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    owner = en_user(bot)
    await flows.start(owner)
    await seed_legacy_ticket(bot, owner.id)
    card = await open_card(admin, 1)
    await admin.click("⛔ Reject", card)
    await admin.wait_message(predicate=lambda m: "Rejecting ticket #1" in (m.text or ""))
    await admin.send_text(EMOJI * 251)
    assert "yours has 502" in text_of(await admin.wait_message())
    await admin.send_text(EMOJI * 250)
    assert text_of(await admin.wait_message()) == "⛔ Ticket #1 rejected."
    rejected_card = await admin.wait_edit(card.message_id)  # the card is updated where it is
    assert "Rejected" in text_of(rejected_card)
    told = await owner.wait_message(predicate=lambda m: "rejected" in (m.text or ""))
    assert EMOJI * 250 in text_of(told)


async def test_a_server_room_note_is_measured_in_utf16_units(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.send_text(EMOJI * 101)
    refused = await user.wait_message()
    assert "too long" in text_of(refused) and "yours has 202" in text_of(refused)
    await user.send_text(EMOJI * 100)
    assert "alerted" in text_of(await user.wait_message())
    alert = await bot.superadmin.wait_message()
    assert EMOJI * 100 in text_of(alert)


async def test_submit_tells_the_number_and_notifies_staff_even_when_the_card_cannot_be_sent(
    bot: BotHarness,
) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    user = en_user(bot)
    await flows.start(user)
    await flows.fill_until_summary(user)
    bot.fake.fail_next(1, status=500, methods=["sendMessage"])  # the answer with the card fails
    await user.tap(flows.SUBMIT)
    told = await user.wait_message()
    assert "Ticket #1 created" in text_of(told) and "Something went wrong" not in text_of(told)
    assert user.reply_keyboard and user.reply_keyboard[0] == [flows.NEW_TICKET, flows.MY_TICKETS]
    notice = await admin.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    assert notice.button_texts() == ["Open", "💬 Take and reply"]
    assert await bot.db.tickets.count_documents({}) == 1
