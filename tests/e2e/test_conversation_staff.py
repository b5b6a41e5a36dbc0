"""The staff side of a ticket's conversation: answering by Telegram's reply, «Take and reply»
refreshing the message it was on, and an album not lost when the bot stops mid-album."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

REPLY, TAKE_AND_REPLY = "💬 Reply", "💬 Take and reply"
OLHA = {"id": 3001, "name": "Olha"}


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def employee(bot: BotHarness, user_id: int = 2001, language: str = "en", name: str = "Ivan") -> FakeUser:
    user = bot.fake.user(user_id, first_name=name, language_code=language)
    await flows.start(user)
    return user


async def stored(bot: BotHarness) -> list[tuple[str, str, int]]:
    docs = bot.db.ticket_messages.find({}).sort("created_at", 1)
    return [(d["direction"], d["delivery"], d["author_id"]) async for d in docs]


async def test_an_album_in_its_quiet_second_is_delivered_before_the_bot_stops(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = await employee(bot)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA)])
    card = await open_card(olha, 1, view="🛠 Mine")
    await olha.click(REPLY, card)
    await olha.wait_message(predicate=has("Reply to ticket #1"))
    await olha.send_album(("photo", "video"), caption="Both screens, please compare")
    # One chat's updates are handled in order: once /help is answered, both items were
    # collected, and the album waits for its quiet second to pass when the bot is stopped.
    await olha.send_command("/help")
    await olha.wait_message(predicate=has("You are writing to ticket #1"))
    await bot.stop()

    first, second = await ivan.wait_message(), await ivan.wait_message()
    assert (
        first.kind == second.kind == "media_group_item" and first.caption == "#1 · Olha:\nBoth screens, please compare"
    )
    assert (await olha.wait_message()).text == "✅ Delivered to the employee (ticket #1)."
    await bot.start()
    await flows.barrier(olha)
    await flows.barrier(ivan, nothing_before=True)  # delivered once, not again after the restart
    assert await stored(bot) == [("out", "sent", 3001)]
