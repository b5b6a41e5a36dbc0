"""Edits inside a ticket's conversation: the other side's copy follows, the stored message keeps its history."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def assigned_ticket(bot: BotHarness) -> tuple[FakeUser, FakeUser, BotMessage]:
    """Olha took Ivan's ticket #1 and wrote to him; returns (olha, ivan, Ivan's copy of her message)."""
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await flows.file_ticket(ivan, description="The printer on the 3rd floor does not print.")
    notice = await olha.wait_message(predicate=has("New ticket #1 "))
    await olha.wait_callback_answer(await olha.click("💬 Take and reply", notice))
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_text("Which printer model is it?")
    await olha.wait_message(predicate=has("Delivered"))
    copy = await ivan.wait_message(predicate=has("Which printer model"))
    return olha, ivan, copy


async def test_an_employee_edit_edits_the_staff_copy_and_keeps_the_history(bot: BotHarness) -> None:
    olha, ivan, copy = await assigned_ticket(bot)
    sent = await ivan.send_text("HP LaserJet 1010", reply_to=copy)
    got = await olha.wait_message(predicate=has("HP LaserJet 1010"))
    await ivan.wait_message(predicate=has("Added to ticket #1"))
    olha.drain()

    await ivan.edit_text(sent, "HP LaserJet 1020")
    edited = await olha.wait_edit(got.message_id)
    assert edited.body.endswith("· Ivan:\nHP LaserJet 1020")
    assert edited.button_texts() == got.button_texts()  # still «💬 Reply», «Open»
    doc = await bot.db["ticket_messages"].find_one({"number": 1, "direction": "in"})
    assert doc is not None and doc["text"] == "HP LaserJet 1020"
    assert [e["text"] for e in doc["edits"]] == ["HP LaserJet 1010"] and doc["edits"][0]["at"] is not None


async def test_a_staff_edit_edits_the_employee_copy(bot: BotHarness) -> None:
    olha, ivan, copy = await assigned_ticket(bot)
    olha_sent = next(m for m in reversed(olha.chat.user_messages.values()) if "printer model" in m.get("text", ""))
    await olha.edit_text(olha_sent, "Which printer model is it, and which floor?")
    edited = await ivan.wait_edit(copy.message_id)
    assert edited.body == "#1 · Olha:\nWhich printer model is it, and which floor?"
    assert edited.button_texts() == ["💬 Add a message"]
    doc = await bot.db["ticket_messages"].find_one({"number": 1, "direction": "out"})
    assert doc is not None and [e["text"] for e in doc["edits"]] == ["Which printer model is it?"]
    # Edited twice: the history keeps both earlier texts, oldest first.
    await olha.edit_text(olha_sent, "Which model?")
    assert (await ivan.wait_edit(copy.message_id)).body == "#1 · Olha:\nWhich model?"
    doc = await bot.db["ticket_messages"].find_one({"number": 1, "direction": "out"})
    assert doc is not None
    assert [e["text"] for e in doc["edits"]] == [
        "Which printer model is it?",
        "Which printer model is it, and which floor?",
    ]


async def test_an_edited_caption_reaches_staff_as_a_follow_up(bot: BotHarness) -> None:
    olha, ivan, copy = await assigned_ticket(bot)
    photo = await ivan.send_photo(caption="This error", reply_to=copy)
    await olha.wait_message(predicate=has("This error"))
    await ivan.wait_message(predicate=has("Added to ticket #1"))
    await ivan.edit_caption(photo, "This error, after restarting it")
    follow_up = await olha.wait_message(predicate=has("edited"))
    assert follow_up.body.endswith("✏️ edited:\nThis error, after restarting it")
    assert "#1" in follow_up.body


async def test_an_edit_of_a_message_outside_any_ticket_changes_nothing(bot: BotHarness) -> None:
    olha, ivan, _copy = await assigned_ticket(bot)
    olha.drain()
    await ivan.edit_text(next(m for m in ivan.chat.user_messages.values() if m.get("text") == "/start"), "/help")
    await ivan.send_text("Barrier", reply_to=_copy)
    assert (await olha.wait_message()).body.endswith("Barrier")  # nothing came before it


async def test_a_copy_older_than_48_hours_gets_a_follow_up(bot: BotHarness) -> None:
    olha, ivan, copy = await assigned_ticket(bot)
    olha_sent = next(m for m in reversed(olha.chat.user_messages.values()) if "printer model" in m.get("text", ""))
    ivan.age_bot_message(copy.message_id, 49 * 3600)  # Telegram no longer lets the bot edit it
    await olha.edit_text(olha_sent, "Which printer model, please?")
    follow_up = await ivan.wait_message(predicate=has("edited"))
    assert follow_up.body == "#1 · Olha:\n✏️ edited:\nWhich printer model, please?"
    assert ivan.chat.messages_by_id[copy.message_id].text == copy.text  # the old copy stays as it was
    # A Telegram reply to the follow-up reaches the ticket like any of its messages.
    await ivan.send_text("A Canon", reply_to=follow_up)
    await olha.wait_message(predicate=has("A Canon"))
