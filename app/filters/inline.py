"""Synchronous filters evaluated in the event loop instead of a worker thread.

aiogram hands every filter that is a plain callable — a magic filter (`F.text == ...`) or a
state used as a filter (`TicketForm.phone`) — to `asyncio.to_thread`, on every update, for
every handler it tries. These checks take microseconds; the thread hop around each costs
far more (bench/updates.py counted ≈ 4–8 hops per update). `run_filters_inline` wraps them,
once, when the dispatcher is built; the handlers keep registering filters the usual way.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Filter


class Inline(Filter):
    """One synchronous filter, called directly with the arguments aiogram would give it."""

    def __init__(self, check: FilterObject) -> None:
        self.check = check

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        check = self.check
        if not check.varkw:
            kwargs = {name: value for name, value in kwargs.items() if name in check.params}
        return check.callback(*args, **kwargs)

    def __str__(self) -> str:
        return f"Inline({self.check.magic or self.check.callback!r})"


def run_filters_inline(root: Router) -> None:
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in observer.handlers:
                handler.filters = [
                    check if check.awaitable else FilterObject(Inline(check)) for check in handler.filters or []
                ]
