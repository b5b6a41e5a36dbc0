"""Common user journeys, written the way a person taps through them (English UI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

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
# The form's steps in order: the only place tests learn them (step() numbers them).
FORM_STEPS = ("category", "name", "phone", "description", "media", "priority")
CATEGORY = "Printers"  # a default category (English name), the one the forms below choose


def step(name: str, *, uk: bool = False) -> str:
    """The header of a form step as the bot writes it: "Step 2 of 6" (or in Ukrainian)."""
    number, total = FORM_STEPS.index(name) + 1, len(FORM_STEPS)
    return f"Крок {number} з {total}" if uk else f"Step {number} of {total}"


def at_step(name: str, *, uk: bool = False) -> Callable[[BotMessage], bool]:
    """A wait_message predicate: the prompt of that step."""
    header = step(name, uk=uk)
    return lambda m: header in (m.text or "")


async def start(user: FakeUser) -> BotMessage:
    await user.send_command("/start")
    return await user.wait_message()


class FormAnswers(TypedDict, total=False):
    """What fill_until_summary may be told to answer instead of its defaults."""

    category: str
    name: str
    phone: str
    description: str
    photos: int
    priority: str


async def open_form(user: FakeUser, category: str = CATEGORY) -> BotMessage:
    """From the main menu through the category step; returns the name step's prompt."""
    await user.tap(NEW_TICKET)
    await user.wait_message(predicate=at_step("category"))
    await user.tap(category)
    return await user.wait_message(predicate=at_step("name"))


async def fill_until_summary(
    user: FakeUser,
    *,
    category: str = CATEGORY,
    name: str = "Ivan Petrenko",
    phone: str = "0501234567",
    description: str = "The printer on the 3rd floor does not print.",
    photos: int = 0,
    priority: str = "high",
) -> BotMessage:
    """From the main menu to the summary step; returns the summary message."""
    await open_form(user, category)
    await user.send_text(name)
    await user.wait_message(predicate=at_step("phone"))
    await user.send_text(phone)
    await user.wait_message(predicate=at_step("description"))
    await user.send_text(description)
    await user.wait_message(predicate=at_step("media"))
    for _ in range(photos):
        await user.send_photo()
        await user.wait_message(predicate=lambda m: "Attached:" in (m.text or ""))
    await user.tap(DONE)
    await user.wait_message(predicate=at_step("priority"))
    await user.tap(PRIORITIES[priority])
    return await user.wait_message(predicate=lambda m: "Please check your ticket" in (m.text or ""))


async def file_ticket(user: FakeUser, **answers: Unpack[FormAnswers]) -> BotMessage:
    """The whole form, submitted; returns the "Ticket #N created" message."""
    await fill_until_summary(user, **answers)
    await user.tap(SUBMIT)
    return await user.wait_message(predicate=lambda m: "created" in (m.text or ""))


HELP_TITLE = "How to get help"


async def barrier(user: FakeUser, *, nothing_before: bool = False) -> BotMessage:
    """Send /help and wait for its answer: by then the bot has finished every earlier update of this chat.

    The bot handles one chat's updates one at a time and in order (ChatIsolation in
    app/db/fsm_storage.py), and a handler awaits all it does: replies, edits, notifications
    to other chats, database writes. So once /help is answered, everything the earlier
    updates caused has happened, and "nothing else happened" can be asserted exactly, with
    no sleep. Not covered: work the bot leaves to a background task (a running broadcast,
    the debounced answer to an album). For a chat in no state: /help answers from the menu.

    nothing_before: the answer must be the chat's next unseen bot message, so any other
    message the earlier updates sent to this chat fails the test.
    """
    await user.send_command("/help")
    if not nothing_before:
        return await user.wait_message(predicate=lambda m: HELP_TITLE in (m.text or ""))
    reply = await user.wait_message()
    assert HELP_TITLE in (reply.text or ""), f"{user!r}: expected nothing but the answer to /help, got {reply}"
    return reply
