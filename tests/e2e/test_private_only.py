"""A help desk in private chats only: whatever arrives from a group — from a member or from the
group's anonymous admin — is dropped before anything else looks at it."""

from __future__ import annotations

from tests.support import flows
from tests.support.fake_telegram import ANONYMOUS_ADMIN_ID
from tests.support.harness import BotHarness

GROUP_ID = -1001234567890


async def test_group_messages_and_buttons_are_ignored_whoever_sends_them(bot: BotHarness) -> None:
    group = bot.fake.group(GROUP_ID)
    ivan = bot.fake.user(2001, language_code="en")
    await group.send_text(flows.NEW_TICKET)  # the anonymous admin (GroupAnonymousBot)
    await group.send_text("/start")
    await group.send_text(flows.SERVER_ROOM, sender=ivan)
    await group.send_text("/start", sender=bot.superadmin)
    query = await group.press("my:p:a:0:0", sender=ivan)
    assert await ivan.wait_callback_answer(query) == (None, False)  # the spinner stops; nothing else happens

    await flows.start(ivan)  # the same person in a private chat is served as usual
    assert await bot.db.fsm_states.count_documents({}) == 0  # no form started for the group
    assert [doc["_id"] async for doc in bot.db.users.find({}, {"_id": 1})] == [ivan.id]
    assert await bot.db.users.count_documents({"_id": ANONYMOUS_ADMIN_ID}) == 0
    to_group = [c for c in bot.fake.calls if str(c.params.get("chat_id")) == str(GROUP_ID)]
    assert to_group == []
    log = "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))
    assert "Error while handling" not in log
