"""Keeps the classes aiogram parses Bot API answers with from being rebuilt over and over."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    """aiogram parses every answer with `Response[<the method's result type>]`. pydantic
    builds such a class once and caches it only weakly, so each garbage collection drops
    it and the next call of that method builds it again (≈ 0.3 ms, measured as the top
    self-time function in bench/updates.py). Holding one reference per method keeps them."""

    def __init__(self) -> None:
        self._kept: dict[type[Any], Any] = {}

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
