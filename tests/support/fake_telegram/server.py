"""HTTP front of the fake Telegram: request decoding, fault injection and test accessors."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Self

from aiohttp import BodyPartReader, web

from .bot_api import BotApi
from .group import FakeGroup
from .models import SEND_METHODS, ApiCall, BotMessage, JsonDict, TelegramAPIError
from .state import ApiRequest, Upload
from .user import FakeUser

# Form fields that are plain strings; every other form field is JSON-decoded when it parses
# (aiogram JSON-encodes numbers, booleans and objects), so text "123" stays a string.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "photo",
        "video",
        "document",
        "url",
        "language_code",
        "inline_message_id",
        "action",
        "emoji",
        "business_connection_id",
        "message_effect_id",
    }
)


class _TooLarge(Exception):
    pass


class _Dropped(Exception):
    """The connection is closed without an answer, as a network failure would."""


@dataclass
class _Fault:
    remaining: int
    methods: frozenset[str] | None  # None: every method except getUpdates
    error: TelegramAPIError | None  # None: drop the connection instead of answering
    chat_id: int | None = None  # only requests to this chat

    def applies(self, method: str, params: JsonDict) -> bool:
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        if self.methods is None:
            return method != "getUpdates"
        return method in self.methods


class Hold:
    """Requests of `methods` (to `chat_id`, if given) wait unanswered until `release()`."""

    def __init__(self, fake: FakeTelegram, methods: frozenset[str], chat_id: int | None) -> None:
        self._fake = fake
        self.methods = methods
        self.chat_id = chat_id
        self.held = 0  # requests that have waited here so far
        self._released = asyncio.Event()

    def applies(self, method: str, params: JsonDict) -> bool:
        if self._released.is_set() or method not in self.methods:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    async def wait(self) -> None:
        self.held += 1
        self._fake.notify()
        await self._released.wait()

    async def wait_held(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.held == 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no request of {sorted(self.methods)} was held within {timeout}s")
            await self._fake.wait_changed(remaining)

    def release(self) -> None:
        self._released.set()


class _TokenBucket:
    def __init__(self, per_second: float) -> None:
        self.rate = per_second
        self.capacity = max(1.0, per_second)  # allow a burst of one second's worth
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def take(self) -> float:
        """Take a token; return 0 on success, else the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _too_many_requests(retry_after: int) -> TelegramAPIError:
    return TelegramAPIError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def _decode_field(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeTelegram(BotApi):
    """A strict fake Bot API server on 127.0.0.1 for a real aiogram Bot to talk to."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_id: int | None = None,
        bot_username: str = "techsupport_test_bot",
        bot_first_name: str = "Tech Support",
    ) -> None:
        super().__init__(token, bot_id, bot_username, bot_first_name)
        self.calls: list[ApiCall] = []
        self.base_url = ""
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._bucket: _TokenBucket | None = None
        self._runner: web.AppRunner | None = None
        self._by_lower_name = {name.lower(): name for name in self.handlers}

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=4 * 1024**3)  # the size limit is enforced below
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        # handler_cancellation: a long poll whose client went away stops waiting at once.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._closing = False
        self.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return self.base_url

    async def stop(self) -> None:
        self.close_polls()  # waiting getUpdates return [] so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(TelegramAPIError(401, "Unauthorized").to_json(), status=401)
        requested = request.match_info["method"]
        method = self._by_lower_name.get(requested.lower())  # Telegram ignores the case
        if method is None:
            # Recorded too, so a test can see that the bot needs a method the fake lacks.
            self.calls.append(ApiCall(requested, {}, time.monotonic(), 404))
            return web.json_response(TelegramAPIError(404, "Not Found").to_json(), status=404)
        try:
            params, uploads = await self._read_params(request)
        except _TooLarge:
            self.calls.append(ApiCall(method, {}, time.monotonic(), 413))
            return web.json_response(TelegramAPIError(413, "Request Entity Too Large").to_json(), status=413)
        except ValueError as exc:
            error = TelegramAPIError(400, f"Bad Request: can't parse request: {exc}")
            return web.json_response(error.to_json(), status=400)
        index = len(self.calls)
        self.calls.append(ApiCall(method, params, time.monotonic(), "pending"))
        outcome: str | int = "cancelled"  # stays so if the client hangs up mid-request
        try:
            for hold in [h for h in self._holds if h.applies(method, params)]:
                await hold.wait()
            self._check_faults(method, params)
            result = await self.handlers[method](ApiRequest(params, uploads))
            outcome = "ok"
        except TelegramAPIError as error:
            outcome = error.error_code
            return web.json_response(error.to_json(), status=error.error_code)
        except _Dropped:
            outcome = "dropped"
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=HTTPStatus.INTERNAL_SERVER_ERROR)  # never reaches the client
        finally:
            self.calls[index] = self.calls[index]._replace(outcome=outcome)
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> tuple[JsonDict, dict[str, Upload]]:
        params: JsonDict = {k: _decode_field(k, v) for k, v in request.query.items()}
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
        elif request.content_type == "multipart/form-data":
            total, too_large = 0, False
            async for part in await request.multipart():
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is None:
                    params[part.name] = _decode_field(part.name, await part.text())
                    continue
                # Read the whole body even when over the limit so the client gets the 413.
                data = bytearray()
                while chunk := await part.read_chunk():
                    total += len(chunk)
                    too_large = too_large or total > self.upload_limit_bytes
                    if not too_large:
                        data.extend(chunk)
                uploads[part.name] = Upload(part.filename, bytes(data), part.headers.get("Content-Type"))
                params.setdefault(part.name, f"attach://{part.name}")
            if too_large:
                raise _TooLarge
        elif request.can_read_body:
            form = await request.post()
            params.update({k: _decode_field(k, v) for k, v in form.items() if isinstance(v, str)})
        return params, uploads

    def _check_faults(self, method: str, params: JsonDict) -> None:
        self._faults = [fault for fault in self._faults if fault.remaining > 0]
        for fault in self._faults:
            if fault.applies(method, params):
                fault.remaining -= 1
                if fault.error is None:
                    raise _Dropped
                raise fault.error
        if method in SEND_METHODS and self._bucket is not None:
            wait = self._bucket.take()
            if wait > 0:
                raise _too_many_requests(max(1, math.ceil(wait)))

    async def _download(self, request: web.Request) -> web.Response:
        stored = self.file_by_path(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.Response(status=404, text="Not Found")
        data = stored.data if stored.data is not None else bytes(stored.size)
        return web.Response(body=data, content_type=stored.mime_type or "application/octet-stream")

    # --- test controls --------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Ivan",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "uk",
    ) -> FakeUser:
        """The user with this id (created on first call; later calls return the same one)."""
        if user_id not in self.users:
            self.users[user_id] = FakeUser(self, user_id, first_name, last_name, username, language_code)
        return self.users[user_id]

    def group(self, chat_id: int, title: str = "Office chat") -> FakeGroup:
        """A group the bot was added to (a new handle each call; the chat itself has no state here)."""
        return FakeGroup(self, chat_id, title)

    def block(self, user_id: int) -> None:
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def set_rate_limit(self, per_second: float | None) -> None:
        """Global token bucket over send methods; None switches it off."""
        self._bucket = _TokenBucket(per_second) if per_second else None

    def inject_429(self, count: int, retry_after: int = 1, methods: Iterable[str] | None = None) -> None:
        """The next `count` send calls (or calls of `methods`) answer 429."""
        self._faults.append(_Fault(count, frozenset(methods or SEND_METHODS), _too_many_requests(retry_after)))

    def fail_next(
        self, count: int, status: int = 500, methods: Iterable[str] | None = None, chat_id: int | None = None
    ) -> None:
        """The next `count` calls (default: any method but getUpdates; only to `chat_id` if given)
        answer `status`."""
        error = TelegramAPIError(status, HTTPStatus(status).phrase)
        self._faults.append(_Fault(count, frozenset(methods) if methods else None, error, chat_id))

    def hold(self, methods: Iterable[str], chat_id: int | None = None) -> Hold:
        """Keep requests of `methods` (to `chat_id`) waiting, unanswered, until the hold is released:
        a request in flight for as long as a test needs."""
        hold = Hold(self, frozenset(methods), chat_id)
        self._holds.append(hold)
        return hold

    def drop_next(self, count: int, methods: Iterable[str] | None = None, chat_id: int | None = None) -> None:
        """The next `count` calls (as in fail_next) get no answer: the connection is closed,
        which the bot sees as a network error."""
        self._faults.append(_Fault(count, frozenset(methods) if methods else None, None, chat_id))

    # --- inspection -----------------------------------------------------------------------------

    def sent_count(self, method: str | None = None) -> int:
        """Successful calls of `method`, or of all send methods when None."""
        wanted = {method} if method else SEND_METHODS
        return sum(1 for call in self.calls if call.method in wanted and call.outcome == "ok")

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def callback_answer(self, query_id: str) -> tuple[str | None, bool] | None:
        """(text, show_alert) the bot answered the query with, or None if not answered yet."""
        record = self.callbacks.get(query_id)
        if record is None or not record.answered:
            return None
        return record.text, record.show_alert

    def commands_for(
        self, scope_type: str, chat_id: int | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """(command, description) pairs set for exactly this scope and language."""
        scope: JsonDict = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        key = self.scope_key(scope, language_code)
        return [(c["command"], c["description"]) for c in self.commands.get(key, [])]

    def all_messages(self) -> list[BotMessage]:
        """Every bot message not deleted, across chats, in send order."""
        return [m for m in self.bot_messages if not m.deleted]

    def messages_to(self, chat_id: int) -> list[BotMessage]:
        user = self.users.get(chat_id)
        return user.messages if user else []
