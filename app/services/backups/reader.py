"""Reading a backup archive back: its metadata, and the full validation (data.json via stream.py).

Blocking file work; the async side calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

from app.models.backups import BackupInvalid, BackupProblem, Metadata
from app.services.backups.archive import DATA_NAME, METADATA_NAME
from app.services.backups.stream import READ_OPTIONS, Checks, DataStream

__all__ = ["READ_OPTIONS", "Checks", "DataStream", "open_archive", "peek_metadata", "read_metadata", "validate_archive"]

METADATA_MAX_BYTES = 1024 * 1024


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


def validate_archive(path: Path, checks: Checks | None = None) -> Metadata:
    """Every check a restore needs, without touching the database; raises BackupInvalid.

    `checks` are the app's rules for collections and documents (schema.py); without them,
    only the format is checked (the archive, JSON, sizes, checksum and counts)."""
    with open_archive(path) as archive:
        metadata = read_metadata(archive)
        counts: dict[str, int] = {}
        parse_error: BackupInvalid | None = None
        try:
            with archive.open(DATA_NAME) as raw:
                stream = DataStream(raw, checks)
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
