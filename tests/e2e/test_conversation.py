"""A conversation inside every ticket: staff ⇄ employee messages and staff-only notes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from app.db.ticket_messages import CONVERSATION_COLLECTIONS
from app.keyboards.callback_data import ConversationAction, ConversationCallback
from app.models.backups import BackupKind
from app.models.telegram_text import CAPTION_LIMIT, TEXT_LIMIT, utf16_len
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import reliability
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

EMPLOYEES = range(2000, 3000)  # the ids these tests give employees; staff are 3001+ and the super-admin
NOTES: list[str] = []  # every note text written in this module: none may ever reach an employee

REPLY, TAKE_AND_REPLY, NOTE, CONVERSATION = "💬 Reply", "💬 Take and reply", "📝 Note", "💬 Conversation"
ADD_MESSAGE, WRITE_MORE, NEW_WITH_THIS = "💬 Add a message", "✍️ Write more", "📝 New ticket with this"


@pytest.fixture(autouse=True)
async def notes_never_reach_employees(fake: FakeTelegram) -> AsyncIterator[None]:
    """After each test: no message the bot sent to an employee, in any test so far, holds a note."""
    yield
    for message in fake.bot_messages:
        if message.chat_id in EMPLOYEES:
            seen = f"{message.text or ''} {message.caption or ''}"
            assert not any(note in seen for note in NOTES), f"a note reached employee {message.chat_id}: {seen!r}"


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def employee(bot: BotHarness, user_id: int = 2001, language: str = "en", name: str = "Ivan") -> FakeUser:
    user = bot.fake.user(user_id, first_name=name, language_code=language)
    await flows.start(user)
    return user


async def start_reply(admin: FakeUser, message: BotMessage, label: str = REPLY) -> None:
    query = await admin.click(label, message)
    await admin.wait_callback_answer(query)
    await admin.wait_message(predicate=has("Reply to ticket"))


async def test_admin_asks_with_a_photo_and_the_employee_answers_by_reply(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    created = await flows.file_ticket(ivan, description="The printer on the 3rd floor does not print.")
    notice = await olha.wait_message(predicate=has("New ticket #1"))
    assert notice.button_texts() == ["Open", TAKE_AND_REPLY]

    query = await olha.click(TAKE_AND_REPLY, notice)
    assert (await olha.wait_callback_answer(query))[0] == "Ticket #1 is yours now."
    prompt = await olha.wait_message()
    assert "Reply to ticket #1" in prompt.body and prompt.button_texts() == ["❌ Cancel"]
    taken = await ivan.wait_message(predicate=has("taken into work"))

    sent = await olha.send_photo(caption="Is this the error you see?")
    copy = await ivan.wait_message()
    assert copy.kind == "photo" and copy.caption == "#1 · Olha:\nIs this the error you see?"
    assert copy.file_id == sent["photo"][-1]["file_id"] and copy.button_texts() == [ADD_MESSAGE]
    assert "forward_origin" not in copy.raw  # a copy, never a forward
    ack = await olha.wait_message()
    assert ack.text == "✅ Delivered to the employee (ticket #1)."
    assert ack.button_texts() == ["✅ Close", WRITE_MORE, "⏳ Wait for the answer", "Open"]

    # Telegram replies: to the staff message, to the status notice, to the "created" confirmation.
    for target, words in ((copy, "Yes, exactly this one"), (taken, "Still waiting"), (created, "And the toner")):
        await ivan.send_text(words, reply_to=target)
        got = await olha.wait_message(predicate=has(words))
        assert got.body == f"💬 #1 «The printer on the 3rd floor does not p…» · Ivan:\n{words}"
        assert got.button_texts() == [REPLY, "Open"]
        assert (await ivan.wait_message()).text == "✅ Added to ticket #1; support has it."

    # Write more: straight back to composing, the next text goes out at once.
    await start_reply(olha, ack, WRITE_MORE)
    await olha.send_text("Replaced the drum, try now")
    assert (await ivan.wait_message()).text == "#1 · Olha:\nReplaced the drum, try now"
    after = await olha.wait_message(predicate=has("Delivered"))
    await olha.click("✅ Close", after)  # the usual close flow
    await olha.wait_message(predicate=has("Closing ticket #1"))

    stored = [doc async for doc in bot.db.ticket_messages.find({"number": {"$eq": 1}}).sort("created_at", 1)]
    assert [(d["direction"], d["delivery"], d["author_id"]) for d in stored] == [
        ("out", "sent", 3001),
        ("in", "sent", 2001),
        ("in", "sent", 2001),
        ("in", "sent", 2001),
        ("out", "sent", 3001),
    ]
    assert stored[0]["media"] == [{"kind": "photo", "file_id": sent["photo"][-1]["file_id"]}]
    assert stored[0]["copies"] == [{"chat_id": 2001, "message_id": copy.message_id}]
    assert stored[1]["text"] == "Yes, exactly this one" and stored[1]["copies"][0]["chat_id"] == 3001

    # The end of the dialogue: Olha closes, Ivan confirms and rates 2 — Olha and the super-admin hear of it.
    await flows.start(bot.superadmin)
    await olha.tap("⏭ Skip")
    closed = await ivan.wait_message(predicate=has("Did this solve your problem?"))
    await ivan.click("👍 Yes", closed)
    await ivan.click("2 ⭐", await ivan.wait_message(predicate=has("rate the help")))
    await ivan.wait_message(predicate=has("Anything to add?"))
    await ivan.send_text("Two days without a printer")
    low = await olha.wait_message(predicate=has("Low rating for ticket #1"))
    assert "Two days without a printer" not in low.body  # told at once, before the comment came
    assert "Comment: Two days without a printer" in (await olha.wait_message(predicate=has("Two days"))).body
    assert [m for m in bot.superadmin.messages if "#1: ★★☆☆☆ 2/5" in (m.text or "")]


async def test_the_card_button_and_free_text_choosing_between_two_tickets(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await flows.file_ticket(ivan, description="The printer does not print.")
    await flows.file_ticket(ivan, description="The scanner jams every page.")

    # (b) «Add a message» on the card in «My tickets»: while #1 is new, every staff member gets it.
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message(predicate=has("Your active tickets"))
    await ivan.click(next(t for t in listing.button_texts() if "#1 " in t), listing)
    card = await ivan.wait_edit(listing.message_id)
    assert card.button_texts()[0] == ADD_MESSAGE
    await ivan.click(ADD_MESSAGE, card)
    assert "Message to ticket #1" in (await ivan.wait_message()).body
    await ivan.send_text("It shows error E-42")
    assert (await olha.wait_message(predicate=has("E-42"))).body.startswith("💬 #1 ")
    olena = bot.superadmin
    assert (await olena.wait_message(predicate=has("E-42"))).body.startswith("💬 #1 ")
    assert (await ivan.wait_message()).text == "✅ Added to ticket #1; support has it."

    # (c) Free text: nothing is routed to a guessed ticket; newest first, then a new ticket or cancel.
    await ivan.send_text("Also it makes a loud noise")
    question = await ivan.wait_message()
    assert question.text == "Which ticket should this be added to?"
    assert question.button_texts() == [
        "➕ #2 · The scanner jams every page.",
        "➕ #1 · The printer does not print.",
        NEW_WITH_THIS,
        "❌ Cancel",
    ]
    await flows.barrier(olha)
    assert await bot.db.ticket_messages.count_documents({"text": "Also it makes a loud noise"}) == 0
    stale = question.inline_buttons[1][0][1]
    assert stale is not None
    await ivan.click("➕ #2 · The scanner jams every page.", question)
    got = await olha.wait_message(predicate=has("loud noise"))
    assert got.body.startswith("💬 #2 «The scanner jams every page.» · Ivan:")
    assert (await ivan.wait_message(predicate=has("Added"))).text == "✅ Added to ticket #2; support has it."
    assert (await ivan.wait_edit(question.message_id)).button_texts() == []  # answered: its buttons go
    query = await ivan.press_data(stale, question.message_id)  # a second tap on the old question
    assert (await ivan.wait_callback_answer(query))[0] == "This question is out of date; send your message again."

    # An album asked about, then added: it arrives once, as an album, the header its caption.
    await ivan.send_album(("photo", "photo"), caption="both sides")
    question = await ivan.wait_message(predicate=has("Which ticket"))
    await ivan.click("➕ #1 · The printer does not print.", question)
    first = await olha.wait_message(predicate=lambda m: m.kind == "media_group_item")
    second = await olha.wait_message()
    assert first.caption == "💬 #1 «The printer does not print.» · Ivan:\nboth sides"
    assert second.kind == "media_group_item" and second.media_group_id == first.media_group_id
    buttons = await olha.wait_message()
    assert buttons.button_texts() == [TAKE_AND_REPLY, "Open"]
    doc = await bot.db.ticket_messages.find_one({"text": "both sides"})
    assert doc is not None and doc["number"] == 1 and len(doc["media"]) == 2


async def test_a_message_to_a_closed_ticket_offers_to_reopen_it_or_a_new_ticket_uk(bot: BotHarness) -> None:
    await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot, language="uk")
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    olha = bot.fake.users[3001]
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click("✅ Close", card)
    await olha.wait_message(predicate=has("Closing ticket #1"))
    await olha.tap("⏭ Skip")
    closed = await ivan.wait_message(predicate=has("закрито"))

    await ivan.send_text("Принтер знову не друкує", reply_to=closed)
    offer = await ivan.wait_message()
    assert offer.text == "Заявку #1 закрито. Відкрити її знову з цим повідомленням чи створити з нього нову заявку?"
    assert offer.button_texts() == ["🔁 Відкрити знову #1", "📝 Нова заявка з цього", "❌ Скасувати"]
    await ivan.click("📝 Нова заявка з цього", offer)
    assert flows.step("category", uk=True) in (await ivan.wait_message()).body
    await ivan.tap("Принтери")
    assert flows.step("name", uk=True) in (await ivan.wait_message()).body
    await ivan.send_text("Іван Петренко")
    assert flows.step("phone", uk=True) in (await ivan.wait_message()).body
    await ivan.send_text("0501234567")
    assert flows.step("media", uk=True) in (await ivan.wait_message()).body  # the description is the message already
    await ivan.tap("✅ Готово")
    await ivan.wait_message()
    await ivan.tap("🟠 Високий")
    summary = await ivan.wait_message()
    assert "Принтер знову не друкує" in summary.body
    assert await bot.db.ticket_messages.count_documents({}) == 0


async def test_notes_stay_with_staff(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    card = await open_card(olha, 1, view="🛠 Mine")
    assert card.button_texts()[:5] == ["✅ Close", "⛔ Reject", REPLY, NOTE, CONVERSATION]
    for note in ("NOTE-router-serial-XK42 is under warranty", "NOTE-call the vendor on Monday"):
        NOTES.append(note)
        await olha.click(NOTE, card)
        assert "Note to ticket #1" in (await olha.wait_message()).body
        await olha.send_text(note)
        assert (await olha.wait_message()).text == "📝 Note saved to ticket #1. The employee does not see it."
    NOTES.append("NOTE-album")
    await olha.click(NOTE, card)
    await olha.wait_message()
    await olha.send_album(("photo", "video"), caption="NOTE-album")
    assert (await olha.wait_message(timeout=10)).body.startswith("📝 Note saved")
    await start_reply(olha, card)
    await olha.send_text("Your router is under warranty, we will replace it")
    await ivan.wait_message(predicate=has("under warranty"))
    await olha.wait_message(predicate=has("Delivered"))

    await olha.click(CONVERSATION, card)
    timeline = await olha.wait_message()
    assert timeline.body.startswith("💬 Conversation of ticket #1\nMessages: 4 · page 1 of 1")
    entries = timeline.body.split("\n\n")[1:]
    assert [e.split(" ")[0] for e in entries] == ["➡️", "📝", "📝", "📝", "•"]  # newest first; "•" filed
    assert "📎 2" in entries[1] and "NOTE-router-serial-XK42" in entries[3]
    docs = [d async for d in bot.db.ticket_messages.find({"direction": {"$eq": "note"}})]
    assert len(docs) == 3 and all(d["delivery"] == "kept" and d["copies"] == [] for d in docs)
    await flows.barrier(ivan)


async def test_a_blocked_employee_is_reported_not_delivered(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    card = await open_card(olha, 1, view="🛠 Mine")
    bot.fake.block(2001)
    await start_reply(olha, card)
    await olha.send_text("Did the restart help?")
    ack = await olha.wait_message()
    assert ack.text == "⚠️ Not delivered: the employee has blocked the bot (ticket #1)."
    await flows.barrier(olha)  # the outcome is written right after this acknowledgement is sent
    doc = await bot.db.ticket_messages.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["delivery"] == "blocked" and doc["copies"] == []
    await olha.click(CONVERSATION, card)
    assert "(not delivered: the employee has blocked the bot)" in (await olha.wait_message()).body
    assert [m for m in ivan.messages if "restart" in (m.text or "")] == []


async def test_forged_reply_and_note_buttons_are_refused(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    petro = await make_admin(bot, 3002, name="Petro")
    ivan = await employee(bot)
    await seed_tickets(
        bot,
        [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"}), ticket_doc(2, 2001)],
    )
    before = [doc async for doc in bot.db.tickets.find({}).sort("number", 1)]
    forged = [
        ConversationCallback(action=action, number=number).pack()
        for action in (ConversationAction.REPLY, ConversationAction.NOTE, ConversationAction.TIMELINE)
        for number in (1, 2)
    ]
    for data in forged:  # a plain user: no staff handler sees it at all
        query = await ivan.press_data(data)
        assert (await ivan.wait_callback_answer(query))[0] == "This button is no longer active."
    card = await open_card(petro, 1, view="👥 All in progress")
    assert "Assignee: Olha" in card.body and REPLY not in card.button_texts() and NOTE not in card.button_texts()
    for action in (ConversationAction.REPLY, ConversationAction.NOTE):
        query = await petro.press_data(ConversationCallback(action=action, number=1).pack())
        text, alert = await petro.wait_callback_answer(query)
        assert alert and text == "Only the assignee or the super-admin can do this with ticket #1."
    await petro.send_text("Let me answer instead")  # not composing: his own free text, not a reply
    assert "Create a ticket from this?" in (await petro.wait_message()).body
    assert [doc async for doc in bot.db.tickets.find({}).sort("number", 1)] == before
    assert await bot.db.ticket_messages.count_documents({}) == 0
    assert [m for m in ivan.messages if "Let me answer" in (m.text or "")] == []
    await flows.barrier(olha)


async def test_a_restart_mid_compose_keeps_the_step(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    card = await open_card(olha, 1, view="🛠 Mine")
    await start_reply(olha, card)
    await bot.restart()
    await olha.send_text("Back after the restart: please reboot the PC")
    assert (await ivan.wait_message()).text == "#1 · Olha:\nBack after the restart: please reboot the PC"
    assert "Delivered" in (await olha.wait_message()).body


async def test_long_texts_and_captions_fit_and_rate_limits_are_waited_out(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    card = await open_card(olha, 1, view="🛠 Mine")
    await start_reply(olha, card)
    long_text = "🙂" * (TEXT_LIMIT // 2)  # 4096 units: with the header it needs two messages
    bot.fake.inject_429(1, retry_after=1, methods=["sendMessage"])
    await olha.send_text(long_text)
    first, second = await ivan.wait_message(), await ivan.wait_message()
    assert first.body.startswith("#1 · Olha:\n🙂") and utf16_len(first.body) <= TEXT_LIMIT
    assert first.body.removeprefix("#1 · Olha:\n") + second.body == long_text
    assert "Delivered" in (await olha.wait_message()).body

    await start_reply(olha, card)
    caption = "😀" * (CAPTION_LIMIT // 2)
    await olha.send_photo(caption=caption)
    photo, rest = await ivan.wait_message(), await ivan.wait_message()
    assert photo.kind == "photo" and photo.caption == "#1 · Olha:" and rest.text == caption
    assert rest.button_texts() == [ADD_MESSAGE]
    assert "Delivered" in (await olha.wait_message()).body
    assert SUPERADMIN_ID not in {m.chat_id for m in bot.fake.all_messages() if "🙂" in (m.text or "")}


async def test_backups_carry_the_conversation_and_a_restore_brings_it_back(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    card = await open_card(olha, 1, view="🛠 Mine")
    await start_reply(olha, card)
    await olha.send_text("Please restart the router")
    copy = await ivan.wait_message()
    await olha.wait_message(predicate=has("Delivered"))
    backups = reliability(bot).backups
    result = await backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    # The copy's and the "delivered" acknowledgement's reply routes travel on the message itself
    # (its `refs`), not in the refs collection.
    assert {name: result.metadata.records_count.get(name) or 0 for name in CONVERSATION_COLLECTIONS} == {
        "ticket_messages": 1,
        "ticket_message_refs": 2,  # Olha's card and reply prompt
    }
    await bot.db.ticket_messages.delete_many({})
    await bot.db.ticket_message_refs.delete_many({})
    await backups.restore(result.path, by=SUPERADMIN_ID)
    assert await bot.db.ticket_messages.count_documents({"text": "Please restart the router"}) == 1
    await ivan.send_text("Done, it works", reply_to=copy)  # the restored lookup still routes a reply
    await olha.wait_message(predicate=has("Done, it works"))
