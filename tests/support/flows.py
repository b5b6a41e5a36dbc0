"""Common user journeys, written the way a person taps through them (English UI)."""

from __future__ import annotations

from tests.support.fake_telegram import BotMessage, FakeUser

NEW_TICKET = "📝 New ticket"
MY_TICKETS = "📋 My tickets"
SERVER_ROOM = "🚨 Call to the server room"
BACK = "⬅️ Back"
CANCEL = "❌ Cancel"
DONE = "✅ Done"
SKIP = "⏭ Skip"
SUBMIT = "✅ Submit"
EDIT = "✏️ Edit"
PRIORITIES = {"low": "🟢 Low", "normal": "🟡 Normal", "high": "🟠 High", "critical": "🔴 Critical"}


async def start(user: FakeUser) -> BotMessage:
    await user.send_command("/start")
    return await user.wait_message()


async def fill_until_summary(
    user: FakeUser,
    *,
    name: str = "Ivan Petrenko",
    phone: str = "0501234567",
    description: str = "The printer on the 3rd floor does not print.",
    photos: int = 0,
    priority: str = "high",
) -> BotMessage:
    """From the main menu to the summary step; returns the summary message."""
    await user.tap(NEW_TICKET)
    await user.wait_message(predicate=lambda m: "Step 1 of 5" in (m.text or ""))
    await user.send_text(name)
    await user.wait_message(predicate=lambda m: "Step 2 of 5" in (m.text or ""))
    await user.send_text(phone)
    await user.wait_message(predicate=lambda m: "Step 3 of 5" in (m.text or ""))
    await user.send_text(description)
    await user.wait_message(predicate=lambda m: "Step 4 of 5" in (m.text or ""))
    for _ in range(photos):
        await user.send_photo()
        await user.wait_message(predicate=lambda m: "Attached:" in (m.text or ""))
    await user.tap(DONE)
    await user.wait_message(predicate=lambda m: "Step 5 of 5" in (m.text or ""))
    await user.tap(PRIORITIES[priority])
    return await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""))


async def file_ticket(user: FakeUser, **answers: object) -> BotMessage:
    """The whole form, submitted; returns the "Ticket #N created" message."""
    await fill_until_summary(user, **answers)  # type: ignore[arg-type]
    await user.tap(SUBMIT)
    return await user.wait_message(predicate=lambda m: "created" in (m.text or ""))
