"""A group chat the bot was added to: people (or the group's anonymous admin) write there and press buttons.

A help desk ignores groups; these exist so the tests can show that it does.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from .models import CallbackRecord, JsonDict

if TYPE_CHECKING:
    from .state import BotState
    from .user import FakeUser

# Telegram's stand-in sender for an administrator who posts as the group.
ANONYMOUS_ADMIN_ID = 1087968824
ANONYMOUS_ADMIN: JsonDict = {
    "id": ANONYMOUS_ADMIN_ID,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class FakeGroup:
    def __init__(self, fake: BotState, chat_id: int, title: str) -> None:
        assert chat_id < 0, "group and supergroup ids are negative"
        self._fake = fake
        self.id = chat_id
        self.title = title
        self._next_message_id = 1

    def chat_dict(self) -> JsonDict:
        return {"id": self.id, "type": "supergroup", "title": self.title}

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    async def send_text(self, text: str, sender: FakeUser | None = None) -> JsonDict:
        """A message in the group from `sender`, or from the anonymous admin when None."""
        message: JsonDict = {"message_id": self._take_message_id(), "chat": self.chat_dict(), "date": int(time.time())}
        if sender is None:
            message["from"] = ANONYMOUS_ADMIN
            message["sender_chat"] = self.chat_dict()
        else:
            message["from"] = sender.to_dict()
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            units = len(command.encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": units}]
        self._fake.enqueue("message", message)
        await asyncio.sleep(0)
        return message

    async def press(self, data: str, sender: FakeUser) -> str:
        """`sender` presses an inline button (with `data`) under a bot message in the group."""
        fake = self._fake
        query_id = fake.next_id("4000")
        message: JsonDict = {
            "message_id": self._take_message_id(),
            "from": fake.bot_user(),
            "chat": self.chat_dict(),
            "date": int(time.time()),
            "text": "…",
        }
        fake.callbacks[query_id] = CallbackRecord(
            query_id=query_id, user_id=sender.id, data=data, message_id=message["message_id"], created=time.monotonic()
        )
        fake.enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": sender.to_dict(),
                "message": message,
                "chat_instance": f"ci{self.id}",
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id
