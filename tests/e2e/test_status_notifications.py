"""The owner hears about every status change, in their language (the staff actions call this service)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.repositories import Repositories
from app.models.tickets import StatusChange, Ticket, TicketStatus
from app.models.users import Person
from app.services.notifications import Notifier
from tests.support import flows
from tests.support.harness import SUPERADMIN_ID, BotHarness


def notifier(bot: BotHarness) -> Notifier:
    return bot.workflow("notifier", Notifier)


async def ticket_one(bot: BotHarness) -> Ticket:
    ticket = await bot.workflow("repos", Repositories).tickets.get(1)
    assert ticket is not None
    return ticket


async def test_owner_is_told_about_each_change_in_their_language(bot: BotHarness) -> None:
    english = bot.fake.user(2001, language_code="en")
    ukrainian = bot.fake.user(2002, language_code="uk")
    for user in (english, ukrainian):
        await flows.start(user)
    await flows.file_ticket(english)
    admin = Person(3001, "Olha <Admin>")
    ticket = await ticket_one(bot)
    service = notifier(bot)
    now = datetime.now(UTC)

    assert await service.status_changed(ticket, StatusChange(now, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    taken = await english.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    assert taken.text == "🛠 Your ticket #1 was taken into work by Olha <Admin>."
    assert await service.status_changed(
        ticket, StatusChange(now, admin, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED, "Replaced the toner")
    )
    closed = await english.wait_message()
    assert "was closed" in closed.body and "Comment: Replaced the toner" in closed.body
    assert await service.status_changed(
        ticket, StatusChange(now, admin, TicketStatus.NEW, TicketStatus.REJECTED, "Not an IT issue")
    )
    rejected = await english.wait_message()
    assert "was rejected" in rejected.body and "Reason: Not an IT issue" in rejected.body

    ticket.user_id = 2002
    assert await service.status_changed(ticket, StatusChange(now, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    ua = await ukrainian.wait_message(predicate=lambda m: "#1" in (m.text or ""))
    assert "Olha <Admin>" in ua.body and "taken into work" not in ua.body


async def test_owner_who_blocked_the_bot_is_reported_and_marked(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await flows.file_ticket(user)
    ticket = await ticket_one(bot)
    bot.fake.block(2001)
    delivered = await notifier(bot).status_changed(
        ticket, StatusChange(datetime.now(UTC), Person(1, "A"), TicketStatus.NEW, TicketStatus.IN_PROGRESS)
    )
    assert delivered is False
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["reachable"] is False


async def test_new_ticket_notice_survives_a_server_error(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await flows.fill_until_summary(user)
    bot.fake.fail_next(1, status=500, methods=["sendMessage"], chat_id=SUPERADMIN_ID)
    await user.tap(flows.SUBMIT)
    await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
    notice = await bot.superadmin.wait_message(timeout=10, predicate=lambda m: "#1" in (m.text or ""))
    assert notice.button_texts() == ["Відкрити", "💬 Взяти й відповісти"]  # issue 12: «Take and reply»
    attempts = [c.outcome for c in bot.fake.calls_of("sendMessage") if c.params["chat_id"] == SUPERADMIN_ID]
    assert attempts == [500, "ok"]
