"""The new-ticket form, end to end: updates through the fake Bot API, state in MongoDB."""

from __future__ import annotations

from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness

REMOVE_MEDIA = "🗑 Remove attachments"


def en_user(bot: BotHarness, user_id: int = 2001) -> FakeUser:
    return bot.fake.user(user_id, first_name="Ivan", username="ivan_p", language_code="en")


async def test_happy_path_stores_ticket_and_notifies_staff(bot: BotHarness) -> None:
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    await bot.db.admins.insert_one({"_id": 3001, "name": "Admin"})
    user = en_user(bot)
    await flows.start(user)
    summary = await flows.fill_until_summary(user, photos=2, priority="critical")
    assert "Ivan Petrenko" in summary.body and "+380501234567" in summary.body
    assert "Attachments: 2" in summary.body and "Critical" in summary.body
    assert await bot.db.tickets.count_documents({}) == 0  # nothing stored before Submit

    await user.tap(flows.SUBMIT)
    created = await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    assert "Ticket #1 created" in created.body
    assert user.reply_keyboard and user.reply_keyboard[0] == [flows.NEW_TICKET, flows.MY_TICKETS]

    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None
    assert doc["user_id"] == 2001 and doc["status"] == "new" and doc["priority"] == 4
    assert doc["full_name"] == "Ivan Petrenko" and doc["phone"] == "+380501234567"
    assert [m["kind"] for m in doc["media"]] == ["photo", "photo"]
    assert doc["created_at"].tzinfo is not None

    for staff in (bot.superadmin, admin):
        note = await staff.wait_message(predicate=lambda m: "#1" in (m.text or ""))
        assert "🔴" in note.body
        assert note.button_texts() == ["Open"] or "Відкрити" in note.button_texts()
    # The form's state is gone once submitted.
    assert await bot.db.fsm_states.count_documents({"state": {"$exists": True}}) == 0


async def test_ticket_numbers_increase_and_previous_name_is_offered(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    first = await flows.file_ticket(user, name="Олена Коваль-Шевчук")
    assert "Ticket #1 created" in first.body
    prompt = await flows.open_form(user)
    assert "Tap your name below" in prompt.body
    await user.tap("Олена Коваль-Шевчук")  # the one-tap answer is a real button
    prompt = await user.wait_message(predicate=flows.at_step("phone"))
    # The previous ticket's phone (as it was stored, normalised) is offered the same way.
    assert "Tap your number below" in (prompt.text or "")
    await user.tap("+380501234567")
    await user.wait_message(predicate=flows.at_step("description"))
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    await flows.file_ticket(user)
    numbers = sorted([d["number"] async for d in bot.db.tickets.find({})])
    assert numbers == [1, 2]


async def test_share_contact_accepts_only_own_contact(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.send_contact("+380671112233", own=False, user_id=555)
    refused = await user.wait_message()
    assert "someone else's contact" in refused.body and flows.step("phone") in refused.body
    await user.send_contact("380671112233", own=False)  # a typed card without user_id
    refused = await user.wait_message()
    assert "someone else's contact" in refused.body
    await user.share_contact("380671112233")  # Telegram may omit the '+'
    await user.wait_message(predicate=flows.at_step("description"))
    await user.send_text("Monitor flickers all the time")
    await user.wait_message(predicate=flows.at_step("media"))
    await user.tap(flows.SKIP)
    await user.wait_message(predicate=flows.at_step("priority"))
    await user.tap(flows.PRIORITIES["low"])
    summary = await user.wait_message()
    assert "+380671112233" in summary.body and "Attachments: 0" in summary.body


async def test_bad_inputs_get_clear_messages_and_the_step_repeats(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await user.tap(flows.NEW_TICKET)
    await user.wait_message(predicate=flows.at_step("category"))

    async def expect(hint: str, step: str) -> None:
        reply = await user.wait_message()
        assert hint in reply.body, reply.body
        assert step in reply.body, reply.body

    await user.send_text("Printer")  # typed, not a category's name
    await expect("choose one of the buttons", flows.step("category"))
    await user.send_photo()
    await expect("an attachment", flows.step("category"))
    await user.send_text("printers")  # what a button sends, in another case: still the category
    await user.wait_message(predicate=flows.at_step("name"))

    await user.send_text("R2-D2")
    await expect("letters of any alphabet, spaces, hyphens, apostrophes and dots after initials", flows.step("name"))
    await user.send_text("I")
    await expect("too short", flows.step("name"))
    await user.send_text("A" * 101)
    await expect("too long", flows.step("name"))
    await user.send_sticker()
    await expect("a sticker", flows.step("name"))
    await user.send_command("/start")
    await expect("Only /cancel works", flows.step("name"))
    await user.send_text("Ґанна О'Ніл")
    await user.wait_message(predicate=flows.at_step("phone"))

    await user.send_text("12345")
    await expect("does not look like a phone number", flows.step("phone"))
    await user.send_voice()
    await expect("a voice or audio message", flows.step("phone"))
    await user.send_text("+380 (50) 123-45-67")
    await user.wait_message(predicate=flows.at_step("description"))

    await user.send_text("broken")
    await expect("too short", flows.step("description"))
    await user.send_text("x" * 2001)
    await expect("too long", flows.step("description"))
    await user.send_photo()
    await expect("an attachment", flows.step("description"))
    await user.send_text("The VPN disconnects every five minutes.")
    await user.wait_message(predicate=flows.at_step("media"))

    await user.send_sticker()
    await expect("I cannot attach a sticker", flows.step("media"))
    await user.send_text("here is a screenshot")
    await expect("I cannot attach text", flows.step("media"))
    await user.tap(flows.DONE)
    await user.wait_message(predicate=flows.at_step("priority"))

    await user.send_text("super urgent")
    await expect("choose one of the buttons", flows.step("priority"))
    await user.tap(flows.PRIORITIES["normal"])
    summary = await user.wait_message()
    assert "Ґанна О'Ніл" in summary.body and "+380501234567" in summary.body
    await user.send_text("yes")
    await expect("use the buttons", "Please check your ticket")
    assert await bot.db.tickets.count_documents({}) == 0


async def test_back_and_cancel(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await user.tap(flows.NEW_TICKET)
    first = await user.wait_message()
    assert first.body.startswith(flows.step("category"))
    assert ["⬅️ Back", "❌ Cancel"] not in (user.reply_keyboard or [])  # no Back on the first step
    assert (user.reply_keyboard or [])[-1] == ["❌ Cancel"]
    await user.tap(flows.CATEGORY)
    await user.wait_message(predicate=flows.at_step("name"))
    assert ["⬅️ Back", "❌ Cancel"] in (user.reply_keyboard or [])
    await user.tap(flows.BACK)
    assert flows.step("category") in (await user.wait_message()).body
    await user.tap("Software")
    await user.send_text("Ivan Petrenko")
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.tap(flows.BACK)
    again = await user.wait_message()
    assert flows.step("name") in again.body
    await user.send_text("Petro Ivanenko")
    await user.wait_message()
    await user.send_text("0671234567")
    await user.wait_message(predicate=flows.at_step("description"))
    await user.tap(flows.CANCEL)
    cancelled = await user.wait_message()
    assert "Cancelled" in cancelled.body
    assert user.reply_keyboard and flows.NEW_TICKET in user.reply_keyboard[0]
    assert await bot.db.tickets.count_documents({}) == 0
    assert await bot.db.fsm_states.count_documents({"state": {"$exists": True}}) == 0
    await user.send_command("/cancel")
    nothing = await user.wait_message()
    assert "nothing to cancel" in nothing.body


async def test_edit_from_summary_changes_one_answer(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.fill_until_summary(user, priority="low")
    await user.tap(flows.EDIT)
    await user.wait_message()
    await user.tap("Phone")
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.send_text("+48221234567")
    summary = await user.wait_message()
    assert "Please check your ticket" in summary.body and "+48221234567" in summary.body
    await user.tap(flows.SUBMIT)
    await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["phone"] == "+48221234567" and doc["priority"] == 1


async def test_names_of_any_alphabet_and_initials_are_accepted(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Zoe\u0308 Mu\u0308ller 3")
    refused = await user.wait_message()
    assert "no digits or other symbols" in (refused.text or "") and flows.step("name") in (refused.text or "")
    await user.send_text("Zoe\u0308 Mu\u0308ller")  # a keyboard that sends the accents apart
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.tap(flows.BACK)
    await user.wait_message(predicate=flows.at_step("name"))
    await user.send_text("Петренко І. В.")
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    created = await flows.file_ticket(user, name="Łukasz O’Brien-Şevket")
    assert "Ticket #1 created" in (created.text or "")
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["full_name"] == "Łukasz O’Brien-Şevket"
    offered = await flows.open_form(user)
    assert offered is not None and ["Łukasz O’Brien-Şevket"] in (user.reply_keyboard or [])


async def test_skip_keeps_the_attachments_and_removing_them_is_a_button(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.fill_until_summary(user, photos=5)

    async def edit_attachments() -> str:
        await user.tap(flows.EDIT)
        await user.wait_message()
        await user.tap("Attachments")
        step = await user.wait_message(predicate=flows.at_step("media"))
        return step.text or ""

    assert "Attached so far: 5" in await edit_attachments()
    assert user.reply_keyboard is not None and [REMOVE_MEDIA] in user.reply_keyboard
    await user.send_text(flows.SKIP)  # what «Skip» sends, from this keyboard or an older one
    summary = await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""))
    assert "Attachments: 5" in (summary.text or "")

    await edit_attachments()
    await user.tap(REMOVE_MEDIA)
    removed = await user.wait_message()
    assert "Attachments removed" in (removed.text or "") and flows.step("media") in (removed.text or "")
    assert "Attached so far" not in (removed.text or "")
    assert user.reply_keyboard is not None and [REMOVE_MEDIA] not in user.reply_keyboard
    await user.send_photo()
    await user.wait_message(predicate=lambda m: "Attached: 1 of 10" in (m.text or ""))
    await user.tap(flows.DONE)
    summary = await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""))
    assert "Attachments: 1" in (summary.text or "")
    await user.tap(flows.SUBMIT)
    await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and [m["kind"] for m in doc["media"]] == ["photo"]


async def test_albums_count_as_items_and_the_limit_is_ten(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.send_text("0501234567")
    await user.send_text("Projector in room 5 shows no picture.")
    await user.wait_message(predicate=flows.at_step("media"))
    await user.send_album(["photo", "video", "photo", "photo", "photo", "photo"])
    ack = await user.wait_message(predicate=lambda m: "Attached:" in (m.text or ""))
    assert "Attached: 6 of 10" in ack.body
    # One answer for the whole album. The wait stays: the answer is debounced in a background
    # task, after the album's updates were handled, so no later update of the chat orders after it.
    await user.expect_no_message(within=1.5)
    await user.send_document("logs.zip", mime_type="application/zip")
    ack = await user.wait_message()
    assert "Attached: 7 of 10" in ack.body
    await user.send_album(["document", "document", "document", "document", "document"])
    ack = await user.wait_message(predicate=lambda m: "Attached:" in (m.text or ""))
    assert "Not added: 2." in ack.body and "Attached: 10 of 10" in ack.body
    await user.tap(flows.DONE)
    await user.wait_message()
    await user.tap(flows.PRIORITIES["normal"])
    summary = await user.wait_message()
    assert "Attachments: 10" in summary.body
    await user.tap(flows.SUBMIT)
    await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None
    kinds = [m["kind"] for m in doc["media"]]
    assert kinds == [
        "photo",
        "video",
        "photo",
        "photo",
        "photo",
        "photo",
        "document",
        "document",
        "document",
        "document",
    ]
    assert all(m["file_id"] for m in doc["media"])


async def test_half_filled_form_survives_a_restart(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.send_text("0501234567")
    await user.wait_message(predicate=flows.at_step("description"))
    await bot.restart()
    await user.send_text("Laptop does not boot after the update.")
    step4 = await user.wait_message(predicate=flows.at_step("media"))
    assert step4 is not None
    await user.send_photo()
    await user.wait_message()
    await bot.restart()
    await user.tap(flows.DONE)
    await user.wait_message(predicate=flows.at_step("priority"))
    await user.tap(flows.PRIORITIES["high"])
    summary = await user.wait_message()
    assert "Ivan Petrenko" in summary.body and "Attachments: 1" in summary.body
    await user.tap(flows.SUBMIT)
    created = await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    assert "#1" in created.body


async def test_double_submit_creates_one_ticket(bot: BotHarness) -> None:
    user = en_user(bot)
    await flows.start(user)
    await flows.fill_until_summary(user)
    await user.send_text(flows.SUBMIT)
    await user.send_text(flows.SUBMIT)
    await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    await flows.barrier(user)  # the second Submit is handled to the end too
    assert await bot.db.tickets.count_documents({}) == 1
    assert SUPERADMIN_ID in bot.fake.users
