"""Helpers for broadcast tests: many registered users at once, composing, waiting for the report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness

BROADCAST = "📨 Broadcast"
SEND = "📤 Send"
EDIT = "✏️ Edit"
CANCEL = "❌ Cancel"
STOP = "⏹ Stop the broadcast"
FIRST_USER_ID = 100_000
HEADER = "📢 Announcement from IT support"  # heads every copy (English recipients)


async def seed_users(
    bot: BotHarness, count: int, *, first_id: int = FIRST_USER_ID, reachable: bool = True
) -> list[FakeUser]:
    """`count` users registered as if each had sent /start (one insert_many instead of 1,000 chats)."""
    now = datetime.now(UTC)
    ids = range(first_id, first_id + count)
    await bot.db.users.insert_many(
        [
            {
                "_id": uid,
                "first_name": f"User{uid}",
                "last_name": None,
                "username": None,
                "language": "en",
                "reachable": reachable,
                "created_at": now,
            }
            for uid in ids
        ]
    )
    # The fake answers "chat not found" for strangers: every recipient needs a chat on its side.
    return [bot.fake.user(uid, first_name=f"User{uid}", language_code="en") for uid in ids]


def with_header(text: str) -> str:
    return f"{HEADER}\n\n{text}"


def text_copies(user: FakeUser, text: str) -> int:
    """Copies of the broadcast `text` (under its header) the user got."""
    return sum(1 for m in user.messages if m.kind == "text" and (m.text or "") == with_header(text))


def albums(user: FakeUser) -> dict[str, list[BotMessage]]:
    grouped: dict[str, list[BotMessage]] = {}
    for message in user.messages:
        if message.media_group_id:
            grouped.setdefault(message.media_group_id, []).append(message)
    return grouped


async def open_compose(admin: FakeUser) -> BotMessage:
    await admin.tap(BROADCAST)
    return await admin.wait_message(predicate=lambda m: "New broadcast" in (m.text or ""))


async def wait_preview(admin: FakeUser) -> BotMessage:
    """The control message under a preview (the preview itself comes right before it)."""
    return await admin.wait_message(predicate=lambda m: "Recipients:" in (m.text or ""))


async def compose_text(admin: FakeUser, text: str) -> BotMessage:
    await open_compose(admin)
    await admin.send_text(text)
    return await wait_preview(admin)


async def send_and_wait_start(admin: FakeUser) -> BotMessage:
    await admin.click(SEND)
    return await admin.wait_message(predicate=lambda m: "started" in (m.text or ""))


def is_report(message: BotMessage) -> bool:
    text = message.text or ""
    return ("finished" in text or "stopped" in text) and "Broadcast #" in text


async def wait_report(admin: FakeUser, timeout: float = 60.0) -> BotMessage:
    return await admin.wait_message(timeout=timeout, predicate=is_report)


async def wait_until(condition: Callable[[], Any], timeout: float = 30.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not await _holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(step)


async def _holds(condition: Callable[[], Any]) -> bool:
    result = condition()
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)


async def delivery_states(bot: BotHarness, broadcast_id: int = 1) -> dict[str, int]:
    states: dict[str, int] = {}
    async for doc in bot.db.broadcast_deliveries.find({"broadcast_id": broadcast_id}, {"state": 1}):
        states[doc["state"]] = states.get(doc["state"], 0) + 1
    return states
