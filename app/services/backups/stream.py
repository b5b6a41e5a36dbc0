"""The streaming parser for data.json: one document at a time, in linear time and bounded memory.

Blocking file work; the async side calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import IO, Any

from bson import json_util
from bson.errors import BSONError
from bson.json_util import RELAXED_JSON_OPTIONS

from app.models.backups import BackupInvalid, BackupProblem
from app.services.backups.archive import check_collection_name

CHUNK_BYTES = 64 * 1024
# MongoDB's own limits for one document: 16 MB and 100 levels of nesting. Counted here on the
# JSON text, so a record is refused with a reason before it costs more than that in memory.
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024
MAX_DEPTH = 100
MAX_NAME_CHARS = 1024  # a collection name (the app's are short; check_collection_name says more)
_BLANK = re.compile(r"[ \t\n\r]*")
# A bracket, or a whole string (group 1 is its closing quote: None when the string runs on past
# the end of the text read so far). Possessive, so a long string costs one linear match.
_TOKEN = re.compile(r'[{}\[\]]|"(?:[^"\\]++|\\.)*+(")?', re.DOTALL)
_STRING_STOP = re.compile(r'["\\]')
# Dates come back as UTC-aware datetimes, like everything the app reads from MongoDB.
READ_OPTIONS = RELAXED_JSON_OPTIONS.with_options(tz_aware=True, tzinfo=UTC)

# Called with (collection, None) when a collection starts, then (collection, document, its
# 1-based position) for each document; raises BackupInvalid for what the app cannot use.
CollectionCheck = Callable[[str], None]
DocumentCheck = Callable[[str, int, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class Checks:
    collection: CollectionCheck
    document: DocumentCheck


class DataStream:
    """Reads `data.json` one document at a time, hashing the raw bytes as they go by.

    Linear in the file and bounded in memory whatever it holds: a document's extent is found
    by a scan that only counts brackets and skips strings (C-speed regular expressions), with
    MAX_DOCUMENT_CHARS and MAX_DEPTH checked on the way; only a complete document of bounded
    size and depth is then handed to the JSON parser, once.
    """

    def __init__(self, raw: IO[bytes], checks: Checks | None = None) -> None:
        self._raw = raw
        self._checks = checks
        self.hasher = hashlib.sha256()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._pos = 0
        self._dropped = 0  # characters already discarded from the buffer, for error positions
        self._eof = False
        self.last_size = 0  # characters of the last document read (for batching by size)
        hook = partial(json_util.object_pairs_hook, json_options=READ_OPTIONS)
        self._decoder = json.JSONDecoder(object_pairs_hook=hook)

    def _read(self) -> str | None:
        """The next decoded piece of the stream ("" is possible); None at its end."""
        if self._eof:
            return None
        chunk = self._raw.read(CHUNK_BYTES)
        if not chunk:
            self._eof = True
            self._decode(b"", final=True)  # raises on a truncated character
            return None
        self.hasher.update(chunk)
        return self._decode(chunk, final=False)

    def _fill(self) -> bool:
        """Read one more piece into the buffer; False at the end of the stream."""
        piece = self._read()
        if piece is None:
            return False
        self._dropped += self._pos
        self._buffer = self._buffer[self._pos :] + piece
        self._pos = 0
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
            match = _BLANK.match(self._buffer, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def _expect(self, allowed: str) -> str:
        char = self._peek()
        if not char or char not in allowed:
            raise self._error(f"expected one of {' '.join(allowed)}")
        self._pos += 1
        return char

    def _raw_value(self, limit: int, too_large: BackupInvalid, too_deep: BackupInvalid) -> tuple[str, int]:
        """The text of the object or string starting at the cursor, and where it started.

        One pass over the characters: brackets outside strings are counted, strings are
        skipped to their closing quote. A value spanning many reads is collected in parts and
        joined once, so the cost stays linear however long it is.
        """
        started = self._dropped + self._pos
        parts: list[str] = []
        size = depth = 0
        in_string = escaped = False
        buffer, pos, start = self._buffer, self._pos, self._pos
        while True:
            end = -1
            length = len(buffer)
            while pos < length:
                if escaped:
                    pos, escaped = pos + 1, False
                elif in_string:
                    match = _STRING_STOP.search(buffer, pos)
                    if match is None:
                        pos = length
                    elif match.group() == "\\":
                        pos, escaped = match.end(), True
                    else:
                        pos, in_string = match.end(), False
                        if depth == 0:
                            end = pos
                            break
                else:
                    match = _TOKEN.search(buffer, pos)
                    if match is None:
                        pos = length
                        continue
                    pos, char = match.end(), buffer[match.start()]
                    if char == '"':
                        if match.group(1) is None:  # continues in the next piece
                            in_string, escaped = True, pos < length  # stopped at a final backslash
                            pos = length
                        elif depth == 0:
                            end = pos
                            break
                    elif char in "{[":
                        depth += 1
                        if depth > MAX_DEPTH:
                            raise too_deep
                    else:
                        depth -= 1
                        if depth == 0:
                            end = pos
                            break
            if end >= 0:
                if size + end - start > limit:
                    raise too_large
                parts.append(buffer[start:end])
                self._buffer, self._pos = buffer, end
                return "".join(parts), started
            size += length - start
            if size > limit:
                raise too_large
            parts.append(buffer[start:])
            self._dropped += length
            piece = self._read()
            if piece is None:
                self._buffer, self._pos = "", 0
                raise self._error("unexpected end of data.json")
            buffer, pos, start = piece, 0, 0

    def _parse(self, text: str, started: int) -> Any:
        try:
            return self._decoder.decode(text)
        except json.JSONDecodeError as error:
            where = started + error.pos - self._dropped
            raise self._error(error.msg, where) from None
        except (ValueError, TypeError, OverflowError, BSONError) as error:
            raise self._error(f"invalid Extended JSON ({str(error)[:200]})") from None

    def _name(self) -> str:
        problem = BackupInvalid(BackupProblem.BAD_COLLECTION, "a collection name is too long")
        name = self._parse(*self._raw_value(MAX_NAME_CHARS, problem, problem))
        if not isinstance(name, str):  # pragma: no cover - a quoted value is always a string
            raise self._error("expected a collection name")
        return name

    def _document(self, name: str, index: int) -> Any:
        where = f"{name[:60]}, record {index}"
        too_large = BackupInvalid(BackupProblem.TOO_LARGE, where)
        too_deep = BackupInvalid(BackupProblem.TOO_DEEP, where)
        text, started = self._raw_value(MAX_DOCUMENT_CHARS, too_large, too_deep)
        self.last_size = len(text)
        return self._parse(text, started)

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
                name = self._name()
                check_collection_name(name)
                if name in seen:
                    raise BackupInvalid(BackupProblem.BAD_COLLECTION, f"{name[:60]} appears twice")
                seen.add(name)
                if self._checks is not None:
                    self._checks.collection(name)
                self._expect(":")
                self._expect("[")
                yield name, None
                if self._peek() == "]":
                    self._pos += 1
                else:
                    index = 0
                    while True:
                        if self._peek() != "{":
                            raise self._error(f"a document of {name[:60]} is not an object")
                        index += 1
                        document = self._document(name, index)
                        if self._checks is not None:
                            self._checks.document(name, index, document)
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
