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

from app.models.backups import BackupInvalid, BackupProblem, Metadata

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

DATA_NAME = "data.json"
METADATA_NAME = "metadata.json"










def check_collection_name(name: str) -> None:
    """Only names an app collection can have: nothing a restore could abuse."""
    if not name or len(name) > 120 or name.startswith("system.") or "$" in name or "\x00" in name:
        raise BackupInvalid(BackupProblem.BAD_COLLECTION, name[:60])


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

    def write_documents(self, documents: list[dict[str, Any]]) -> int:
        """Returns the characters written, so the caller can keep its batches small in bytes too."""
        parts = []
        for document in documents:
            parts.append(",\n" if self._documents else "\n")
            parts.append(json_util.dumps(document, json_options=RELAXED_JSON_OPTIONS, ensure_ascii=False))
            self._documents += 1
        text = "".join(parts)
        self._write(text)
        return len(text)

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
