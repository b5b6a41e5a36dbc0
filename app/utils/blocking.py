"""Blocking file work off the event loop, without leaving it half-done on cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def run_blocking(function: Callable[..., T], *args: Any) -> T:
    """`asyncio.to_thread`, except that a cancelled caller first waits for the thread to finish.

    A thread cannot be interrupted; if the caller went on (to clean up the same file, say)
    while the thread still wrote to it, the two would race.
    """
    future = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):
            await future
        raise
