from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.models.backups import next_backup_at
from config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = load_settings(_env_file=None, BOT_TOKEN="123:abc", SUPERADMIN_ID="42")
    assert settings.mongodb_uri is None and settings.mongodb_db == "techsupport"
    assert settings.default_language == "uk" and settings.server_room_cooldown_seconds == 300
    assert settings.log_retention_days == 30 and settings.telegram_api_url is None
    assert settings.instance_lease_seconds == 30
    assert "abc" not in repr(settings)  # the token is a secret
    assert settings.timezone == "Europe/Kyiv" and str(settings.zone) == "Europe/Kyiv"
    assert settings.waiting_remind_hours == 24 and settings.waiting_autoclose_days == 5


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"SUPERADMIN_ID": "42"}, "BOT_TOKEN is missing"),
        ({"BOT_TOKEN": "123:abc"}, "SUPERADMIN_ID is missing"),
        ({"BOT_TOKEN": "nonsense", "SUPERADMIN_ID": "42"}, "BOT_TOKEN is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "-5"}, "SUPERADMIN_ID is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "x"}, "SUPERADMIN_ID is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "MONGODB_URI": "postgres://x"}, "MONGODB_URI is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL is malformed"),
        (
            {"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "INSTANCE_LEASE_SECONDS": "1"},
            "INSTANCE_LEASE_SECONDS is malformed",
        ),
        (
            {"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "TELEGRAM_API_URL": "not a url"},
            "TELEGRAM_API_URL is malformed",
        ),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "TIMEZONE": "Mars/Olympus_Mons"}, "TIMEZONE is malformed"),
        ({"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "TIMEZONE": "../etc/passwd"}, "TIMEZONE is malformed"),
        (
            {"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "WAITING_REMIND_HOURS": "0"},
            "WAITING_REMIND_HOURS is malformed",
        ),
        (
            {"BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "WAITING_REMIND_HOURS": "48", "WAITING_AUTOCLOSE_DAYS": "2"},
            "WAITING_AUTOCLOSE_DAYS is malformed",
        ),
    ],
)
def test_bad_values_name_the_key(overrides: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **overrides)
    assert str(error.value).startswith(f"Configuration error: {expected}; expected ")


def test_main_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SUPERADMIN_ID": "12x"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: BOT_TOKEN is missing")
    assert "Traceback" not in result.stderr


def test_an_unknown_time_zone_stops_main_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BOT_TOKEN": "123:abc", "SUPERADMIN_ID": "1", "TIMEZONE": "Europe/Atlantis"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: TIMEZONE is malformed; expected an IANA")


def test_empty_value_from_a_fresh_env_file_counts_as_missing() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, BOT_TOKEN="", SUPERADMIN_ID="1")
    assert str(error.value).startswith("Configuration error: BOT_TOKEN is missing")


def test_a_weekly_backup_keeps_its_local_hour_across_a_clock_change() -> None:
    kyiv = ZoneInfo("Europe/Kyiv")
    last = datetime(2026, 3, 25, 10, 0, tzinfo=kyiv).astimezone(UTC)  # winter time, UTC+2
    due = next_backup_at(last, 7, kyiv)
    assert due.astimezone(kyiv).hour == 10 and due.utcoffset() == timedelta(0)  # summer time, UTC+3
    assert due - last == timedelta(days=7, hours=-1)
