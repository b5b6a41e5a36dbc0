"""Every filter of the real dispatcher runs in the event loop, none in a worker thread."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message

from app.db.client import create_client
from app.db.repositories import Repositories
from app.factory import create_bot, create_dispatcher
from app.filters.inline import Inline, run_filters_inline
from app.utils.i18n import create_i18n
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import make_settings


class Form(StatesGroup):
    name = State()


def filters_of(root: Router) -> list[FilterObject]:
    return [
        check
        for router in root.chain_tail
        for observer in router.observers.values()
        for handler in observer.handlers
        for check in handler.filters or []
    ]


async def test_the_bots_dispatcher_has_no_filter_left_for_a_thread(fake: FakeTelegram, tmp_path: Path) -> None:
    settings = make_settings(fake, "mongodb://127.0.0.1:1", "unused", tmp_path)
    client = create_client("mongodb://127.0.0.1:1", 1)
    bot = create_bot(settings)
    try:
        dispatcher = create_dispatcher(settings, bot, client, Repositories.create(client["unused"]), create_i18n("uk"))
        checks = filters_of(dispatcher)
        assert len(checks) > 40
        assert all(check.awaitable for check in checks)
        assert sum(isinstance(check.callback, Inline) for check in checks) > 30
    finally:
        await bot.session.close()
        await client.close()


def handler_filters(router: Router) -> list[FilterObject]:
    """The filters of the router's one message handler (registered with some)."""
    filters = router.message.handlers[0].filters
    assert filters is not None
    return filters


def message(text: str) -> Message:
    return Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type="private"), text=text)


@pytest.mark.parametrize(
    ("text", "raw_state", "expected"),
    [("hello", Form.name.state, True), ("hello", None, False), ("/start", Form.name.state, False)],
)
async def test_wrapped_filters_decide_as_aiogram_would_without_a_thread(
    text: str, raw_state: str | None, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    router = Router()

    async def handler(_: Any) -> None:
        return None

    router.message.register(handler, Form.name, F.text, ~F.text.startswith("/"))
    kwargs = {"raw_state": raw_state, "bot": None, "event_update": None}
    aiogram_says = [bool(await check.call(message(text), **kwargs)) for check in handler_filters(router)]

    def no_threads(*_: Any, **__: Any) -> None:
        raise AssertionError("a filter went to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", no_threads)
    run_filters_inline(router)
    inline_says = [bool(await check.call(message(text), **kwargs)) for check in handler_filters(router)]
    assert inline_says == aiogram_says
    assert all(inline_says) is expected
