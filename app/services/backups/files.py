"""The backup directory: names, safe ids, listing, retention, permissions and the cross-process lock.

Layout of BACKUP_DIR (0700, every file 0600):
    backup_YYYYMMDD_HHMMSS.zip          a regular backup (manual or scheduled), UTC time
    backup_YYYYMMDD_HHMMSS_safety.zip   taken automatically right before a restore
    .backup_….zip.part                  being written; renamed into place only when complete
    uploads/upload_<16 hex>.zip         a file the super-admin sent to restore from
    uploads/upload_<16 hex>.name        the name it had in Telegram, for the messages about it
    .lock                               held while a backup or restore runs (bot or CLI)

Buttons carry only the id (the timestamp part, or `u` + 16 hex for an upload), checked
against a strict pattern, so no callback can name a path outside this directory.
"""

from __future__ import annotations

from app.models.backups import BackupFile

import contextlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from app.models.backups import BackupInvalid, BackupProblem

try:  # POSIX only; elsewhere the in-process asyncio lock is all there is.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

NAME_PATTERN = re.compile(r"^backup_(\d{8}_\d{6})(_safety)?\.zip$")
STORED_ID = re.compile(r"^\d{8}_\d{6}(?:_safety)?$")
UPLOAD_ID = re.compile(r"^u[0-9a-f]{16}$")
STAMP_FORMAT = "%Y%m%d_%H%M%S"
UPLOADS = "uploads"
STALE_UPLOAD_SECONDS = 24 * 3600
MAX_NAME_CHARS = 255  # Telegram's file names are short; this only bounds what we read back




def backup_name(moment: datetime, *, safety: bool = False) -> str:
    stamp = moment.astimezone(UTC).strftime(STAMP_FORMAT)
    return f"backup_{stamp}{'_safety' if safety else ''}.zip"


def parse_name(path: Path) -> BackupFile | None:
    match = NAME_PATTERN.match(path.name)
    if match is None:
        return None
    try:
        created = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    backup_id = match.group(1) + (match.group(2) or "")
    return BackupFile(path, backup_id, created, safety=match.group(2) is not None)


def prepare_directory(directory: Path) -> None:
    """Create BACKUP_DIR (and uploads/) readable by the bot's user only."""
    for path in (directory, directory / UPLOADS):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)


def list_backups(directory: Path) -> list[BackupFile]:
    """Complete backups only (never `.part` files), newest first."""
    if not directory.is_dir():
        return []
    found = [b for b in (parse_name(p) for p in directory.iterdir()) if b is not None and b.path.is_file()]
    return sorted(found, key=lambda b: (b.created_at, b.safety), reverse=True)


def apply_retention(directory: Path, keep: int, protect: Path | None = None) -> list[Path]:
    """Keep the newest `keep` regular backups and, separately, the newest `keep` safety backups.

    Two pools, so a series of restores can never push the weekly history out, and a busy
    week of backups can never delete the copy taken before the last restore. `protect` (the
    backup just written) always stays, and counts as one of the kept: named by a clock that
    went back, it would otherwise sort oldest and be the one deleted.
    """
    removed: list[Path] = []
    backups = list_backups(directory)
    for safety in (False, True):
        pool = [b for b in backups if b.safety is safety]
        pool.sort(key=lambda b: b.path != protect)  # stable: the protected one first, then newest first
        for old in pool[keep:]:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
    return removed


def part_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.part")


def remove_leftovers(directory: Path, now: float | None = None) -> list[Path]:
    """`.part` files of interrupted backups and uploads nobody confirmed within a day."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    now = time.time() if now is None else now
    for path in directory.glob(".backup_*.zip.part"):
        path.unlink(missing_ok=True)
        removed.append(path)
    uploads = directory / UPLOADS
    if uploads.is_dir():
        for path in [*uploads.glob("upload_*.zip"), *uploads.glob("upload_*.name")]:
            if now - path.stat().st_mtime > STALE_UPLOAD_SECONDS:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def new_upload(directory: Path) -> tuple[str, Path]:
    upload_id = "u" + secrets.token_hex(8)
    return upload_id, upload_path(directory, upload_id)


def name_file(upload: Path) -> Path:
    return upload.with_suffix(".name")


def remember_name(upload: Path, name: str) -> None:
    """Keep the file's name as the super-admin sent it (ours is random) next to the upload."""
    fd = os.open(name_file(upload), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(name[:MAX_NAME_CHARS])


def remembered_name(upload: Path) -> str | None:
    try:
        return name_file(upload).read_text(encoding="utf-8")[:MAX_NAME_CHARS] or None
    except (OSError, UnicodeDecodeError):
        return None


def discard_upload(upload: Path) -> None:
    upload.unlink(missing_ok=True)
    name_file(upload).unlink(missing_ok=True)


def upload_path(directory: Path, upload_id: str) -> Path:
    """Only for ids that match UPLOAD_ID."""
    return directory / UPLOADS / f"upload_{upload_id[1:]}.zip"


def path_for_id(directory: Path, backup_id: str) -> Path:
    """The file a button's id names; refuses anything that is not one of our names."""
    if UPLOAD_ID.fullmatch(backup_id):
        path = upload_path(directory, backup_id)
    elif STORED_ID.fullmatch(backup_id):
        path = directory / f"backup_{backup_id}.zip"
    else:
        raise BackupInvalid(BackupProblem.INVALID_ID, backup_id[:40])
    # Belt and braces: the pattern already rules out separators and "..".
    if path.resolve().parent not in (directory.resolve(), (directory / UPLOADS).resolve()):
        raise BackupInvalid(BackupProblem.INVALID_ID, backup_id[:40])
    if not path.is_file():
        raise BackupInvalid(BackupProblem.NOT_FOUND, path.name)
    return path


def directory_size(directory: Path, pattern: str = "*") -> tuple[int, int]:
    """(bytes, files) of the regular files directly in `directory` whose names match `pattern`."""
    if not directory.is_dir():
        return 0, 0
    sizes = [p.stat().st_size for p in directory.glob(pattern) if p.is_file()]
    return sum(sizes), len(sizes)


class DirectoryLock:
    """An exclusive, non-blocking `flock` on BACKUP_DIR/.lock: one backup or restore per machine."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".lock"
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+b")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            with contextlib.suppress(OSError):
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
