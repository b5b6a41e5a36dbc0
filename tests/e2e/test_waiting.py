"""«⏳ Wait for the answer»: a ticket waits for its employee and comes back to work when they write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from app.db.repositories import Repositories
from app.keyboards.callback_data import ConversationAction, ConversationCallback
from app.services.tickets.actions import TicketActions
from app.utils.tasks import waiting_tickets
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

WAIT = "⏳ Wait for the answer"


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def reply_and_wait(bot: BotHarness, admin: FakeUser, employee: FakeUser, words: str) -> BotMessage:
    """The admin replies to ticket #1 and taps «Wait»; returns the employee's copy of the reply."""
    query = await admin.press_data(ConversationCallback(action=ConversationAction.REPLY, number=1).pack())
    await admin.wait_callback_answer(query)
    await admin.wait_message(predicate=has("Reply to ticket #1"))
    await admin.send_text(words)
    copy = await employee.wait_message(predicate=has(words))
    ack = await admin.wait_message(predicate=has("Delivered"))
    assert WAIT in ack.button_texts()
    query = await admin.click(WAIT, ack)
    text, _alert = await admin.wait_callback_answer(query)
    assert text == "Ticket #1 is waiting for the employee's answer."
    return copy


async def test_send_and_wait_then_the_employee_answers_and_it_is_back_in_progress(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])

    copy = await reply_and_wait(bot, olha, ivan, "Which printer exactly?")
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["status"] == "waiting" and doc["history"][-1]["to"] == "waiting"
    counts = await bot.db.ticket_counts.find_one({})
    assert counts is not None and counts["waiting"] == 1 and counts["in_progress"] == 0

    card = await open_card(olha, 1, view="🛠 Mine")  # waiting is still her active work
    assert "⏳ Waiting for the employee" in card.body

    await ivan.send_text("The one on the 3rd floor", reply_to=copy)
    told = await olha.wait_message(predicate=has("answered"))
    assert told.text == "🛠 Ticket #1: the employee answered, it is in progress again."
    assert told.button_texts() == ["💬 Reply", "Open"]  # every staff notice about a ticket can answer it
    got = await olha.wait_message(predicate=has("The one on the 3rd floor"))
    assert got.button_texts()[0] == "💬 Reply"
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["status"] == "in_progress" and doc["assignee"]["id"] == 3001
    assert [h["to"] for h in doc["history"]][-2:] == ["waiting", "in_progress"]
    actions = [a["action"] async for a in bot.db.audit.find({}).sort("at", 1)]
    assert "wait" in actions and "answered" in actions


async def test_the_employee_sees_waiting_for_your_answer_uk(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Іван", language_code="uk")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    await reply_and_wait(bot, olha, ivan, "Котрий принтер?")
    notice = await ivan.wait_message(predicate=has("чекає"))
    assert notice.text == "⏳ Заявка #1 чекає на вашу відповідь."


async def test_a_forged_wait_is_refused(bot: BotHarness) -> None:
    await make_admin(bot, 3001, name="Olha")
    petro = await make_admin(bot, 3002, name="Petro")
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    query = await petro.press_data(ConversationCallback(action=ConversationAction.WAIT, number=1).pack())
    text, alert = await petro.wait_callback_answer(query)
    assert alert and text == "Only the assignee or the super-admin can do this with ticket #1."
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["status"] == "in_progress"


async def test_a_waiting_ticket_is_reminded_once_then_closed_by_itself(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    await reply_and_wait(bot, olha, ivan, "Did the restart help?")
    await ivan.wait_message(predicate=has("waiting for your answer"))
    start = datetime.now(UTC)
    repos, actions = bot.workflow("repos", Repositories), bot.workflow("ticket_actions", TicketActions)

    async def run_at(later: timedelta) -> None:
        await waiting_tickets.check_waiting(repos, actions, bot.settings, lambda: start + later)

    await run_at(timedelta(hours=23))  # too early for anything
    await run_at(timedelta(hours=24, minutes=1))
    reminder = await ivan.wait_message(predicate=has("Reminder"))
    assert reminder.text == "⏳ Reminder: ticket #1 is waiting for your answer."
    assert reminder.button_texts() == ["💬 Add a message"]
    await run_at(timedelta(hours=30))  # once only
    await run_at(timedelta(days=5, minutes=1))
    closed = await ivan.wait_message(predicate=has("closed"))
    assert closed.text == (
        "✅ Your ticket #1 was closed.\nNo answer came within the waiting time (5 days).\n\n"
        "Did this solve your problem?"
    )
    assert closed.button_texts() == ["👍 Yes", "👎 No, reopen"]
    told = await olha.wait_message(predicate=has("closed"))
    assert told.text == "✅ Ticket #1 was closed by itself: no answer came within the waiting time (5 days)."
    await flows.barrier(ivan)
    assert [m for m in ivan.messages if "Reminder" in (m.text or "")] == [reminder]
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["status"] == "closed"
    assert doc["history"][-1]["note"] == "no_answer" and doc["history"][-1]["by"] is None
    counts = await bot.db.ticket_counts.find_one({})
    assert counts is not None and counts["waiting"] == 0 and counts["closed"] == 1
    audit = [a["action"] async for a in bot.db.audit.find({}).sort("at", 1)]
    assert "waiting_reminded" in audit and "auto_close" in audit


async def test_the_reminder_and_auto_close_in_ukrainian(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Іван", language_code="uk")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    await reply_and_wait(bot, olha, ivan, "Допомогло?")
    start = datetime.now(UTC)
    repos, actions = bot.workflow("repos", Repositories), bot.workflow("ticket_actions", TicketActions)
    await waiting_tickets.check_waiting(repos, actions, bot.settings, lambda: start + timedelta(hours=25))
    reminder = await ivan.wait_message(predicate=has("Нагадування"))
    assert reminder.text == "⏳ Нагадування: заявка #1 чекає на вашу відповідь."
    await waiting_tickets.check_waiting(repos, actions, bot.settings, lambda: start + timedelta(days=6))
    closed = await ivan.wait_message(predicate=has("закрито"))
    assert closed.text == (
        "✅ Вашу заявку #1 закрито.\nВідповідь не надійшла за час очікування (днів: 5).\n\nЧи розв’язано вашу проблему?"
    )
