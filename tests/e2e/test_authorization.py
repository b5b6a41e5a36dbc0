"""Buttons are just strings: anyone can forge a staff callback. Forged ones do nothing."""

from __future__ import annotations

from typing import Any

import pytest

from app.db.admins import AdminRepository
from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import STAFF_CALLBACKS, SUPERADMIN_CALLBACKS, make_admin, seed_tickets, ticket_doc

STAFF_MESSAGES = ["📥 Queue", "🛠 In my work", "/queue"]
SUPERADMIN_MESSAGES = ["👥 Staff", "/staff", "🗂 Categories", "/categories"]
COLLECTIONS = ["tickets", "admins", "audit", "users", "counters", "categories"]


async def snapshot(bot: BotHarness) -> dict[str, list[Any]]:
    state = {}
    for name in COLLECTIONS:
        docs = [doc async for doc in bot.db[name].find({}).sort("_id", 1)]
        for doc in docs:
            doc.pop("last_seen_at", None)
        state[name] = docs
    return state


async def seeded(bot: BotHarness) -> None:
    await make_admin(bot, 3001, name="Olha")
    await seed_tickets(
        bot,
        [
            ticket_doc(1, 2001, media=1),
            ticket_doc(2, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"}),
        ],
    )


async def attempt(bot: BotHarness, who: FakeUser, callbacks: list[str], messages: list[str]) -> None:
    before = await snapshot(bot)
    sent_before = len(bot.fake.all_messages())
    for data in callbacks:
        query = await who.press_data(data)
        text, _ = await who.wait_callback_answer(query)
        assert text == "This button is no longer active.", (data, text)
    for text in messages:
        await who.send_text(text)
        reply = await who.wait_message()
        assert "did not understand" in reply.body, (text, reply.body)
    assert await snapshot(bot) == before
    # Nothing reached anyone but the person trying (no notifications, no media).
    others = [m for m in bot.fake.all_messages()[sent_before:] if m.chat_id != who.id]
    assert others == []


@pytest.mark.parametrize("role", ["user", "admin"])
async def test_forged_actions_are_refused_and_change_nothing(bot: BotHarness, role: str) -> None:
    await seeded(bot)
    if role == "user":
        who = bot.fake.user(2001, language_code="en")
        await flows.start(who)
        await attempt(bot, who, STAFF_CALLBACKS + SUPERADMIN_CALLBACKS, STAFF_MESSAGES + SUPERADMIN_MESSAGES)
    else:
        who = await make_admin(bot, 3002, name="Petro")
        await attempt(bot, who, SUPERADMIN_CALLBACKS, SUPERADMIN_MESSAGES)


async def test_admin_loses_access_on_the_next_tap(bot: BotHarness) -> None:
    await seeded(bot)
    olha = bot.fake.users[3001]
    await olha.tap("📥 Queue")
    queue = await olha.wait_message()
    await AdminRepository(bot.db).remove(3001)  # the super-admin removed her just now, elsewhere
    query = await olha.click(next(t for t in queue.button_texts() if "#1 " in t), queue)
    text, _ = await olha.wait_callback_answer(query)
    assert text == "This button is no longer active."
    await olha.send_text("📥 Queue")
    assert "did not understand" in (await olha.wait_message()).body
