"""Reading a backup archive back: a streaming parser for data.json and the full validation.

Blocking file work; the async side calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import IO, Any

from bson import json_util
from bson.errors import BSONError
from bson.json_util import RELAXED_JSON_OPTIONS

from app.services.backups.archive import DATA_NAME, METADATA_NAME, check_collection_name
from app.models.backups import BackupInvalid, Metadata, BackupProblem

CHUNK_BYTES = 64 * 1024
METADATA_MAX_BYTES = 1024 * 1024
_WHITESPACE = " \t\n\r"
# Dates come back as UTC-aware datetimes, like everything the app reads from MongoDB.
READ_OPTIONS = RELAXED_JSON_OPTIONS.with_options(tz_aware=True, tzinfo=UTC)


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
        hook = partial(json_util.object_pairs_hook, json_options=READ_OPTIONS)
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
            raise BackupInvalid(BackupProblem.BAD_JSON, "not UTF-8 text") from None

    def _error(self, reason: str, position: int | None = None) -> BackupInvalid:
        where = self._dropped + (self._pos if position is None else position)
        return BackupInvalid(BackupProblem.BAD_JSON, f"{reason} near character {where}")

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
                    raise BackupInvalid(BackupProblem.BAD_COLLECTION, f"{name[:60]} appears twice")
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
        raise BackupInvalid(BackupProblem.NOT_FOUND, path.name) from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BackupInvalid(BackupProblem.NOT_ZIP, path.name) from None
    names = set(archive.namelist())
    for required in (DATA_NAME, METADATA_NAME):
        if required not in names:
            archive.close()
            raise BackupInvalid(BackupProblem.MISSING_FILE, required)
    return archive


def read_metadata(archive: zipfile.ZipFile) -> Metadata:
    try:
        if archive.getinfo(METADATA_NAME).file_size > METADATA_MAX_BYTES:
            raise BackupInvalid(BackupProblem.BAD_METADATA, "too large")
        raw = json.loads(archive.read(METADATA_NAME).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise BackupInvalid(BackupProblem.NOT_ZIP, METADATA_NAME) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupInvalid(BackupProblem.BAD_METADATA, "not valid JSON") from None
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
            raise BackupInvalid(BackupProblem.NOT_ZIP, DATA_NAME) from None
    # A changed file usually also breaks the JSON; the checksum names the real cause.
    if digest != metadata.data_sha256:
        raise BackupInvalid(BackupProblem.CHECKSUM, f"expected {metadata.data_sha256[:12]}…, got {digest[:12]}…")
    if parse_error is not None:
        raise parse_error
    if counts != metadata.records_count:
        wrong = sorted(set(counts) | set(metadata.records_count))
        detail = ", ".join(
            f"{name}: {counts.get(name, 'none')} ≠ {metadata.records_count.get(name, 'none')}"
            for name in wrong
            if counts.get(name, -1) != metadata.records_count.get(name, -1)
        )
        raise BackupInvalid(BackupProblem.COUNTS, detail)
    return metadata
