"""The one delivery helper: what is retried (429, 5xx, network), how long it waits, what it gives up on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from app.services.delivery import RETRY_DELAYS, Delivered, deliver

METHOD = SendMessage(chat_id=1, text="hi")


def server_error() -> Exception:
    return TelegramServerError(METHOD, "Internal Server Error")


def network_error() -> Exception:
    return TelegramNetworkError(METHOD, "ServerDisconnectedError: Server disconnected")


class Script:
    """A request that fails with the given errors, in order, then succeeds; counts its calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


def recorder() -> tuple[list[float], Callable[[float], Awaitable[None]]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return waits, sleep


async def test_server_and_network_errors_are_retried_with_growing_waits() -> None:
    send = Script(server_error(), network_error())
    waits, sleep = recorder()
    delivery = await deliver(send, what="test", backoff=sleep)
    assert delivery.state is Delivered.SENT
    assert send.calls == 3
    assert waits == [RETRY_DELAYS[0], RETRY_DELAYS[1]] and RETRY_DELAYS[0] < RETRY_DELAYS[1]


async def test_retries_are_bounded_and_the_last_error_is_reported() -> None:
    send = Script(*(server_error() for _ in range(10)))
    waits, sleep = recorder()
    delivery = await deliver(send, what="test", attempts=3, backoff=sleep)
    assert delivery.state is Delivered.FAILED and delivery.error == "Internal Server Error"
    assert send.calls == 3
    assert len(waits) == 2  # no pointless wait after the last attempt


async def test_retry_after_waits_as_long_as_telegram_says() -> None:
    send = Script(TelegramRetryAfter(METHOD, "Too Many Requests: retry after 7", 7))
    waits, sleep = recorder()
    held, hold = recorder()
    delivery = await deliver(send, what="test", backoff=sleep, retry_after=hold)
    assert delivery.sent and held == [7] and waits == []


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"), Delivered.BLOCKED),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), Delivered.FAILED),
        (TelegramEntityTooLarge(METHOD, "Request Entity Too Large"), Delivered.FAILED),  # a network error's subclass
    ],
)
async def test_final_answers_are_not_retried(error: Exception, state: Delivered) -> None:
    send = Script(error)
    waits, sleep = recorder()
    delivery = await deliver(send, what="test", backoff=sleep)
    assert delivery.state is state and send.calls == 1 and waits == []
