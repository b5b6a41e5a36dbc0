"""Maintenance while a restore runs: users are told "try again in a minute", nothing is half-written.

From before the safety backup until the data is whole again, updates from anyone but the
super-admin are answered with a short notice by an outer middleware (app/middlewares) before
anything reads or writes the database; updates already being handled are waited for first.

The durable record is the restore's marker in the database (app/db/restore_state.py): it also
puts the bot into maintenance while another process (the operator's CLI) restores, and keeps it
there after a restore died midway, until its roll-back has run. The middleware re-reads it at
most once every MARKER_REFRESH_SECONDS; a restore in another process waits NOTICE_SECONDS after
writing it, so a running bot has noticed before the data changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator

from pymongo.errors import PyMongoError

from app.db.restore_state import RestoreStateRepository

logger = logging.getLogger(__name__)

MARKER_REFRESH_SECONDS = 1.0
MARKER_READ_TIMEOUT_SECONDS = 1.0
NOTICE_SECONDS = MARKER_REFRESH_SECONDS + 2.0
DRAIN_SECONDS = 10.0


class Maintenance:
    def __init__(
        self,
        markers: RestoreStateRepository,
        *,
        refresh_seconds: float = MARKER_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.markers = markers
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._restoring = False  # this process is restoring right now
        self.unfinished = False  # a restore here did not finish and its roll-back is still owed
        self._marker_seen = False  # the database's marker, as last read
        self._checked_at: float | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def active(self) -> bool:
        """Whether users must get the maintenance notice now (at most one small read a second)."""
        if self._restoring or self.unfinished:
            return True
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self.refresh_seconds:
            self._checked_at = now
            try:
                self._marker_seen = await asyncio.wait_for(self.markers.exists(), MARKER_READ_TIMEOUT_SECONDS)
            except (PyMongoError, TimeoutError, OSError):
                pass  # keep what we knew; a database that is down is answered further on
        return self._restoring or self.unfinished or self._marker_seen  # again: a restore may have begun meanwhile

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Around each update let through, so a restore can wait for those already under way."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    @contextlib.asynccontextmanager
    async def restoring(self) -> AsyncIterator[None]:
        """On for the whole restore; begins once the updates already being handled are done."""
        self._restoring = True
        try:
            try:
                await asyncio.wait_for(self._idle.wait(), DRAIN_SECONDS)
            except TimeoutError:
                logger.warning("Restore: %s update(s) still being handled after %s s", self._in_flight, DRAIN_SECONDS)
            yield
        finally:
            self._restoring = False

    def owe_roll_back(self) -> None:
        self.unfinished = True

    def settled(self) -> None:
        """The data is whole: no restore under way here, no marker left."""
        self.unfinished = False
        self._marker_seen = False
