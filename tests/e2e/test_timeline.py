"""«💬 Conversation»: the timeline of a ticket for staff (with notes) and for its employee (without),
newest first, messages beside the status changes of their time, an entry's whole text and its
attachments on demand."""

from __future__ import annotations

from collections.abc import Callable

from app.keyboards.callback_data import (
    ConversationAction,
    ConversationCallback,
    TicketMessageAction,
    TicketMessageCallback,
)
from app.models.telegram_text import TEXT_LIMIT
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

LONG = " ".join(f"word{i}" for i in range(900))  # about 6,000 units: split on delivery, shortened in the timeline
NOTE = "NOTE-the switch in room 4 is ours"


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def reply(olha: FakeUser, ivan: FakeUser, *, text: str | None = None, photo: str | None = None) -> BotMessage:
    query = await olha.press_data(ConversationCallback(action=ConversationAction.REPLY, number=1).pack())
    await olha.wait_callback_answer(query)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    if photo is not None:
        await olha.send_photo(caption=photo)
    else:
        await olha.send_text(text or "")
    await ivan.wait_message(predicate=has("#1 · Olha"))
    return await olha.wait_message(predicate=has("Delivered"))


async def conversation(bot: BotHarness) -> tuple[FakeUser, FakeUser]:
    """Olha and Ivan talk about ticket #1: a photo, a long text, a note, a wait and answers."""
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    await reply(olha, ivan, photo="Is it this socket?")
    ack = await reply(olha, ivan, text=LONG)
    await olha.click("⏳ Wait for the answer", ack)
    await ivan.wait_message(predicate=has("waiting for your answer"))
    copy = next(m for m in reversed(ivan.messages) if "Is it this socket?" in (m.caption or ""))
    await ivan.send_text("Yes, that one", reply_to=copy)
    await olha.wait_message(predicate=has("Yes, that one"))
    await ivan.wait_message(predicate=has("Added"))
    query = await olha.press_data(ConversationCallback(action=ConversationAction.NOTE, number=1).pack())
    await olha.wait_callback_answer(query)
    await olha.wait_message(predicate=has("Note to ticket #1"))
    await olha.send_text(NOTE)
    await olha.wait_message(predicate=has("Note saved"))
    await ivan.send_text("And the cable is blue", reply_to=copy)
    await olha.wait_message(predicate=has("cable is blue"))
    await ivan.send_text("Third floor", reply_to=copy)
    await olha.wait_message(predicate=has("Third floor"))
    return olha, ivan


def entries(timeline: BotMessage) -> list[str]:
    return timeline.body.split("\n\n")[1:]


async def test_staff_timeline_pages_messages_with_status_changes(bot: BotHarness) -> None:
    olha, _ivan = await conversation(bot)
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click("💬 Conversation", card)
    first = await olha.wait_message(predicate=has("Conversation of ticket #1"))
    assert first.body.startswith("💬 Conversation of ticket #1\nMessages: 6 · page 1 of 2")
    heads = [entry.split("\n")[0] for entry in entries(first)]
    # Newest first; the wait and its end sit between the messages of their time.
    assert heads[0].startswith("⬅️ 1. ") and "Ivan" in heads[0]
    assert heads[1].startswith("⬅️ 2. ") and heads[2].startswith("📝 3. ")
    assert heads[3].startswith("⬅️ 4. ")
    assert "🛠 In progress (Ivan)" in heads[4] and "⏳ Waiting for the employee (Olha)" in heads[5]
    assert heads[6].startswith("➡️ 5. ")
    assert first.button_texts() == ["▶️", "📄 5", "Open"]
    assert len(first.body) <= TEXT_LIMIT

    # «📄 5»: the long text whole, in as many messages as it needs.
    await olha.click("📄 5", first)
    whole = [await olha.wait_message(predicate=has("#1 · Olha"))]
    while "word899" not in whole[-1].body:
        whole.append(await olha.wait_message())
    assert (
        " ".join(" ".join(m.body.split("\n", 1)[-1] if i == 0 else m.body for i, m in enumerate(whole)).split()) == LONG
    )

    await olha.click("▶️", first)
    second = await olha.wait_edit(first.message_id)
    assert second.body.startswith("💬 Conversation of ticket #1\nMessages: 6 · page 2 of 2")
    heads = [entry.split("\n")[0] for entry in entries(second)]
    assert heads[0].startswith("➡️ 1. ") and "📎 1" in heads[0]
    assert "🆕 New (the user)" in heads[1]
    assert second.button_texts() == ["◀️", "📎 1", "Open"]
    await olha.click("📎 1", second)
    header = await olha.wait_message(predicate=has("#1 · Olha"))
    assert header.kind == "text"
    photo = await olha.wait_message()
    stored = await bot.db.ticket_messages.find_one({"text": {"$eq": "Is it this socket?"}})
    assert stored is not None and photo.kind == "photo" and photo.file_id == stored["media"][0]["file_id"]


async def test_the_employee_sees_the_conversation_without_notes(bot: BotHarness) -> None:
    _olha, ivan = await conversation(bot)
    await flows.barrier(ivan)  # the last "Added to ticket #1" is in before the list
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click(next(t for t in listing.button_texts() if "#1 " in t), listing)
    card = await ivan.wait_edit(listing.message_id)
    assert card.button_texts()[:2] == ["💬 Add a message", "💬 Conversation"]
    await ivan.click("💬 Conversation", card)
    first = await ivan.wait_message(predicate=has("Conversation of ticket #1"))
    assert first.body.startswith("💬 Conversation of ticket #1\nMessages: 5 · page 1 of 1")
    assert NOTE not in first.body and "📝" not in first.body
    assert "⏳ Waiting for your answer (Olha)" in first.body
    assert first.button_texts() == ["📄 4", "📎 5", "💬 Add a message"]
    await ivan.click("📄 4", first)
    assert (await ivan.wait_message(predicate=has("#1 · Olha"))).body.split("\n", 1)[1].startswith("word0 word1")

    # A note's id, or someone else's ticket, through forged buttons: nothing is shown.
    note = await bot.db.ticket_messages.find_one({"direction": {"$eq": "note"}})
    assert note is not None
    for action in (TicketMessageAction.FULL_TEXT, TicketMessageAction.MEDIA):
        data = TicketMessageCallback(action=action, number=1, ref=str(note["_id"])).pack()
        query = await ivan.press_data(data)
        assert await ivan.wait_callback_answer(query) == ("This button is no longer active.", True)
    petro = bot.fake.user(2002, first_name="Petro", language_code="en")
    await flows.start(petro)
    query = await petro.press_data(TicketMessageCallback(action=TicketMessageAction.TIMELINE, number=1).pack())
    assert await petro.wait_callback_answer(query) == ("Ticket not found.", True)
    await flows.barrier(ivan)
    assert not [m for m in ivan.messages if NOTE in (m.text or m.caption or "")]


async def test_cards_show_the_latest_messages(bot: BotHarness) -> None:
    olha, ivan = await conversation(bot)
    card = await open_card(olha, 1, view="🛠 Mine")
    latest = card.body.split("Latest messages:\n")[1].split("\n")
    assert [line.split(" ")[0] for line in latest] == ["📝", "⬅️", "⬅️"]  # oldest of the three first
    assert latest[0].endswith(f"Olha: {NOTE}") and latest[2].endswith("Ivan: Third floor")

    await flows.barrier(ivan)
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click(next(t for t in listing.button_texts() if "#1 " in t), listing)
    own = await ivan.wait_edit(listing.message_id)
    latest = own.body.split("Latest messages:\n")[1].split("\n")
    assert [line.split(" ")[0] for line in latest] == ["⬅️", "⬅️", "⬅️"] and NOTE not in own.body
    assert latest[0].endswith("Ivan: Yes, that one")


async def test_what_a_reply_to_a_full_text_or_a_list_reaches(bot: BotHarness) -> None:
    """A reply to «📄 n»'s text goes to the ticket like a reply to the card; a reply to the
    employee's list (a card turned back into «My tickets») goes to no ticket unasked."""
    olha, ivan = await conversation(bot)
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click("💬 Conversation", card)
    first = await olha.wait_message(predicate=has("Conversation of ticket #1"))
    await olha.click("📄 5", first)
    whole = await olha.wait_message(predicate=has("#1 · Olha"))
    await flows.barrier(olha)
    await olha.send_text("Sorry for the long read", reply_to=whole)
    assert (await ivan.wait_message(predicate=has("long read"))).body == "#1 · Olha:\nSorry for the long read"

    await flows.barrier(ivan)
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click(next(t for t in listing.button_texts() if "#1 " in t), listing)
    card = await ivan.wait_edit(listing.message_id)
    await ivan.click("⬅️ Back to the list", card)
    back = await ivan.wait_edit(listing.message_id)
    await ivan.send_text("Is anyone there?", reply_to=back)
    asked = await ivan.wait_message()
    assert asked.body.startswith("Add this to") and "#1" in asked.body


async def test_open_under_an_employee_message_keeps_the_message(bot: BotHarness) -> None:
    olha, _ivan = await conversation(bot)
    copy = next(m for m in reversed(olha.messages) if "Third floor" in (m.text or ""))
    await olha.click("Open", copy)
    card = await olha.wait_message(predicate=has("Latest messages"))
    assert card.body.startswith("Ticket #1") and card.message_id != copy.message_id
    await flows.barrier(olha)
    kept = next(m for m in olha.messages if m.message_id == copy.message_id)
    assert kept.body.endswith("Third floor") and kept.edit_count == 0
