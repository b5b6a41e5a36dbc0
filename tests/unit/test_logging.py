from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.utils.logging_setup import DailyFileHandler, RedactingFormatter


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
