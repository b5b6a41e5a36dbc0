"""The staff side of a ticket's conversation: answering by Telegram's reply, «Take and reply»
refreshing the message it was on, and an album not lost when the bot stops mid-album."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

REPLY, TAKE_AND_REPLY = "💬 Reply", "💬 Take and reply"
OLHA = {"id": 3001, "name": "Olha"}


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def employee(bot: BotHarness, user_id: int = 2001, language: str = "en", name: str = "Ivan") -> FakeUser:
    user = bot.fake.user(user_id, first_name=name, language_code=language)
    await flows.start(user)
    return user


async def stored(bot: BotHarness) -> list[tuple[str, str, int]]:
    docs = bot.db.ticket_messages.find({}).sort("created_at", 1)
    return [(d["direction"], d["delivery"], d["author_id"]) async for d in docs]


async def test_an_album_in_its_quiet_second_is_delivered_before_the_bot_stops(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click(REPLY, card)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_album(("photo", "video"), caption="Both screens, please compare")
    # One chat's updates are handled in order: once /help is answered, both items were
    # collected, and the album waits for its quiet second to pass when the bot is stopped.
    await olha.send_command("/help")
    await olha.wait_message(predicate=has("You are writing to ticket #1"))
    await bot.stop()

    first, second = await ivan.wait_message(), await ivan.wait_message()
    assert (
        first.kind == second.kind == "media_group_item" and first.caption == "#1 · Olha:\nBoth screens, please compare"
    )
    assert (await olha.wait_message()).text == "✅ Delivered to the employee (ticket #1)."
    await bot.start()
    await flows.barrier(olha)
    await flows.barrier(ivan, nothing_before=True)  # delivered once, not again after the restart
    assert await stored(bot) == [("out", "sent", 3001)]


async def reply_refused(admin: FakeUser, ending: str = "Your message was not sent.") -> BotMessage:
    refused = await admin.wait_message()
    assert refused.body.endswith(ending), refused.body
    return refused


async def test_staff_answer_any_message_of_a_ticket_by_replying_to_it(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await flows.file_ticket(ivan, description="The printer on the 3rd floor does not print.")
    notice = await olha.wait_message(predicate=has("New ticket #1"))
    await olha.click(TAKE_AND_REPLY, notice)
    # «Take and reply» took it: the notice is now the card as «Take» leaves it, nothing to take.
    card = await olha.wait_edit(notice.message_id)
    assert "In progress" in card.body and "Assignee: Olha" in card.body
    assert TAKE_AND_REPLY not in card.button_texts() and "🛠 Take into work" not in card.button_texts()
    assert card.button_texts()[:5] == ["✅ Close", "⛔ Reject", REPLY, "📝 Note", "💬 Conversation"]
    prompt = await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.click("❌ Cancel", prompt)
    await olha.wait_message(predicate=has("Cancelled"))
    await ivan.wait_message(predicate=has("taken into work"))

    # A reply to the card: out at once, "delivered" with its buttons.
    await olha.send_text("Which tray is empty?", reply_to=card)
    copy = await ivan.wait_message()
    assert copy.text == "#1 · Olha:\nWhich tray is empty?" and copy.button_texts() == ["💬 Add a message"]
    ack = await olha.wait_message()
    assert ack.text == "✅ Delivered to the employee (ticket #1)."
    assert ack.button_texts() == ["✅ Close", "✍️ Write more", "⏳ Wait for the answer", "Open"]

    # The employee answers; staff answer that message with a photo, then "delivered" with an album.
    await ivan.send_text("The lower one", reply_to=copy)
    incoming = await olha.wait_message(predicate=has("The lower one"))
    assert (await ivan.wait_message()).text == "✅ Added to ticket #1; support has it."
    photo = await olha.send_photo(caption="Put paper here", reply_to=incoming)
    got = await ivan.wait_message()
    assert got.kind == "photo" and got.caption == "#1 · Olha:\nPut paper here"
    assert got.file_id == photo["photo"][-1]["file_id"]
    second_ack = await olha.wait_message(predicate=has("Delivered"))
    await olha.send_album(("photo", "video"), caption="Then these two steps", reply_to=second_ack)
    first, second = await ivan.wait_message(timeout=10), await ivan.wait_message()
    assert first.caption == "#1 · Olha:\nThen these two steps" and second.media_group_id == first.media_group_id
    assert (await olha.wait_message(timeout=10)).text == "✅ Delivered to the employee (ticket #1)."
    await flows.barrier(ivan)

    assert await stored(bot) == [
        ("out", "sent", 3001),
        ("in", "sent", 2001),
        ("out", "sent", 3001),
        ("out", "sent", 3001),
    ]
    album = await bot.db.ticket_messages.find_one({"text": "Then these two steps"})
    assert album is not None and len(album["media"]) == 2


async def test_refused_unless_taken_and_the_take_refreshes_the_buttons_uk(bot: BotHarness) -> None:
    olena = bot.superadmin  # Ukrainian
    ivan = await employee(bot)
    await flows.file_ticket(ivan, description="Не працює VPN")
    notice = await olena.wait_message(predicate=has("Нова заявка #1"))

    # Nobody has taken it: a reply does not take it silently; «Take and reply» is offered.
    await olena.send_text("Перезавантажте ноутбук", reply_to=notice)
    refused = await olena.wait_message()
    assert refused.text == "Спершу візьміть заявку #1 в роботу.\nВаше повідомлення не надіслано."
    assert refused.button_texts() == ["💬 Взяти й відповісти", "Відкрити"]
    await flows.barrier(ivan, nothing_before=True)
    assert await stored(bot) == []
    ticket = await bot.db.tickets.find_one({"number": 1})
    assert ticket is not None and ticket["status"] == "new"

    await olena.click("💬 Взяти й відповісти", refused)
    assert (await olena.wait_edit(refused.message_id)).button_texts() == ["💬 Відповісти", "Відкрити"]
    prompt = await olena.wait_message(predicate=has("Відповідь у заявці #1"))
    await olena.click("❌ Скасувати", prompt)
    await olena.wait_message()
    await ivan.wait_message(predicate=has("taken into work"))

    # Taken: the same reply to the notice goes out now.
    await olena.send_text("Перезавантажте ноутбук", reply_to=notice)
    assert (await ivan.wait_message()).text == "#1 · Olena:\nПерезавантажте ноутбук"
    ack = await olena.wait_message()
    assert ack.text == "✅ Доставлено працівникові (заявка #1)."
    assert ack.button_texts() == ["✅ Закрити", "✍️ Написати ще", "⏳ Чекати на відповідь", "Відкрити"]


async def test_a_reply_from_someone_not_on_the_ticket_is_refused_and_sends_nothing(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    petro = await make_admin(bot, 3002, name="Petro")
    ivan = await employee(bot)
    await flows.file_ticket(ivan, description="The scanner jams")
    olhas_notice = await olha.wait_message(predicate=has("New ticket #1"))
    petros_notice = await petro.wait_message(predicate=has("New ticket #1"))
    await olha.click(TAKE_AND_REPLY, olhas_notice)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_text("Is it the one by the window?")
    copy = await ivan.wait_message(predicate=has("by the window"))
    await olha.wait_message(predicate=has("Delivered"))
    # Petro's notice still offers «Take and reply», as «Take» leaves other staff's notices.
    assert petro.chat.messages_by_id[petros_notice.message_id].button_texts() == ["Open", TAKE_AND_REPLY]
    await ivan.send_text("Yes", reply_to=copy)
    await olha.wait_message(predicate=has("Yes"))
    await ivan.wait_message(predicate=has("Added"))
    await flows.barrier(ivan)  # the delivery record is written after the acknowledgement is sent
    before = await stored(bot)

    await petro.send_text("I will fix it instead", reply_to=petros_notice)
    refused = await reply_refused(petro)
    assert (
        refused.text == "Only the assignee or the super-admin can do this with ticket #1.\nYour message was not sent."
    )
    assert refused.button_texts() == []
    await petro.send_album(("photo", "photo"), caption="My photos", reply_to=petros_notice)
    await reply_refused(petro)  # one answer for the whole album
    await petro.click(TAKE_AND_REPLY, petros_notice)  # the stale button: refused, changes nothing
    await flows.barrier(petro, nothing_before=True)
    await flows.barrier(ivan, nothing_before=True)
    assert await stored(bot) == before
    ticket = await bot.db.tickets.find_one({"number": 1})
    assert ticket is not None and ticket["assignee"]["id"] == 3001

    # The super-admin may answer a ticket someone else took, as with «💬 Reply».
    olena = bot.superadmin
    olenas_notice = await olena.wait_message(predicate=has("Нова заявка #1"))
    await olena.send_text("Ivan, I am checking the scanner driver", reply_to=olenas_notice)
    assert (await ivan.wait_message()).text == "#1 · Olena:\nIvan, I am checking the scanner driver"
    assert (await olena.wait_message()).text == "✅ Доставлено працівникові (заявка #1)."
    await olena.send_command("/help")  # a barrier in Ukrainian: the outcome is written right after the acknowledgement
    await olena.wait_message(predicate=has("Як отримати допомогу"))
    before = await stored(bot)

    # Closed: nobody's reply goes out any more.
    await seed_status(bot, 1, "closed")
    await olha.send_text("One more thing", reply_to=olhas_notice)
    assert (await reply_refused(olha)).text == "Ticket #1 is already closed.\nYour message was not sent."
    await flows.barrier(ivan, nothing_before=True)
    assert await stored(bot) == before


async def seed_status(bot: BotHarness, number: int, status: str) -> None:
    await bot.db.tickets.update_one({"number": {"$eq": number}}, {"$set": {"status": status}})


async def test_replies_to_no_ticket_or_to_ones_own_ticket_keep_the_employee_routing(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await flows.file_ticket(ivan, description="The network is down on floor 2")
    await olha.wait_message(predicate=has("New ticket #1"))
    help_answer = await flows.barrier(olha)
    await olha.send_text("What does this mean?", reply_to=help_answer)
    assert "Create a ticket from this?" in (await olha.wait_message()).body
    await olha.click("❌ Cancel")
    await olha.wait_message(predicate=has("Cancelled"))

    # A card turned back into the list is no longer the ticket's.
    card = await open_card(olha, 1)
    await olha.click("⬅️ Back to the list", card)
    listing = await olha.wait_edit(card.message_id)
    await olha.send_text("Not for the employee", reply_to=listing)
    assert "Create a ticket from this?" in (await olha.wait_message()).body
    await olha.click("❌ Cancel")
    await olha.wait_message(predicate=has("Cancelled"))

    # Staff file tickets too: a reply to their own ticket's message is theirs as its employee.
    created = await flows.file_ticket(olha, description="My monitor flickers")
    notice = await olha.wait_message(predicate=has("New ticket #2"))
    await olha.send_text("It flickers when cold", reply_to=notice)
    assert (await olha.wait_message(predicate=has("Added"))).text == "✅ Added to ticket #2; support has it."
    await olha.send_text("And when warm", reply_to=created)
    assert (await olha.wait_message(predicate=has("Added"))).text == "✅ Added to ticket #2; support has it."
    await flows.barrier(ivan, nothing_before=True)
    assert [(d["number"], d["direction"]) async for d in bot.db.ticket_messages.find({})] == [(2, "in"), (2, "in")]


async def test_a_blocked_employee_is_reported_for_a_reply_too(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    card = await open_card(olha, 1, view="🛠 Mine")
    bot.fake.block(2001)
    await olha.send_text("Did the restart help?", reply_to=card)
    ack = await olha.wait_message()
    assert ack.text == "⚠️ Not delivered: the employee has blocked the bot (ticket #1)."
    await flows.barrier(olha)
    assert await stored(bot) == [("out", "blocked", 3001)]


async def test_take_and_reply_under_an_employee_message_changes_only_its_buttons(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    created = await flows.file_ticket(ivan, description="No sound in the meeting room")
    await olha.wait_message(predicate=has("New ticket #1"))
    await ivan.send_text("It is room 4", reply_to=created)
    incoming = await olha.wait_message(predicate=has("It is room 4"))
    assert incoming.button_texts() == [TAKE_AND_REPLY, "Open"]
    await olha.click(TAKE_AND_REPLY, incoming)
    refreshed = await olha.wait_edit(incoming.message_id)
    assert refreshed.text == incoming.text and refreshed.button_texts() == [REPLY, "Open"]
    await olha.wait_message(predicate=has("Reply to ticket #1"))
