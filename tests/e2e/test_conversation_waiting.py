"""Who waits for whom: the staff queue marks a ticket whose employee wrote last (💬)."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, seed_tickets, ticket_doc

WAITING = "💬"


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


def line_of(queue: BotMessage, number: int) -> str:
    return next(t for t in queue.button_texts() if f"#{number} " in t)


async def queue_view(admin: FakeUser, label: str) -> BotMessage:
    await admin.tap(label)
    return await admin.wait_message(predicate=has("Page"))


async def test_the_queue_marks_a_ticket_whose_employee_waits_until_staff_reply(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    await seed_tickets(bot, [ticket_doc(70, 2009, status="in_progress", assignee={"id": 3001, "name": "Olha"})])
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await flows.file_ticket(ivan, description="The printer on the 3rd floor does not print.")
    notice = await olha.wait_message(predicate=has("New ticket #1 "))
    assert WAITING not in line_of(await queue_view(olha, "📥 Queue"), 1)

    await ivan.send_text("It is urgent, we print contracts today")
    question = await ivan.wait_message(predicate=has("Add this"))
    await ivan.click(next(t for t in question.button_texts() if "#1 " in t), question)
    await olha.wait_message(predicate=has("It is urgent"))
    assert line_of(await queue_view(olha, "📥 Queue"), 1).startswith(f"{WAITING} ")

    query = await olha.click("💬 Take and reply", notice)
    await olha.wait_callback_answer(query)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_text("Coming in five minutes")
    await olha.wait_message(predicate=has("Delivered"))
    mine = await queue_view(olha, "🛠 In my work")
    assert WAITING not in line_of(mine, 1)
    assert WAITING not in line_of(mine, 70)  # an old ticket, written before the mark existed

    copy = await ivan.wait_message(predicate=has("Coming in five minutes"))
    await ivan.send_text("Thank you!", reply_to=copy)
    await olha.wait_message(predicate=has("Thank you!"))
    assert line_of(await queue_view(olha, "🛠 In my work"), 1).startswith(f"{WAITING} ")
    doc = await bot.db["tickets"].find_one({"number": 1})
    assert doc is not None and doc["awaiting_staff"] is True
