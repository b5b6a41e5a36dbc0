"""Where a conversation message's reply routes and "waiting for staff" mark are kept, and that the
fewer database commands which write them keep every fact: a refused message changes nothing, a
reply to any bot message of the ticket (a copy, the acknowledgement) still reaches it, and
messages stored the older way (their routes in ticket_message_refs) still route after a restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.models.backups import BackupKind
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import reliability
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

OLHA = {"id": 3001, "name": "Olha"}
ACK = "✅ Added to ticket #1; support has it."


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def employee(bot: BotHarness) -> FakeUser:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    return user


async def staff_reply(olha: FakeUser, ivan: FakeUser, text: str) -> BotMessage:
    """Olha replies on ticket #1 from its card; returns the copy Ivan got."""
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click("💬 Reply", card)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_text(text)
    await olha.wait_message(predicate=has("Delivered"))
    return await ivan.wait_message(predicate=has(text))


async def ticket(bot: BotHarness) -> dict[str, Any]:
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None
    return doc


async def test_a_reply_to_the_acknowledgement_reaches_the_ticket_and_each_message_keeps_its_routes(
    bot: BotHarness,
) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    copy = await staff_reply(olha, ivan, "Which printer is it?")
    assert (await ticket(bot))["awaiting_staff"] is False

    await ivan.send_text("The one on floor 3", reply_to=copy)
    got = await olha.wait_message(predicate=has("The one on floor 3"))
    ack = await ivan.wait_message()
    assert ack.text == ACK
    assert (await ticket(bot))["awaiting_staff"] is True
    await ivan.send_text("And it beeps", reply_to=ack)  # the acknowledgement is the ticket's too
    assert (await olha.wait_message(predicate=has("And it beeps"))).body.startswith("💬 #1 ")
    assert (await ivan.wait_message()).text == ACK

    out = await bot.db.ticket_messages.find_one({"text": "Which printer is it?"})
    written = await bot.db.ticket_messages.find_one({"text": "The one on floor 3"})
    assert out is not None and written is not None
    delivered = next(m for m in olha.messages if "Delivered" in (m.text or ""))
    assert out["copies"] == [{"chat_id": 2001, "message_id": copy.message_id}]
    assert out["refs"] == [*out["copies"], {"chat_id": 3001, "message_id": delivered.message_id}]
    assert written["delivery"] == "sent"
    assert written["copies"] == [{"chat_id": 3001, "message_id": got.message_id}]
    assert written["refs"] == [*written["copies"], {"chat_id": 2001, "message_id": ack.message_id}]
    on_messages = [(2001, copy.message_id), (3001, got.message_id), (2001, ack.message_id)]
    for chat_id, message_id in on_messages:  # their routes live on the messages, not beside them
        assert await bot.db.ticket_message_refs.find_one({"chat_id": chat_id, "message_id": message_id}) is None


async def test_a_refused_reply_and_a_message_to_a_finished_ticket_change_no_mark(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    await make_admin(bot, 3002, name="Petro")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    copy = await staff_reply(olha, ivan, "Is it plugged in?")
    await ivan.send_text("Yes it is", reply_to=copy)
    await olha.wait_message(predicate=has("Yes it is"))
    await ivan.wait_message(predicate=has("Added"))

    # Olha starts a reply; the ticket goes to Petro before she sends it.
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click("💬 Reply", card)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await bot.db.tickets.update_one({"number": 1}, {"$set": {"assignee": {"id": 3002, "name": "Petro"}}})
    await olha.send_text("Try another socket")
    refusal = await olha.wait_message()
    assert refusal.text == "Only the assignee or the super-admin can do this with ticket #1."
    assert (await ticket(bot))["awaiting_staff"] is True  # still unanswered
    assert await bot.db.ticket_messages.count_documents({"text": "Try another socket"}) == 0

    # Ivan starts a message; the ticket is closed before he sends it.
    await ivan.click("💬 Add a message", copy)
    await ivan.wait_message(predicate=has("Message to ticket #1"))
    await bot.db.tickets.update_one({"number": 1}, {"$set": {"status": "closed", "awaiting_staff": False}})
    await ivan.send_text("One more thing")
    offer = await ivan.wait_message()
    assert offer.text == "Ticket #1 is closed. Reopen it with this message, or create a new ticket from it?"
    assert (await ticket(bot))["awaiting_staff"] is False
    assert await bot.db.ticket_messages.count_documents({"text": "One more thing"}) == 0
    await flows.barrier(olha)
    assert [m for m in olha.messages if "One more thing" in (m.text or "")] == []


async def test_messages_stored_with_their_routes_apart_still_route_after_a_restore(bot: BotHarness) -> None:
    """A backup from before a message kept its own routes: the copy's pair in ticket_message_refs."""
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    copy = await staff_reply(olha, ivan, "Please restart the router")
    await flows.barrier(olha)  # the outcome is written right after "Delivered" is sent
    await bot.db.ticket_messages.update_many({}, {"$unset": {"refs": ""}})  # as the older app stored it
    await bot.db.ticket_message_refs.insert_one({"chat_id": 2001, "message_id": copy.message_id, "number": 1})
    backups = reliability(bot).backups
    result = await backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await bot.db.ticket_messages.delete_many({})
    await bot.db.ticket_message_refs.delete_many({})

    await backups.restore(result.path, by=SUPERADMIN_ID)
    restored = await bot.db.ticket_messages.find_one({"text": "Please restart the router"})
    assert restored is not None and "refs" not in restored
    await ivan.send_text("Done, it works", reply_to=copy)
    await olha.wait_message(predicate=has("Done, it works"))
    assert (await ivan.wait_message()).text == ACK
