"""Backups as the app knows them: the archive's metadata, results, listed files and what can go wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any


class BackupKind(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    SAFETY = "safety"  # taken automatically right before a restore


class BackupProblem(StrEnum):
    """Why a file cannot be restored; each has its own explanation for the operator."""

    NOT_FOUND = "not_found"
    INVALID_ID = "invalid_id"
    NOT_ZIP = "not_zip"
    MISSING_FILE = "missing_file"
    BAD_METADATA = "bad_metadata"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_JSON = "bad_json"
    BAD_COLLECTION = "bad_collection"
    UNKNOWN_COLLECTION = "unknown_collection"
    BAD_DOCUMENT = "bad_document"  # a record the app could not read back (wrong or missing field)
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    CHECKSUM = "checksum"
    COUNTS = "counts"


class BackupInvalid(Exception):
    def __init__(self, problem: BackupProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Metadata:
    created_at: datetime
    backup_version: str
    app_version: str
    kind: str
    database: str
    records_count: dict[str, int]
    data_sha256: str

    @property
    def total(self) -> int:
        return sum(self.records_count.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(),
            "backup_version": self.backup_version,
            "app_version": self.app_version,
            "kind": self.kind,
            "database": self.database,
            "records_count": self.records_count,
            "data_sha256": self.data_sha256,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Metadata:
        if not isinstance(raw, dict):
            raise BackupInvalid(BackupProblem.BAD_METADATA, "not a JSON object")
        version = raw.get("backup_version")
        if not isinstance(version, str):
            raise BackupInvalid(BackupProblem.BAD_METADATA, "backup_version is missing")
        if version not in SUPPORTED_VERSIONS:
            raise BackupInvalid(BackupProblem.UNSUPPORTED_VERSION, version)
        counts = raw.get("records_count")
        digest = raw.get("data_sha256")
        try:
            created_at = datetime.fromisoformat(str(raw.get("created_at")))
        except ValueError:
            raise BackupInvalid(BackupProblem.BAD_METADATA, "created_at is not a date") from None
        if not isinstance(counts, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 0 for k, v in counts.items()
        ):
            raise BackupInvalid(BackupProblem.BAD_METADATA, "records_count is not a map of counts")
        if not isinstance(digest, str) or len(digest) != 64:
            raise BackupInvalid(BackupProblem.BAD_METADATA, "data_sha256 is missing")
        return cls(
            created_at=created_at,
            backup_version=version,
            app_version=str(raw.get("app_version", "")),
            kind=str(raw.get("kind", "")),
            database=str(raw.get("database", "")),
            records_count=dict(counts),
            data_sha256=digest.lower(),
        )


class BackupBusy(Exception):
    """Another backup or restore is running (here or in another process)."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    metadata: Metadata
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class RestoreReport:
    source: str
    metadata: Metadata
    restored: dict[str, int]
    kept: list[str]  # in the backup, but left as they are (see KEEP_ON_RESTORE)
    emptied: list[str]  # in the database, not in the backup: emptied, as at the backup's time
    safety: BackupResult


class RestoreFailed(Exception):
    """Loading failed after validation; `rolled_back` tells whether the safety backup is back in place."""

    def __init__(self, reason: Exception, safety_name: str, rolled_back: bool, detail: str = "") -> None:
        # `detail` says what went wrong without the documents involved (a write error carries the
        # whole document, phone numbers included, which must not reach a log or a chat).
        self.detail = detail or type(reason).__name__
        super().__init__(f"restore failed ({self.detail}); safety backup {safety_name} rolled back: {rolled_back}")
        self.reason = reason
        self.safety_name = safety_name
        self.rolled_back = rolled_back


@dataclass(frozen=True, slots=True)
class BackupFile:
    path: Path
    backup_id: str
    created_at: datetime  # from the name: what sorting and retention use
    safety: bool

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def next_backup_at(last: datetime, days: int, zone: tzinfo) -> datetime:
    """`days` after `last` by the local calendar: a weekly backup keeps its local hour when the
    clocks change (aware datetime arithmetic is wall-clock arithmetic), returned in UTC."""
    return (last.astimezone(zone) + timedelta(days=days)).astimezone(UTC)


BACKUP_VERSION = "1.0"


SUPPORTED_VERSIONS = frozenset({BACKUP_VERSION})


@dataclass(frozen=True, slots=True)
class BackupState:
    last_success_at: datetime
    last_file: str
    last_kind: str


@dataclass(frozen=True, slots=True)
class RestoreMarker:
    """A restore under way, as recorded in the database before it changes anything.

    It outlives the process: found at start-up (or by the health check) with no restore running,
    it means one died midway, and `safety` is the backup that puts the data back as it was
    (None: it died before the safety backup existed, so nothing had changed yet).
    """

    source: str  # the file restored from, as the operator knows it
    by: int | str
    started_at: datetime
    safety: str | None


@dataclass(frozen=True, slots=True)
class Recovery:
    """What finishing an interrupted restore did: the data put back (error None), or why not yet."""

    marker: RestoreMarker
    error: Exception | None = None
    detail: str = ""  # the error in words, without the documents involved
