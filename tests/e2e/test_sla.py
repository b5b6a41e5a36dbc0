"""SLA targets: reminders at 80 % and at the deadline (once each, escalated to the super-admin),
clocks in working hours and holidays (critical ones around the clock), the card's clocks, the
queue's 🔥, and "staff are back at …" outside working hours. An injected clock drives the watch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.db.repositories import Repositories
from app.keyboards.callback_data import StaffTicketAction, StaffTicketCallback
from app.services.notifications import Notifier
from app.services.tickets.sla import SlaWatch
from app.texts.formatting import when
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

KYIV = ZoneInfo("Europe/Kyiv")
OLHA = {"id": 3001, "name": "Olha"}


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    # 2026-12-14 (a Monday) is a holiday in these tests.
    return {"WORK_HOURS": "Mon-Fri 09:00-18:00", "HOLIDAYS": "2026-12-14", "SLA_HIGH": "1h/8h", "SLA_NORMAL": "4h/3d"}


def kyiv(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=KYIV)


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


def filed(number: int, at: datetime, **fields: Any) -> dict[str, Any]:
    doc = ticket_doc(number, 2001, **fields)
    doc["created_at"] = doc["updated_at"] = at
    doc["history"][0]["at"] = at
    return doc


def watch(bot: BotHarness) -> SlaWatch:
    return SlaWatch(bot.workflow("repos", Repositories), bot.workflow("notifier", Notifier), bot.settings.sla)


async def staff(bot: BotHarness) -> tuple[FakeUser, FakeUser, FakeUser]:
    olha = await make_admin(bot, 3001, name="Olha")
    taras = await make_admin(bot, 3002, name="Taras")
    boss = bot.superadmin
    boss.language_code = "en"
    await flows.start(boss)
    await bot.db.users.update_one({"_id": SUPERADMIN_ID}, {"$set": {"language": "en"}})
    return olha, taras, boss


async def test_an_untaken_ticket_warns_all_staff_then_escalates_once_each(bot: BotHarness) -> None:
    olha, taras, boss = await staff(bot)
    await seed_tickets(bot, [filed(1, kyiv(11, 16))])  # normal: 4 working hours to the first response
    await bot.db.users.update_one({"_id": 3002}, {"$set": {"language": "uk"}})
    sla = watch(bot)

    assert await sla.check(kyiv(11, 17, 59)) == 0  # 1 h 59 min of working time by Friday evening
    assert await sla.check(kyiv(15, 10, 13)) == 1  # Monday is a holiday: 3 h 13 min by Tuesday 10:13
    for person in (olha, boss):
        warned = await person.wait_message(predicate=has("due within"))
        assert warned.body == "⏰ Ticket #1 «Ticket 1: the network is down»: first response due within 47 min."
        assert warned.button_texts() == ["💬 Take and reply", "Open"]
    warned = await taras.wait_message(predicate=has("#1"))  # Taras reads Ukrainian
    assert warned.body == "⏰ Заявка #1 «Ticket 1: the network is down»: перша відповідь — лишилося 47 хв."
    assert await sla.check(kyiv(15, 10, 30)) == 0  # once per stage
    await bot.restart()
    sla = watch(bot)
    assert await sla.check(kyiv(15, 10, 40)) == 0  # …even after a restart

    assert await sla.check(kyiv(15, 11, 1)) == 1
    assert (await taras.wait_message(predicate=has("прострочено"))).body.startswith("🔥 Заявку #1 «Ticket 1")
    for person in (olha, boss):
        missed = await person.wait_message(predicate=has("overdue"))
        assert (
            missed.body
            == "🔥 Ticket #1 «Ticket 1: the network is down» is overdue: the first response target (4 h) is missed."
        )
    await olha.tap("📥 Queue")
    queue = await olha.wait_message(predicate=has("New tickets"))
    assert queue.button_texts()[0].startswith("🔥 🟡 #1 ")

    # Taken: the response clock stops, the 🔥 goes at the next round, the card shows the resolution clock.
    card = await open_card(olha, 1)
    await olha.click("🛠 Take into work", card)
    taken = await olha.wait_edit(card.message_id)
    assert "First response" not in taken.body and "⏱ Resolution: within" in taken.body
    assert await sla.check(datetime.now(UTC)) == 0
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["sla_overdue"] is False
    assert doc["sla_response_warned"] is True and doc["sla_response_breached"] is True


async def test_resolution_reminders_go_to_the_assignee_and_the_breach_to_the_superadmin(bot: BotHarness) -> None:
    olha, taras, boss = await staff(bot)
    taken = kyiv(8, 9, 30)
    doc = filed(1, kyiv(8, 9), status="in_progress", assignee=OLHA, priority=3)  # high: 1 h / 8 h
    doc["history"].append({"at": taken, "by": OLHA, "from": "new", "to": "in_progress", "comment": None})
    await seed_tickets(bot, [doc])
    sla = watch(bot)
    assert await sla.check(kyiv(8, 15, 24)) == 1  # 6 h 24 min of 8 h: 80 %
    assert (await olha.wait_message(predicate=has("due within"))).body.endswith("resolution due within 1 h 36 min.")
    assert await sla.check(kyiv(9, 9, 1)) == 1  # Tuesday 09:01: 9 h 1 min
    assert "is overdue" in (await olha.wait_message(predicate=has("overdue"))).body
    assert "is overdue" in (await boss.wait_message(predicate=has("overdue"))).body  # escalated
    await flows.barrier(taras)
    assert not [m for m in taras.messages if "#1" in (m.text or "")]  # not his ticket


async def test_critical_clocks_run_at_night_and_on_holidays(bot: BotHarness) -> None:
    olha, _taras, boss = await staff(bot)
    await seed_tickets(bot, [filed(1, kyiv(14, 3), priority=4)])  # the holiday, 03:00; critical: 15 min
    sla = watch(bot)
    assert await sla.check(kyiv(14, 3, 12)) == 1
    assert await sla.check(kyiv(14, 3, 16)) == 1
    assert "first response target (15 min) is missed" in (await boss.wait_message(predicate=has("overdue"))).body
    assert "overdue" in (await olha.wait_message(predicate=has("overdue"))).body


def weekday_in(days: int) -> datetime:
    """Kyiv's date `days` from today, at 09:00 local."""
    local = datetime.now(KYIV) + timedelta(days=days)
    return datetime(local.year, local.month, local.day, 9, 0, tzinfo=KYIV)


async def test_outside_working_hours_the_employee_learns_when_staff_are_back(bot: BotHarness) -> None:
    back = weekday_in(3)  # a weekday that is neither today nor tomorrow: support is closed until then
    bot.settings.__dict__.pop("sla", None)  # the policy is read from the settings once; these hours instead
    bot.settings.work_hours = f"{back.strftime('%a')} 09:00-10:00"
    await bot.restart()
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    created = await flows.file_ticket(ivan)
    words = "staff will be back"
    assert f"{words} {when(back)}" in created.body
    assert (await olha.wait_message(predicate=has("#1"))).body  # staff are told at once, as always
    await flows.file_ticket(ivan, priority="critical")
    critical = next(m for m in reversed(ivan.messages) if "#2" in (m.text or ""))
    assert words not in critical.body  # a critical ticket alerts staff now: no "back at"


async def test_a_finished_ticket_is_judged_against_its_targets(bot: BotHarness) -> None:
    olha, _taras, _boss = await staff(bot)
    now = datetime.now(UTC)
    late = filed(1, kyiv(1, 9), status="in_progress", assignee=OLHA, priority=3)  # high: 1 h / 8 h
    late["history"].append({"at": kyiv(1, 9, 10), "by": OLHA, "from": "new", "to": "in_progress", "comment": None})
    quick = filed(2, now - timedelta(minutes=2), status="in_progress", assignee=OLHA, priority=4)
    quick["history"].append({"at": now - timedelta(minutes=1), "by": OLHA, "from": "new", "to": "in_progress"})
    await seed_tickets(bot, [late, quick])
    for number in (1, 2):
        query = await olha.press_data(StaffTicketCallback(action=StaffTicketAction.CLOSE, number=number).pack())
        await olha.wait_callback_answer(query)
        await olha.wait_message(predicate=has(f"Closing ticket #{number}"))
        await olha.tap("⏭ Skip")
        await olha.wait_message(predicate=has(f"Ticket #{number} closed"))
    judged = {doc["number"]: doc["sla_met"] async for doc in bot.db.tickets.find({})}
    assert judged == {1: False, 2: True}  # #1 took days of working time to resolve; #2 three minutes
