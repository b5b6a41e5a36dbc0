"""An in-process Bot API session that answers every call at once with a valid result.

It does what aiogram's AiohttpSession does around the network — serialises the method
(`prepare_value`, so default parse mode, markup to JSON, ...) and parses a JSON response
into the method's result type (`check_response`) — and skips only the HTTP round trip.
That keeps aiogram's own request/response cost in the figures and Telegram's latency out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

if TYPE_CHECKING:
    from aiogram import Bot

# Methods whose result is a Message (or Message | True, where we answer with a Message).
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageCaption",
        "sendPhoto",
        "sendVideo",
        "sendDocument",
        "forwardMessage",
    }
)
TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendChatAction",
    }
)


class FakeTelegramSession(BaseSession):
    """Records what was sent (method, chat id, text) for the benchmark's own checks."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.total_calls = 0
        self.sent: list[tuple[str, int, str]] = []
        self._next_message_id = 1

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        payload = {
            key: self.prepare_value(value, bot=bot, files=files)
            for key, value in method.model_dump(warnings=False).items()
        }
        name = method.__api_method__
        self.calls[name] += 1
        self.total_calls += 1
        text = payload.get("text") or payload.get("caption") or ""
        chat_id = int(payload.get("chat_id") or 0)
        self.sent.append((name, chat_id, str(text)))
        content = self.json_dumps({"ok": True, "result": self._result(bot, name, payload)})
        response = self.check_response(bot=bot, method=method, status_code=200, content=content)
        return cast(TelegramType, response.result)

    def _message(self, payload: dict[str, Any]) -> dict[str, Any]:
        message_id = payload.get("message_id")
        if message_id is None:
            message_id = self._next_message_id
            self._next_message_id += 1
        message: dict[str, Any] = {
            "message_id": int(message_id),
            "date": int(time.time()),
            "chat": {"id": int(payload["chat_id"]), "type": "private", "first_name": "Bench"},
        }
        if payload.get("text"):
            message["text"] = payload["text"]
        if payload.get("reply_markup"):
            markup = self.json_loads(payload["reply_markup"])
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
        return message

    def _result(self, bot: Bot, name: str, payload: dict[str, Any]) -> Any:
        if name in MESSAGE_METHODS:
            return self._message(payload)
        if name in TRUE_METHODS:
            return True
        if name == "sendMediaGroup":
            items = self.json_loads(payload["media"])
            return [self._message(payload) for _ in items]
        if name == "getMe":
            return {"id": bot.id, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        raise NotImplementedError(f"the benchmark's fake Bot API does not answer {name}")
