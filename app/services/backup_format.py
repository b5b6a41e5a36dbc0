"""The backup archive: `data.json` + `metadata.json` in a ZIP, written and read as streams.

`data.json` is one JSON object mapping each collection name to the list of its documents in
MongoDB Extended JSON (relaxed mode, `bson.json_util`), one document per line, so ObjectIds
and dates survive the round trip and the file stays readable. Neither side ever holds more
than one batch of documents in memory: the writer appends to the ZIP entry as documents
arrive, the reader parses one document at a time from the decompressing stream.

Everything here is blocking file work; the async service calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO, Any

from bson import json_util
from bson.errors import BSONError
from bson.json_util import RELAXED_JSON_OPTIONS

BACKUP_VERSION = "1.0"
SUPPORTED_VERSIONS = frozenset({BACKUP_VERSION})
DATA_NAME = "data.json"
METADATA_NAME = "metadata.json"
CHUNK_BYTES = 64 * 1024
METADATA_MAX_BYTES = 1024 * 1024
_WHITESPACE = " \t\n\r"


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


class DataStream:
    """Reads `data.json` one document at a time, hashing the raw bytes as they go by."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.hasher = hashlib.sha256()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._pos = 0
        self._dropped = 0  # characters already discarded from the buffer, for error positions
        self._eof = False
        hook = partial(json_util.object_pairs_hook, json_options=RELAXED_JSON_OPTIONS)
        self._decoder = json.JSONDecoder(object_pairs_hook=hook)

    def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        chunk = self._raw.read(CHUNK_BYTES)
        self._dropped += self._pos
        rest = self._buffer[self._pos :]
        self._pos = 0
        if not chunk:
            self._eof = True
            self._buffer = rest + self._decode(b"", final=True)
            return False
        self.hasher.update(chunk)
        self._buffer = rest + self._decode(chunk, final=False)
        return True

    def _decode(self, chunk: bytes, *, final: bool) -> str:
        try:
            return self._utf8.decode(chunk, final=final)
        except UnicodeDecodeError:
            raise BackupInvalid(Problem.BAD_JSON, "not UTF-8 text") from None

    def _error(self, reason: str, position: int | None = None) -> BackupInvalid:
        where = self._dropped + (self._pos if position is None else position)
        return BackupInvalid(Problem.BAD_JSON, f"{reason} near character {where}")

    def _peek(self) -> str:
        """The next non-blank character ("" at the end), without consuming it."""
        while True:
            buffer = self._buffer
            while self._pos < len(buffer) and buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(buffer):
                return buffer[self._pos]
            if not self._fill():
                return ""

    def _expect(self, allowed: str) -> str:
        char = self._peek()
        if not char or char not in allowed:
            raise self._error(f"expected one of {' '.join(allowed)}")
        self._pos += 1
        return char

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue  # the value may just continue in the next chunk
                raise self._error(error.msg, error.pos) from None
            except (ValueError, TypeError, BSONError) as error:
                raise self._error(f"invalid Extended JSON ({error})") from None
            self._pos = end
            return value

    def events(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """(collection, None) when a collection starts, then (collection, document) for each document."""
        self._expect("{")
        if self._peek() == "}":
            self._pos += 1
        else:
            seen: set[str] = set()
            while True:
                if self._peek() != '"':
                    raise self._error("expected a collection name")
                name = self._value()
                check_collection_name(name)
                if name in seen:
                    raise BackupInvalid(Problem.BAD_COLLECTION, f"{name[:60]} appears twice")
                seen.add(name)
                self._expect(":")
                self._expect("[")
                yield name, None
                if self._peek() == "]":
                    self._pos += 1
                else:
                    while True:
                        if self._peek() != "{":
                            raise self._error(f"a document of {name[:60]} is not an object")
                        document = self._value()
                        if not isinstance(document, dict):
                            raise self._error(f"a document of {name[:60]} is not an object")
                        yield name, document
                        if self._expect(",]") == "]":
                            break
                if self._expect(",}") == "}":
                    break
        if self._peek():
            raise self._error("unexpected data after the end")

    def drain(self) -> str:
        """Hash whatever was not read yet; returns the SHA-256 of the whole stream."""
        if not self._eof:
            while chunk := self._raw.read(CHUNK_BYTES):
                self.hasher.update(chunk)
            self._eof = True
        return self.hasher.hexdigest()


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupInvalid(Problem.NOT_FOUND, path.name) from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BackupInvalid(Problem.NOT_ZIP, path.name) from None
    names = set(archive.namelist())
    for required in (DATA_NAME, METADATA_NAME):
        if required not in names:
            archive.close()
            raise BackupInvalid(Problem.MISSING_FILE, required)
    return archive


def read_metadata(archive: zipfile.ZipFile) -> Metadata:
    try:
        if archive.getinfo(METADATA_NAME).file_size > METADATA_MAX_BYTES:
            raise BackupInvalid(Problem.BAD_METADATA, "too large")
        raw = json.loads(archive.read(METADATA_NAME).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise BackupInvalid(Problem.NOT_ZIP, METADATA_NAME) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupInvalid(Problem.BAD_METADATA, "not valid JSON") from None
    return Metadata.from_json(raw)


def peek_metadata(path: Path) -> Metadata | None:
    """For listings: the metadata if it can be read, else None (no full validation)."""
    try:
        with open_archive(path) as archive:
            return read_metadata(archive)
    except BackupInvalid:
        return None


def validate_archive(path: Path) -> Metadata:
    """Every check a restore needs, without touching the database; raises BackupInvalid."""
    with open_archive(path) as archive:
        metadata = read_metadata(archive)
        counts: dict[str, int] = {}
        parse_error: BackupInvalid | None = None
        try:
            with archive.open(DATA_NAME) as raw:
                stream = DataStream(raw)
                try:
                    for name, document in stream.events():
                        counts[name] = counts.get(name, 0) + (document is not None)
                except BackupInvalid as error:
                    parse_error = error
                digest = stream.drain()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise BackupInvalid(Problem.NOT_ZIP, DATA_NAME) from None
    # A changed file usually also breaks the JSON; the checksum names the real cause.
    if digest != metadata.data_sha256:
        raise BackupInvalid(Problem.CHECKSUM, f"expected {metadata.data_sha256[:12]}…, got {digest[:12]}…")
    if parse_error is not None:
        raise parse_error
    if counts != metadata.records_count:
        wrong = sorted(set(counts) | set(metadata.records_count))
        detail = ", ".join(
            f"{name}: {counts.get(name, 'none')} ≠ {metadata.records_count.get(name, 'none')}"
            for name in wrong
            if counts.get(name, -1) != metadata.records_count.get(name, -1)
        )
        raise BackupInvalid(Problem.COUNTS, detail)
    return metadata
