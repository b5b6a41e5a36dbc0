"""After a ticket is closed: "Did this solve your problem?" → 👍 a rating 1–5 and a comment, or
👎 the ticket is open again; a message to a finished ticket offers «Reopen» within REOPEN_DAYS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.db.admins import AdminRepository
from app.keyboards.callback_data import (
    FeedbackAction,
    FeedbackCallback,
    StaffTicketAction,
    StaffTicketCallback,
    TicketMessageAction,
    TicketMessageCallback,
)
from app.models.conversation import TicketMessage
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

YES, NO = "👍 Yes", "👎 No, reopen"
STARS = ["1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐"]
OLHA = {"id": 3001, "name": "Olha"}


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def employee(bot: BotHarness, user_id: int = 2001, language: str = "en") -> FakeUser:
    user = bot.fake.user(user_id, first_name="Ivan", language_code=language)
    await flows.start(user)
    return user


async def close(admin: FakeUser, number: int, comment: str | None = None) -> None:
    """The assignee closes ticket `number` through the close dialogue (with `comment`, or Skip)."""
    query = await admin.press_data(StaffTicketCallback(action=StaffTicketAction.CLOSE, number=number).pack())
    await admin.wait_callback_answer(query)
    await admin.wait_message(predicate=has(f"Closing ticket #{number}"))
    if comment is None:
        await admin.tap("⏭ Skip")
    else:
        await admin.send_text(comment)
    await admin.wait_message(predicate=has(f"Ticket #{number} closed"))


async def ticket(bot: BotHarness, number: int = 1) -> dict[str, Any]:
    doc = await bot.db.tickets.find_one({"number": {"$eq": number}})
    assert doc is not None
    return doc


async def in_progress_ticket(bot: BotHarness, owner: int = 2001, number: int = 1) -> None:
    doc = ticket_doc(number, owner, status="in_progress", assignee=OLHA, minutes_ago=60)
    taken = datetime.now(UTC) - timedelta(minutes=50)
    doc["history"].append({"at": taken, "by": OLHA, "from": "new", "to": "in_progress", "comment": None})
    await seed_tickets(bot, [doc])


def press(action: FeedbackAction, number: int = 1, rating: int = 0) -> str:
    return FeedbackCallback(action=action, number=number, rating=rating).pack()


async def test_solved_rated_two_with_a_comment_reaches_the_assignee_and_the_superadmin(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    boss = bot.superadmin
    await flows.start(boss)
    ivan = await employee(bot)
    await in_progress_ticket(bot)

    await close(olha, 1, "Replaced the toner cartridge")
    notice = await ivan.wait_message(predicate=has("was closed"))
    assert notice.body == (
        "✅ Your ticket #1 was closed.\nComment: Replaced the toner cartridge\n\nDid this solve your problem?"
    )
    assert notice.button_texts() == [YES, NO]

    query = await ivan.click(YES, notice)
    await ivan.wait_callback_answer(query)
    assert (await ivan.wait_edit(notice.message_id)).button_texts() == []  # answered once
    prompt = await ivan.wait_message(predicate=has("rate"))
    assert prompt.body == "👍 Glad it is solved! Please rate the help with ticket #1: 1 — poor, 5 — excellent."
    assert prompt.button_texts() == STARS

    await ivan.click("2 ⭐", prompt)
    assert (await ivan.wait_edit(prompt.message_id)).body == "Your rating: ★★☆☆☆ 2/5"
    ask = await ivan.wait_message()
    assert ask.body == "Thank you! Anything to add? Write a comment in one message, or press «⏭ Skip»."
    assert ask.button_texts() == ["⏭ Skip"]
    # Told at once, before any comment (nobody waits on the employee), each in their language.
    alert = await olha.wait_message(predicate=has("Low rating"))
    assert alert.body.startswith("⚠️ Low rating for ticket #1: ★★☆☆☆ 2/5\nFrom: Ivan Petrenko")
    assert "Assignee: Olha" in alert.body and alert.button_texts() == ["Open"]
    alert = await boss.wait_message(predicate=has("Низька оцінка"))
    assert alert.body.startswith("⚠️ Низька оцінка заявки #1: ★★☆☆☆ 2/5\nВід: Ivan Petrenko")

    await ivan.send_text("It took three days")
    assert (await ivan.wait_message()).body == "🙏 Thank you for your feedback!"
    for admin in (olha, boss):
        alert = await admin.wait_message(predicate=has("It took three days"))
        assert alert.body.startswith("⚠️ ") and "#1: ★★☆☆☆ 2/5" in alert.body

    doc = await ticket(bot)
    assert doc["feedback"]["solved"] is True and doc["feedback"]["rating"] == 2
    assert doc["feedback"]["comment"] == "It took three days"
    actions = [a["action"] async for a in bot.db.audit.find({"ticket": {"$eq": 1}}).sort("at", 1)]
    assert actions[-3:] == ["feedback_solved", "feedback_rating", "feedback_comment"]

    # The rating on both cards.
    card = await open_card(olha, 1, view="🗂 Finished")
    assert "Rating: ★★☆☆☆ 2/5 — «It took three days»" in card.body
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click("🗂 History", listing)
    history = await ivan.wait_edit(listing.message_id)
    await ivan.click(history.button_texts()[0], history)
    own = await ivan.wait_edit(listing.message_id)
    assert "Rating: ★★☆☆☆ 2/5 — «It took three days»" in own.body

    # Each step once: the same buttons again change nothing.
    for data, expected in (
        (press(FeedbackAction.SOLVED), "You have already answered about ticket #1."),
        (press(FeedbackAction.RATE, rating=5), "You have already answered about ticket #1."),
        (press(FeedbackAction.NOT_SOLVED), "You have already answered about ticket #1."),
    ):
        query = await ivan.press_data(data)
        assert await ivan.wait_callback_answer(query) == (expected, True)
    doc = await ticket(bot)
    assert doc["status"] == "closed" and doc["feedback"]["rating"] == 2


async def test_a_good_rating_with_skip_alerts_nobody(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await in_progress_ticket(bot)
    await close(olha, 1)
    notice = await ivan.wait_message(predicate=has("was closed"))
    assert notice.body == "✅ Your ticket #1 was closed.\n\nDid this solve your problem?"
    await ivan.click(YES, notice)
    prompt = await ivan.wait_message(predicate=has("rate"))
    await ivan.click("5 ⭐", prompt)
    ask = await ivan.wait_message(predicate=has("Anything to add"))
    await ivan.click("⏭ Skip", ask)
    assert (await ivan.wait_message()).body == "🙏 Thank you for your feedback!"
    assert (await ivan.wait_edit(ask.message_id)).button_texts() == []
    query = await ivan.press_data(press(FeedbackAction.SKIP), ask.message_id)  # a double tap: the step is over
    assert await ivan.wait_callback_answer(query) == ("This question is out of date; send your message again.", True)
    await flows.barrier(olha)
    assert not [m for m in olha.messages if "rating" in (m.text or "").lower()]
    doc = await ticket(bot)
    assert doc["feedback"]["rating"] == 5 and doc["feedback"]["comment"] is None
    card = await open_card(olha, 1, view="🗂 Finished")
    assert "Rating: ★★★★★ 5/5" in card.body and "—" not in card.body.split("Rating:")[1].split("\n")[0]


async def test_not_solved_reopens_it_for_the_same_assignee(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await in_progress_ticket(bot)
    await close(olha, 1, "Restarted the router")
    notice = await ivan.wait_message(predicate=has("was closed"))

    query = await ivan.click(NO, notice)
    await ivan.wait_callback_answer(query)
    told = await ivan.wait_message(predicate=has("open again"))
    assert told.body == "🔁 Ticket #1 is open again; Olha has been told. Tell us what is still wrong:"
    assert told.button_texts() == ["💬 Add a message"]
    reopened = await olha.wait_message(predicate=has("reopened"))
    assert reopened.body == (
        "🔁 Ticket #1 «Ticket 1: the network is down» was reopened: the employee says the problem is not solved."
    )
    assert reopened.button_texts() == ["💬 Reply", "Open"]
    doc = await ticket(bot)
    assert doc["status"] == "in_progress" and doc["assignee"]["id"] == 3001 and "finished_ts" not in doc
    assert doc["history"][-1]["from"] == "closed" and doc["history"][-1]["note"] == "not_solved"
    assert (await bot.db.ticket_counts.find_one({}) or {}).get("closed") == 0

    # What is still wrong reaches Olha; the 👍 under the old notice is spent.
    await ivan.click("💬 Add a message", told)
    await ivan.wait_message(predicate=has("ticket #1"))
    await ivan.send_text("Still no internet on the 2nd floor")
    await olha.wait_message(predicate=has("Still no internet on the 2nd floor"))
    query = await ivan.press_data(press(FeedbackAction.SOLVED), message_id=notice.message_id)
    assert await ivan.wait_callback_answer(query) == ("Ticket #1 is open.", True)

    card = await open_card(olha, 1, view="🛠 Mine")
    assert "reopened: the employee says the problem is not solved" in card.body


async def test_not_solved_after_the_assignee_left_goes_back_to_the_queue(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    taras = await make_admin(bot, 3002, name="Taras")
    ivan = await employee(bot)
    await in_progress_ticket(bot)
    await close(olha, 1)
    notice = await ivan.wait_message(predicate=has("was closed"))
    await AdminRepository(bot.db).remove(3001)

    await ivan.click(NO, notice)
    told = await ivan.wait_message(predicate=has("open again"))
    assert told.body == "🔁 Ticket #1 is open again and back in the support queue. Tell us what is still wrong:"
    reopened = await taras.wait_message(predicate=has("reopened"))
    assert reopened.button_texts() == ["Open", "💬 Take and reply"]
    doc = await ticket(bot)
    assert doc["status"] == "new" and doc["assignee"] is None
    first_response = doc["response_ts"]
    await taras.click("💬 Take and reply", reopened)
    await taras.wait_message(predicate=has("Reply to ticket #1"))
    doc = await ticket(bot)
    assert doc["assignee"]["id"] == 3002 and doc["response_ts"] == first_response  # the first one counts


async def test_writing_to_a_closed_ticket_offers_to_reopen_it_with_the_message(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await in_progress_ticket(bot)
    await close(olha, 1)
    notice = await ivan.wait_message(predicate=has("was closed"))

    await ivan.send_text("It broke again this morning", reply_to=notice)
    asked = await ivan.wait_message(predicate=has("Reopen it"))
    assert asked.body == "Ticket #1 is closed. Reopen it with this message, or create a new ticket from it?"
    assert asked.button_texts() == ["🔁 Reopen #1", "📝 New ticket with this", "❌ Cancel"]
    await ivan.click("🔁 Reopen #1", asked)
    assert (await ivan.wait_message(predicate=has("Added"))).body == "✅ Added to ticket #1; support has it."
    reopened = await olha.wait_message(predicate=has("reopened"))
    assert reopened.body.endswith("was reopened: the employee wrote to it again.")
    got = await olha.wait_message(predicate=has("It broke again this morning"))
    assert got.button_texts() == ["💬 Reply", "Open"]
    doc = await ticket(bot)
    assert doc["status"] == "in_progress" and doc["history"][-1]["note"] == "wrote_again"
    assert doc["awaiting_staff"] is True
    stored = await bot.db.ticket_messages.find_one({"number": {"$eq": 1}, "direction": {"$eq": "in"}})
    assert stored is not None and TicketMessage.from_doc(stored).content.text == "It broke again this morning"


def finished_days_ago(number: int, owner: int, days: int, status: str = "closed") -> dict[str, Any]:
    doc = ticket_doc(number, owner, status=status, assignee=OLHA, minutes_ago=(days + 1) * 24 * 60)
    finished = datetime.now(UTC) - timedelta(days=days)
    doc["updated_at"] = finished
    doc["history"].append({"at": finished, "by": OLHA, "from": "in_progress", "to": status, "comment": None})
    return doc


async def test_after_reopen_days_only_a_new_ticket_is_offered(bot: BotHarness) -> None:
    await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [finished_days_ago(1, 2001, 15), finished_days_ago(2, 2001, 13, "rejected")])

    query = await ivan.press_data(press(FeedbackAction.NOT_SOLVED))
    assert await ivan.wait_callback_answer(query) == (
        "Ticket #1 was finished more than 14 days ago; please create a new ticket.",
        True,
    )
    assert (await ticket(bot))["status"] == "closed"

    # Reply to the cards of «My tickets» › History: #1 too old, #2 (rejected 13 days ago) may reopen.
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click("🗂 History", listing)
    history = await ivan.wait_edit(listing.message_id)
    for number in (1, 2):
        await ivan.click(next(t for t in history.button_texts() if f"#{number} " in t), history)
        card = await ivan.wait_edit(listing.message_id)
        await ivan.send_text("Same problem again", reply_to=card)
        asked = await ivan.wait_message(predicate=has(f"#{number}"))
        if number == 1:
            assert asked.body == "Ticket #1 is closed and takes no more messages. Create a new ticket from this?"
            assert asked.button_texts() == ["📝 New ticket with this", "❌ Cancel"]
        else:
            assert asked.body == "Ticket #2 was rejected. Reopen it with this message, or create a new ticket from it?"
            assert asked.button_texts() == ["🔁 Reopen #2", "📝 New ticket with this", "❌ Cancel"]
        await ivan.click("❌ Cancel", asked)
        await ivan.wait_message(predicate=has("Cancelled"))
        await ivan.click("⬅️ Back to the list", card)
        history = await ivan.wait_edit(listing.message_id)


async def test_forged_feedback_and_reopen_buttons_of_someone_else_change_nothing(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    petro = await employee(bot, 2002)
    await in_progress_ticket(bot)
    await close(olha, 1)
    await ivan.wait_message(predicate=has("was closed"))
    before = await ticket(bot)

    for data in (
        press(FeedbackAction.SOLVED),
        press(FeedbackAction.NOT_SOLVED),
        press(FeedbackAction.RATE, rating=1),
    ):
        query = await petro.press_data(data)
        assert await petro.wait_callback_answer(query) == ("Ticket not found.", True)
    query = await petro.press_data(TicketMessageCallback(action=TicketMessageAction.REOPEN, number=1, ref="ab").pack())
    assert (await petro.wait_callback_answer(query))[0] == "This question is out of date; send your message again."
    # The owner cannot skip the question either: a rating needs «👍 Yes» first.
    query = await ivan.press_data(press(FeedbackAction.RATE, rating=1))
    assert await ivan.wait_callback_answer(query) == ("This button is no longer active.", True)
    query = await ivan.press_data("fb:r:1:9")  # packed by hand: the factory refuses a rating of 9
    assert (await ivan.wait_callback_answer(query))[0] == "This button is no longer active."

    after = await ticket(bot)
    assert after == before
    await flows.barrier(olha)
    assert not [m for m in olha.messages if "reopened" in (m.text or "") or "rating" in (m.text or "")]
    assert SUPERADMIN_ID not in {m.chat_id for m in bot.fake.all_messages() if "Low rating" in (m.text or "")}


async def test_feedback_in_ukrainian(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot, language="uk")
    await in_progress_ticket(bot)
    await close(olha, 1)
    notice = await ivan.wait_message(predicate=has("закрито"))
    assert notice.body == "✅ Вашу заявку #1 закрито.\n\nЧи розв’язано вашу проблему?"
    assert notice.button_texts() == ["👍 Так", "👎 Ні, відкрити знову"]
    await ivan.click("👍 Так", notice)
    prompt = await ivan.wait_message(predicate=has("оцініть"))
    assert (
        prompt.body == "👍 Раді, що все вирішено! Будь ласка, оцініть допомогу із заявкою #1: 1 — погано, 5 — чудово."
    )
    await ivan.click("1 ⭐", prompt)
    assert (await ivan.wait_edit(prompt.message_id)).body == "Ваша оцінка: ★☆☆☆☆ 1/5"
    ask = await ivan.wait_message()
    assert ask.button_texts() == ["⏭ Пропустити"]
    await ivan.send_text("Дуже довго")
    assert (await ivan.wait_message()).body == "🙏 Дякуємо за відгук!"
    alert = await olha.wait_message(predicate=has("Comment: Дуже довго"))  # Olha reads English
    assert alert.body.startswith("⚠️ Low rating for ticket #1: ★☆☆☆☆ 1/5")
