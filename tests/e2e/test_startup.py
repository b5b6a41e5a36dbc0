"""Start-up failures the operator meets: one clear line (stderr and the log file), exit code 2, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.db.embedded import free_port
from tests.e2e.test_cli import Run, main_py
from tests.support.fake_telegram import FakeTelegram


@pytest.fixture
def env(tmp_path: Path, mongo_uri: str, db_name: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV")}
    return keep | {
        "WORK_DIR": str(tmp_path),
        "BOT_TOKEN": "123456:TEST-token-abcdef",
        "SUPERADMIN_ID": "900000001",
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "MONGODB_TIMEOUT_SECONDS": "1",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "LOG_DIR": str(tmp_path / "logs"),
        "DATA_DIR": str(tmp_path / "data"),
    }


def one_error_line(run: Run, starts: str) -> str:
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    errors = [line for line in run.err.splitlines() if "ERROR" in line or line.startswith("Configuration error")]
    assert len(errors) == 1, run.err
    assert starts in errors[0], errors[0]
    return errors[0]


def logged(env: dict[str, str], line: str) -> None:
    text = "".join(p.read_text() for p in Path(env["LOG_DIR"]).glob("bot_*.log"))
    assert line.split("ERROR", 1)[-1].strip() in text


async def test_telegram_unreachable(env: dict[str, str]) -> None:
    env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{free_port()}"
    line = one_error_line(await main_py(env), "Cannot start: the Telegram Bot API is unreachable")
    logged(env, line)


async def test_token_rejected(env: dict[str, str], fake: FakeTelegram) -> None:
    env["TELEGRAM_API_URL"] = fake.base_url
    env["BOT_TOKEN"] = "123456:WRONG-token"
    line = one_error_line(await main_py(env), "Cannot start: Telegram rejected BOT_TOKEN")
    assert "WRONG-token" not in line
    logged(env, line)


async def test_database_unreachable(env: dict[str, str], fake: FakeTelegram) -> None:
    env["TELEGRAM_API_URL"] = fake.base_url
    env["MONGODB_URI"] = f"mongodb://127.0.0.1:{free_port()}/"
    line = one_error_line(await main_py(env), "Cannot start: MongoDB is unreachable")
    assert "MONGODB_URI" in line
    logged(env, line)


@pytest.mark.parametrize(
    "key, value",
    [
        ("MONGODB_URI", "mongodb://db.example:99999/"),
        ("MONGODB_URI", "mongodb://user:p@ss@db.example/"),
        ("LOG_DIR", "a-file"),
        ("BACKUP_DIR", "a-file"),
        ("DATA_DIR", "a-file"),
    ],
)
async def test_malformed_uri_or_a_folder_that_is_a_file(env: dict[str, str], key: str, value: str) -> None:
    if value == "a-file":
        (Path(env["WORK_DIR"]) / "a-file").write_text("not a folder")
        value = str(Path(env["WORK_DIR"]) / "a-file")
    env[key] = value
    run = await main_py(env)
    one_error_line(run, f"Configuration error: {key} is malformed")
    assert len(run.err.strip().splitlines()) == 1
