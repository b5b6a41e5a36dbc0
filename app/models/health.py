"""MongoDB health: ping results, server facts and the alerts the super-admin gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AlertKind(StrEnum):
    DOWN = "down"
    STILL_DOWN = "still_down"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    since: datetime  # when the outage began
    at: datetime  # when this check ran
    error: str

    @property
    def outage(self) -> timedelta:
        return self.at - self.since


@dataclass(frozen=True, slots=True)
class PingResult:
    ok: bool
    latency_ms: float | None
    error: str


@dataclass(frozen=True, slots=True)
class ServerInfo:
    ping: PingResult
    version: str | None
