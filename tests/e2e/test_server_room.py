"""«Call to the server room»: alert to all staff, anti-flood window kept in MongoDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin

ALERTED = "✅ The admins have been alerted."
SPENT = "This call is already over: sent or cancelled."
EXPIRED = (
    "⌛ Nothing was sent: the call was started more than 10 minutes ago. "
    "If it is still urgent, tap «🚨 Call to the server room» again."
)


def is_alert(message: BotMessage) -> bool:
    text = (message.text or "").lower()
    return "server room" in text or "серверн" in text


async def open_call(bot: BotHarness, user_id: int = 2001) -> FakeUser:
    user = bot.fake.user(user_id, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    return user


async def test_call_with_note_alerts_every_staff_member(bot: BotHarness) -> None:
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    bot.fake.user(3002, first_name="Gone", language_code="en")
    await bot.db.admins.insert_many([{"_id": 3002, "name": "Gone"}, {"_id": 3001, "name": "Admin"}])
    bot.fake.block(3002)  # one admin blocked the bot: the others are still alerted
    user = bot.fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
    await flows.start(user)
    await flows.file_ticket(user, phone="0931112233")

    await user.tap(flows.SERVER_ROOM)
    prompt = await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    assert prompt.button_texts() == ["📣 Send without note"]
    await user.send_text("Smoke from rack 3!")
    done = await user.wait_message()
    assert done.text == "⚠️ Only 2 of 3 staff members could be alerted. If it cannot wait, also phone the IT department."

    for staff in (bot.superadmin, admin):
        alert = await staff.wait_message(
            predicate=lambda m: "server room" in (m.text or "").lower() or "серверн" in (m.text or "")
        )
        assert "+380931112233" in alert.body and "@ivan_p" in alert.body and "Smoke from rack 3!" in alert.body
    assert bot.fake.messages_to(3002) == []
    doc = await bot.db.server_room_calls.find_one({"_id": 2001})
    assert doc is not None and doc["last_call_at"].tzinfo is not None


async def test_second_call_inside_the_window_is_refused_even_after_restart(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.click("📣 Send without note")
    await user.wait_message(predicate=lambda m: "alerted" in (m.text or ""))
    alert = await bot.superadmin.wait_message()
    assert "unknown" in alert.body or "невідомий" in alert.body  # no ticket yet, so no phone

    await bot.restart()
    await user.tap(flows.SERVER_ROOM)
    refused = await user.wait_message()
    assert "call again in 5 min" in refused.body
    await flows.barrier(user)  # an alert would be sent while the tap is handled
    await bot.superadmin.expect_no_message(within=0)

    # Once the window has passed, the user may call again.
    await bot.db.server_room_calls.update_one(
        {"_id": 2001}, {"$set": {"last_call_at": datetime.now(UTC) - timedelta(minutes=6)}}
    )
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))


async def test_double_tap_produces_exactly_one_alert_and_one_confirmation(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    prompt = await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    first, second = await asyncio.gather(
        user.click("📣 Send without note", prompt), user.click("📣 Send without note", prompt)
    )
    answers = {await user.wait_callback_answer(first), await user.wait_callback_answer(second)}
    assert answers == {(None, False), (SPENT, False)}  # the second tap: a short notice, no chat message
    assert (await user.wait_message()).text == ALERTED
    await user.tap(flows.MY_TICKETS)  # a barrier: nothing else came before its answer
    assert "no active tickets" in ((await user.wait_message()).text or "")
    assert is_alert(await bot.superadmin.wait_message())
    await bot.superadmin.expect_no_message(within=0.5)


async def test_long_note_and_wrong_content_are_refused(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.send_text("x" * 201)
    too_long = await user.wait_message()
    assert "too long" in too_long.body and "201" in too_long.body
    await user.send_sticker()
    wrong = await user.wait_message()
    assert "must be text" in wrong.body
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    await flows.barrier(user)
    await bot.superadmin.expect_no_message(within=0)
    assert await bot.db.server_room_calls.count_documents({}) == 0


async def test_alert_survives_a_server_error_and_a_dropped_connection(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, "Olha")
    user = await open_call(bot)
    bot.fake.fail_next(1, status=502, methods=["sendMessage"], chat_id=SUPERADMIN_ID)
    bot.fake.drop_next(1, methods=["sendMessage"], chat_id=admin.id)
    await user.send_text("Smoke from rack 3!")
    assert (await user.wait_message(timeout=10)).text == ALERTED
    for staff in (bot.superadmin, admin):
        alert = await staff.wait_message(predicate=is_alert)
        assert "Smoke from rack 3!" in (alert.text or "")
    outcomes = [(c.params["chat_id"], c.outcome) for c in bot.fake.calls_of("sendMessage")]
    assert (SUPERADMIN_ID, 502) in outcomes and (admin.id, "dropped") in outcomes


async def test_nobody_reached_says_so_and_gives_the_cooldown_back(bot: BotHarness) -> None:
    user = await open_call(bot)
    bot.fake.fail_next(3, status=500, methods=["sendMessage"], chat_id=SUPERADMIN_ID)  # the only staff member, 3 times
    await user.click("📣 Send without note")
    failed = await user.wait_message(timeout=10)
    assert failed.text == (
        "❌ Nobody could be alerted: Telegram did not deliver the alert to any staff member. "
        "Try again in a minute or phone the IT department."
    )
    assert failed.button_texts() == [flows.NEW_TICKET, flows.MY_TICKETS, flows.SERVER_ROOM, "🌐 Language", "❓ Help"]
    attempts = [c.outcome for c in bot.fake.calls_of("sendMessage") if c.params["chat_id"] == SUPERADMIN_ID]
    assert attempts == [500, 500, 500]  # retried, but not forever

    await user.tap(flows.SERVER_ROOM)  # no cooldown: the failed call did not count
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.click("📣 Send without note")
    assert (await user.wait_message(timeout=10)).text == ALERTED
    assert is_alert(await bot.superadmin.wait_message())


async def test_send_without_note_after_cancel_or_a_sent_note_alerts_nobody(bot: BotHarness) -> None:
    user = await open_call(bot)
    cancelled_prompt = user.messages[-1]
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    query = await user.click("📣 Send without note", cancelled_prompt)
    assert await user.wait_callback_answer(query) == (SPENT, False)

    await user.tap(flows.SERVER_ROOM)
    sent_prompt = await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    await user.send_text("Smoke from rack 3!")
    assert (await user.wait_message()).text == ALERTED
    query = await user.click("📣 Send without note", sent_prompt)
    assert await user.wait_callback_answer(query) == (SPENT, False)

    await user.tap(flows.MY_TICKETS)  # a barrier: the taps above said nothing in the chat
    assert "no active tickets" in ((await user.wait_message()).text or "")
    assert is_alert(await bot.superadmin.wait_message())  # the one with the note
    await bot.superadmin.expect_no_message(within=0.3)
    doc = await bot.db.server_room_calls.find_one({"_id": user.id})
    assert doc is not None and doc["count"] == 1


async def test_send_without_note_pressed_in_the_ticket_form_keeps_the_form(bot: BotHarness) -> None:
    user = await open_call(bot)
    prompt = user.messages[-1]
    await user.tap(flows.CANCEL)
    await user.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
    await flows.open_form(user)
    await user.send_text("Ivan Petrenko")
    await user.wait_message(predicate=flows.at_step("phone"))
    keyboard = user.reply_keyboard

    query = await user.click("📣 Send without note", prompt)
    assert await user.wait_callback_answer(query) == (SPENT, False)
    assert user.reply_keyboard == keyboard
    await user.send_text("0501234567")
    step3 = await user.wait_message()
    assert flows.step("description") in (step3.text or "")
    doc = await bot.db.fsm_states.find_one({"state": "TicketForm:description"})
    assert doc is not None and doc["data"]["full_name"] == "Ivan Petrenko"
    await bot.superadmin.expect_no_message(within=0.3)


async def test_the_note_step_expires_instead_of_alerting_everyone_later(bot: BotHarness) -> None:
    user = await open_call(bot)
    prompt = user.messages[-1]
    an_hour_ago = datetime.now(UTC).timestamp() - 3600
    changed = await bot.db.fsm_states.update_one(
        {"state": "ServerRoomCall:note"}, {"$set": {"data.asked_at": an_hour_ago}}
    )
    assert changed.modified_count == 1
    await user.send_text("printer on 2nd floor jammed")
    expired = await user.wait_message()
    assert expired.text == EXPIRED
    assert user.reply_keyboard is not None and [flows.SERVER_ROOM] in user.reply_keyboard  # the main menu again
    query = await user.click("📣 Send without note", prompt)
    assert await user.wait_callback_answer(query) == (SPENT, False)

    # A fresh call is a fresh window; the button of an expired step says so as well.
    prompt = (await open_call(bot)).messages[-1]
    await bot.db.fsm_states.update_one({"state": "ServerRoomCall:note"}, {"$set": {"data.asked_at": an_hour_ago}})
    await user.click("📣 Send without note", prompt)
    assert (await user.wait_message()).text == EXPIRED
    await bot.superadmin.expect_no_message(within=0.3)
    assert await bot.db.server_room_calls.count_documents({}) == 0


async def test_a_call_recorded_in_the_future_locks_out_for_one_window_at_most(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    # The server's clock was a day ahead at the last call and has been put right since.
    await bot.db.server_room_calls.insert_one({"_id": 2001, "last_call_at": datetime.now(UTC) + timedelta(days=1)})
    await user.tap(flows.SERVER_ROOM)
    refused = await user.wait_message()
    assert "call again in 5 min" in (refused.text or "")  # not in 1,445 min
    doc = await bot.db.server_room_calls.find_one({"_id": 2001})
    assert doc is not None and doc["last_call_at"] <= datetime.now(UTC)
    await bot.db.server_room_calls.update_one(
        {"_id": 2001}, {"$set": {"last_call_at": doc["last_call_at"] - timedelta(minutes=6)}}
    )
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
