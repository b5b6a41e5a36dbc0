"""Console + daily log files (one file per UTC day, date in the name), configured once in main."""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import UTC, date, datetime, timedelta
from io import TextIOWrapper
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
FILE_PATTERN = re.compile(r"^bot_(\d{4}-\d{2}-\d{2})\.log$")
FILE_GLOB = "bot_*.log"  # the daily files, not whatever else sits in the folder (.gitkeep)
# At DEBUG these log whole MongoDB commands (a ticket's phone number and description, several
# times each) and HTTP bodies: they stay at INFO whatever LOG_LEVEL says.
QUIET_AT_DEBUG = ("pymongo", "aiohttp")


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in the final text, tracebacks included: the token must never reach a log."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(FORMAT)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class DailyFileHandler(logging.FileHandler):
    """Writes to `bot_YYYY-MM-DD.log`, switching files at UTC midnight and keeping `retention_days` files.

    The day is taken from each record's own timestamp, so rotation is driven by the
    records themselves (and can be tested by giving records a chosen `created`).
    """

    def __init__(self, directory: Path, retention_days: int) -> None:
        self.directory = directory
        self.retention_days = retention_days
        # Logs name people and tickets: the folder and every file are the bot user's only.
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        for path in directory.glob(FILE_GLOB):
            os.chmod(path, 0o600)
        self.day = datetime.now(UTC).date()
        super().__init__(self.path_for(self.day), encoding="utf-8", delay=True)
        self.remove_expired()

    def _open(self) -> TextIOWrapper:
        """Created 0600 from the start (no window with the umask's 0644)."""
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)

    def path_for(self, day: date) -> Path:
        return self.directory / f"bot_{day.isoformat()}.log"

    def emit(self, record: logging.LogRecord) -> None:
        day = datetime.fromtimestamp(record.created, UTC).date()
        if day != self.day:
            self.switch_to(day)
        super().emit(record)

    def switch_to(self, day: date) -> None:
        self.acquire()
        try:
            if self.stream is not None:
                self.stream.close()
                self.stream = None
            self.day = day
            self.baseFilename = str(self.path_for(day).resolve())
        finally:
            self.release()
        self.remove_expired()

    def remove_expired(self) -> None:
        """Delete files older than `retention_days` — but never the newest `retention_days` files
        and never the one being written: a clock that jumps (a year ahead, or back) then costs
        one old file per new day at most, instead of every log there is."""
        oldest_kept = self.day - timedelta(days=self.retention_days - 1)
        current = self.path_for(self.day).name
        dated = sorted(
            (date.fromisoformat(match.group(1)), path)
            for path in self.directory.iterdir()
            if (match := FILE_PATTERN.match(path.name)) and path.name != current
        )
        for day, path in dated[: max(len(dated) - (self.retention_days - 1), 0)]:
            if day < oldest_kept or day > self.day:
                path.unlink(missing_ok=True)


def setup_logging(log_dir: Path, level: str, retention_days: int, secrets: list[str]) -> None:
    formatter = RedactingFormatter(secrets)
    console = logging.StreamHandler(sys.stderr)
    daily = DailyFileHandler(log_dir, retention_days)
    root = logging.getLogger()
    # Replace only what an earlier call installed; other handlers (pytest's) stay.
    for handler in [h for h in root.handlers if getattr(h, "installed_by_app", False)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [console, daily]
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, "installed_by_app", True)  # noqa: B010 - a marker attribute on a stdlib object
        root.addHandler(handler)
    root.setLevel(level)
    # aiogram logs every handled update at INFO; that is noise in a help desk's daily file.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    for name in QUIET_AT_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
