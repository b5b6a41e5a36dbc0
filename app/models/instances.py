"""Bot processes: which one holds the lease on the work that must run once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    owner: str  # "<host>-<pid>-<random>", unique per process start
    host: str
    pid: int
    expires_at: datetime
