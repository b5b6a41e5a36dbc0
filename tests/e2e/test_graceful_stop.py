"""Stopping the bot while an update is being handled: the update finishes first, with the
Telegram session and the database still open; nothing breaks in the chat lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from tests.support import flows
from tests.support.harness import SUPERADMIN_ID, BotHarness


class PollingStopped(logging.Handler):
    """Set when aiogram reports polling stopped: from here on, only updates in flight remain."""

    def __init__(self) -> None:
        super().__init__()
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "Polling stopped":
            self.event.set()


@pytest.fixture
def polling_stopped() -> Iterator[PollingStopped]:
    handler = PollingStopped()
    logger = logging.getLogger("aiogram.dispatcher")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def test_stop_waits_for_the_update_in_flight(bot: BotHarness, polling_stopped: PollingStopped) -> None:
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await user.tap(flows.SERVER_ROOM)
    await user.wait_message(predicate=lambda m: "short note" in (m.text or ""))
    alert = bot.fake.hold(["sendMessage"], chat_id=SUPERADMIN_ID)
    await user.send_text("Smoke from rack 3!")
    await alert.wait_held()  # the alert is on its way to the super-admin...

    stopping = asyncio.create_task(bot.stop())  # ...when the bot is told to stop
    await asyncio.wait_for(polling_stopped.event.wait(), 10)
    alert.release()
    await stopping

    assert [m.text for m in user.messages[-1:]] == ["✅ The admins have been alerted."]
    assert "Smoke from rack 3!" in (bot.superadmin.messages[-1].text or "")
    log = "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))
    assert "KeyError" not in log and "Error while handling" not in log
