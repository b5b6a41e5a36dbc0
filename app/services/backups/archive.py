"""The backup archive: `data.json` + `metadata.json` in a ZIP, written and read as streams.

`data.json` is one JSON object mapping each collection name to the list of its documents in
MongoDB Extended JSON (relaxed mode, `bson.json_util`), one document per line, so ObjectIds
and dates survive the round trip and the file stays readable. Neither side ever holds more
than one batch of documents in memory: the writer appends to the ZIP entry as documents
arrive, the reader parses one document at a time from the decompressing stream.

This module defines the format and writes it; backup_reader.py reads and validates it.
Everything here is blocking file work; the async service calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from bson import json_util
from bson.json_util import RELAXED_JSON_OPTIONS

BACKUP_VERSION = "1.0"
SUPPORTED_VERSIONS = frozenset({BACKUP_VERSION})
DATA_NAME = "data.json"
METADATA_NAME = "metadata.json"


class BackupKind(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    SAFETY = "safety"  # taken automatically right before a restore


class Problem(StrEnum):
    """Why a file cannot be restored; each has its own explanation for the operator."""

    NOT_FOUND = "not_found"
    INVALID_ID = "invalid_id"
    NOT_ZIP = "not_zip"
    MISSING_FILE = "missing_file"
    BAD_METADATA = "bad_metadata"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_JSON = "bad_json"
    BAD_COLLECTION = "bad_collection"
    CHECKSUM = "checksum"
    COUNTS = "counts"


class BackupInvalid(Exception):
    def __init__(self, problem: Problem, detail: str = "") -> None:
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
            raise BackupInvalid(Problem.BAD_METADATA, "not a JSON object")
        version = raw.get("backup_version")
        if not isinstance(version, str):
            raise BackupInvalid(Problem.BAD_METADATA, "backup_version is missing")
        if version not in SUPPORTED_VERSIONS:
            raise BackupInvalid(Problem.UNSUPPORTED_VERSION, version)
        counts = raw.get("records_count")
        digest = raw.get("data_sha256")
        try:
            created_at = datetime.fromisoformat(str(raw.get("created_at")))
        except ValueError:
            raise BackupInvalid(Problem.BAD_METADATA, "created_at is not a date") from None
        if not isinstance(counts, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 0 for k, v in counts.items()
        ):
            raise BackupInvalid(Problem.BAD_METADATA, "records_count is not a map of counts")
        if not isinstance(digest, str) or len(digest) != 64:
            raise BackupInvalid(Problem.BAD_METADATA, "data_sha256 is missing")
        return cls(
            created_at=created_at,
            backup_version=version,
            app_version=str(raw.get("app_version", "")),
            kind=str(raw.get("kind", "")),
            database=str(raw.get("database", "")),
            records_count=dict(counts),
            data_sha256=digest.lower(),
        )


def check_collection_name(name: str) -> None:
    """Only names an app collection can have: nothing a restore could abuse."""
    if not name or len(name) > 120 or name.startswith("system.") or "$" in name or "\x00" in name:
        raise BackupInvalid(Problem.BAD_COLLECTION, name[:60])


class ArchiveWriter:
    """Writes one backup ZIP; the caller renames the file into place once `close()` returned."""

    def __init__(self, path: Path) -> None:
        # O_EXCL: never write into a file someone else prepared; 0600 from the first byte.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._data: IO[bytes] | None = self._zip.open(DATA_NAME, "w", force_zip64=True)
        self._hash = hashlib.sha256()
        self._collections = 0
        self._documents = 0
        self._write("{")

    def _write(self, text: str) -> None:
        assert self._data is not None
        data = text.encode("utf-8")
        self._hash.update(data)
        self._data.write(data)

    def begin_collection(self, name: str) -> None:
        prefix = "\n" if self._collections == 0 else ",\n"
        self._write(f"{prefix}{json.dumps(name, ensure_ascii=False)}: [")
        self._collections += 1
        self._documents = 0

    def write_documents(self, documents: list[dict[str, Any]]) -> None:
        parts = []
        for document in documents:
            parts.append(",\n" if self._documents else "\n")
            parts.append(json_util.dumps(document, json_options=RELAXED_JSON_OPTIONS, ensure_ascii=False))
            self._documents += 1
        self._write("".join(parts))

    def end_collection(self) -> None:
        self._write("\n]" if self._documents else "]")

    def finish_data(self) -> str:
        """Close data.json; returns its SHA-256 (hex)."""
        self._write("\n}\n")
        assert self._data is not None
        self._data.close()
        self._data = None
        return self._hash.hexdigest()

    def write_metadata(self, metadata: Metadata) -> None:
        text = json.dumps(metadata.to_json(), ensure_ascii=False, indent=2) + "\n"
        self._zip.writestr(METADATA_NAME, text.encode("utf-8"))

    def close(self) -> None:
        """Finish the ZIP and make it durable before anyone renames it."""
        self._zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def abort(self) -> None:
        for closer in (self._data, self._zip, self._file):
            try:
                if closer is not None:
                    closer.close()
            except (OSError, ValueError, zipfile.BadZipFile):
                pass
