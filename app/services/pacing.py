"""Spacing of outgoing messages to a configured rate."""

from __future__ import annotations

import time


class Pacer:
    """Spaces requests so they never exceed `rate` messages per second.

    Each send reserves the next free slot and we sleep only for what the previous
    request did not already use, so slow requests do not lower the rate (as a fixed
    sleep after every message would), and there is never a burst above it.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = time.monotonic()

    def reserve(self, cost: int = 1) -> float:
        """Seconds to wait before sending `cost` messages."""
        now = time.monotonic()
        start = max(now, self.next_at)
        self.next_at = start + self.interval * cost
        return start - now

    def hold(self, seconds: float) -> None:
        """Telegram said "retry after": nobody is sent anything before then."""
        self.next_at = max(self.next_at, time.monotonic() + seconds)
