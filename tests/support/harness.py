"""Starts the real bot (BotApp, the path main.py takes) against the fake Bot API and the test DB."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.runtime import BotApp
from app.utils.logging_setup import setup_logging
from config import Settings, load_settings
from tests.support.fake_telegram import FakeTelegram

T = TypeVar("T")

SUPERADMIN_ID = 900_000_001
START_TIMEOUT = 15.0


def make_settings(fake: FakeTelegram, mongo_uri: str, db_name: str, tmp: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "BOT_TOKEN": fake.token,
        "SUPERADMIN_ID": SUPERADMIN_ID,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "TELEGRAM_API_URL": fake.base_url,
        "LOG_DIR": str(tmp / "logs"),
        "DATA_DIR": str(tmp / "data"),
        "BACKUP_DIR": str(tmp / "backups"),  # never the project's backups/
        "EXPORT_DIR": str(tmp / "exports"),
        "MONGODB_TIMEOUT_SECONDS": 3,
        # Tests never depend on the hour they run at: support is always at work unless a test says
        # otherwise (tests/e2e/test_sla.py).
        "WORK_HOURS": "always",
    }
    values.update(extra)
    return load_settings(_env_file=None, **values)


class BotHarness:
    """The bot under test; can be stopped and started again on the same database."""

    def __init__(self, fake: FakeTelegram, settings: Settings) -> None:
        self.fake = fake
        self.settings = settings
        assert settings.mongodb_uri is not None
        self.uri = settings.mongodb_uri.get_secret_value()
        self.app: BotApp | None = None
        # Extra BotApp keywords (clock, backup_startup_delay). The SLA watch would remind staff of
        # the old tickets many tests seed a minute in: it runs when a test calls it.
        self.app_options: dict[str, Any] = {"sla_check_seconds": 86400.0}
        self.task: asyncio.Task[None] | None = None
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.uri, tz_aware=True)
        self.superadmin = fake.user(SUPERADMIN_ID, first_name="Olena", username="olena_it", language_code="uk")

    @property
    def db(self) -> AsyncDatabase[dict[str, Any]]:
        return self.client[self.settings.mongodb_db]

    def workflow(self, name: str, kind: type[T]) -> T:
        """What the running dispatcher hands its handlers under `name` (e.g. "repos"), checked to be a `kind`."""
        assert self.app is not None and self.app.dispatcher is not None, "the bot is not running"
        value = self.app.dispatcher[name]
        assert isinstance(value, kind), f"{name} is a {type(value).__name__}, not a {kind.__name__}"
        return value

    async def start(self) -> None:
        # As main.py does, so the tests read the same log files an operator would.
        setup_logging(
            self.settings.log_dir,
            self.settings.log_level,
            self.settings.log_retention_days,
            [self.settings.bot_token.get_secret_value()],
        )
        self.app = BotApp(self.settings, self.uri, **self.app_options)
        self.task = asyncio.create_task(self.app.run(handle_signals=False))
        started = asyncio.create_task(self.app.started.wait())
        done, _ = await asyncio.wait({started, self.task}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if started not in done:
            started.cancel()
            if self.task in done:
                self.task.result()  # re-raise what stopped the bot
            raise TimeoutError("the bot did not start")

    async def stop(self) -> None:
        if self.app is None or self.task is None:
            return
        if not self.task.done():
            await self.app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=15)
        self.app = None
        self.task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def close(self) -> None:
        await self.stop()
        await self.client.drop_database(self.settings.mongodb_db)
        await self.client.close()
