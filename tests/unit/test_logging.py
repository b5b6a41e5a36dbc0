from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pymongo import MongoClient

from app.db.embedded import EmbeddedMongo
from app.utils.logging_setup import DailyFileHandler, RedactingFormatter, setup_logging


def record_at(moment: datetime, message: str, level: int = logging.INFO) -> logging.LogRecord:
    record = logging.LogRecord("test", level, __file__, 1, message, None, None)
    record.created = moment.timestamp()
    return record


def test_files_are_dated_rotated_at_midnight_and_expired(tmp_path: Path) -> None:
    handler = DailyFileHandler(tmp_path, retention_days=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    start = datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC)
    handler.emit(record_at(start, "before midnight"))
    handler.emit(record_at(start + timedelta(seconds=2), "after midnight"))
    for day in range(2, 6):
        handler.emit(record_at(start + timedelta(days=day), f"day {day}"))
    handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    # Retention keeps the newest three days: the 24th, 25th and 26th.
    assert names == ["bot_2026-11-24.log", "bot_2026-11-25.log", "bot_2026-11-26.log"]
    assert (tmp_path / "bot_2026-11-26.log").read_text() == "day 5\n"


def test_first_two_days_land_in_their_own_files(tmp_path: Path) -> None:
    handler = DailyFileHandler(tmp_path, retention_days=30)
    handler.setFormatter(logging.Formatter("%(message)s"))
    start = datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC)
    handler.emit(record_at(start, "before midnight"))
    handler.emit(record_at(start + timedelta(seconds=2), "after midnight"))
    handler.close()
    assert (tmp_path / "bot_2026-11-21.log").read_text() == "before midnight\n"
    assert (tmp_path / "bot_2026-11-22.log").read_text() == "after midnight\n"


def test_secrets_never_reach_the_text() -> None:
    formatter = RedactingFormatter(["123456:SECRET"])
    try:
        raise RuntimeError("call to https://api.telegram.org/bot123456:SECRET/getMe failed")
    except RuntimeError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "token %s", ("123456:SECRET",), sys.exc_info())
    text = formatter.format(record)
    assert "SECRET" not in text and "***" in text and "Traceback" in text


def test_debug_keeps_driver_loggers_quiet_and_files_private(tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    root = logging.getLogger()
    level_before = root.level
    try:
        setup_logging(log_dir, "DEBUG", 30, [])
        # Whole command bodies (phone numbers, descriptions) and HTTP bodies are logged at DEBUG.
        for name in ("pymongo.command", "pymongo.connection", "aiohttp.client", "aiogram.event"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO, name
        assert logging.getLogger("app.services").isEnabledFor(logging.DEBUG)
        logging.getLogger("app.test").info("hello")
        assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
        [log_file] = list(log_dir.glob("bot_*.log"))
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    finally:
        for handler in [h for h in root.handlers if getattr(h, "installed_by_app", False)]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level_before)


def test_an_existing_log_folder_is_made_private(tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    log_dir.mkdir(mode=0o755)
    os.chmod(log_dir, 0o755)
    old = log_dir / "bot_2026-01-01.log"
    old.write_text("x")
    os.chmod(old, 0o644)
    handler = DailyFileHandler(log_dir, retention_days=3650)
    handler.close()
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_embedded_database_files_are_private(tmp_path: Path) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    try:
        client: MongoClient[dict[str, object]] = MongoClient(server.uri)
        client["privacy"]["t"].insert_one({"phone": "+380501234567"})
        client.close()
    finally:
        server.stop()
    assert stat.S_IMODE((tmp_path / "mongo").stat().st_mode) == 0o700
    files = [p for p in (tmp_path / "mongo").rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in files), [
        (p.name, oct(p.stat().st_mode)) for p in files
    ]


def test_a_clock_jump_never_deletes_the_kept_logs(tmp_path: Path) -> None:
    handler = DailyFileHandler(tmp_path, retention_days=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    for day in range(5):
        handler.emit(record_at(start + timedelta(days=day), f"day {day}"))
    # The clock jumps a year ahead: one new file, and only the oldest gives way to it.
    handler.emit(record_at(start + timedelta(days=365), "a year later?"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"bot_2026-11-0{d}.log" for d in range(2, 6)] + ["bot_2027-11-01.log"]
    # And back to a date long past: the file being written is never deleted, nor the others.
    handler.emit(record_at(start - timedelta(days=400), "back in time"))
    handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "bot_2025-09-27.log" in names and (tmp_path / "bot_2025-09-27.log").read_text() == "back in time\n"
    assert len(names) == 5 and "bot_2027-11-01.log" in names
