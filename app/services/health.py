"""MongoDB health: a short ping, the in-memory up/down state, and which alert (if any) is due.

The state machine only decides; the job in app/utils/tasks sends. One alert when the
database goes down, at most one reminder every HEALTHCHECK_REMIND_MINUTES while it stays
down (0 = never), one message when it is back. State lives in memory: after a restart the
first check starts from "unknown", and a database that is down at that moment is reported.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from app.models.health import Alert, AlertKind, PingResult, ServerInfo
from app.utils.clock import Clock, utc_now

PING_TIMEOUT_SECONDS = 5.0


def describe_error(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer to ping in time"
    text = str(error).split(", Timeout:")[0].strip()  # PyMongo appends its topology dump
    return f"{type(error).__name__}: {text}"[:300]


class HealthMonitor:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        *,
        remind_minutes: int,
        ping_timeout: float = PING_TIMEOUT_SECONDS,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.remind = timedelta(minutes=remind_minutes) if remind_minutes > 0 else None
        self.ping_timeout = ping_timeout
        self.clock = clock
        self.started_at = clock()
        self.healthy: bool | None = None  # None until the first check
        self.down_since: datetime | None = None
        self.last_error = ""
        self.last_check_at: datetime | None = None
        self._alerted_at: datetime | None = None  # last down alert or reminder delivered
        self._lock = asyncio.Lock()

    @property
    def lock(self) -> asyncio.Lock:
        """Held by a check from ping to alert, so two checks never both report one change."""
        return self._lock

    async def ping(self) -> PingResult:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self.db.command("ping"), self.ping_timeout)
        except (PyMongoError, TimeoutError, OSError) as error:
            return PingResult(False, None, describe_error(error))
        return PingResult(True, (time.perf_counter() - started) * 1000, "")

    async def server_info(self) -> ServerInfo:
        ping = await self.ping()
        version = None
        if ping.ok:
            try:
                info = await asyncio.wait_for(self.db.command("buildInfo"), self.ping_timeout)
                version = str(info.get("version")) if info.get("version") else None
            except (PyMongoError, TimeoutError, OSError):
                version = None
        return ServerInfo(ping, version)

    def observe(self, ok: bool, error: str = "") -> Alert | None:
        """Record one check's outcome; returns the alert to send now, if any."""
        now = self.clock()
        self.last_check_at = now
        if ok:
            was_down, since = self.healthy is False, self.down_since
            self.healthy, self.down_since, self._alerted_at, self.last_error = True, None, None, ""
            if was_down and since is not None:
                return Alert(AlertKind.RECOVERED, since, now, "")
            return None
        self.last_error = error
        if self.healthy is not False or self.down_since is None:
            self.healthy, self.down_since = False, now
        if self._alerted_at is None:
            return Alert(AlertKind.DOWN, self.down_since, now, error)
        if self.remind is not None and now - self._alerted_at >= self.remind:
            return Alert(AlertKind.STILL_DOWN, self.down_since, now, error)
        return None

    def delivered(self, alert: Alert) -> None:
        """The alert reached the super-admin; an undelivered DOWN is tried again next check."""
        if alert.kind is not AlertKind.RECOVERED and self.healthy is False:
            self._alerted_at = alert.at
