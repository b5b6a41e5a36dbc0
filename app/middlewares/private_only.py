"""A help desk works in private chats only: every other update is dropped before anything reads it.

Decided by the chat's type, never by the sender: in a group the bot was added to, an
anonymous administrator writes as `GroupAnonymousBot` (a bot account) with the group as
`sender_chat`, and an ordinary member is a real user — neither may start a form, register
or read a form's state for the group. A button pressed in a group is answered (empty) so
the client's spinner stops.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PrivateChatsOnly(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        if isinstance(event, Update):
            logger.debug("Ignored update %s from a %s chat", event.update_id, chat.type if chat else "missing")
            if event.callback_query is not None:
                with contextlib.suppress(TelegramAPIError):
                    await event.callback_query.answer()
        return None

    def setup(self, dispatcher: Dispatcher) -> None:
        """Before the FSM middleware (which locks the chat and reads its state), after aiogram's
        own context middleware (which finds the event's chat): both are registered by the
        Dispatcher itself, so the FSM middleware is taken out and put back behind this one."""
        outer = dispatcher.update.outer_middleware
        outer.unregister(dispatcher.fsm)
        outer.register(self)
        outer.register(dispatcher.fsm)
