from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings
from tests.support.mongo import TestMongoServer, mongo_server


@pytest.fixture(scope="session")
def mongo() -> Iterator[tuple[str, TestMongoServer | None]]:
    with mongo_server() as server:
        yield server


@pytest.fixture
def mongo_uri(mongo: tuple[str, TestMongoServer | None]) -> str:
    return mongo[0]


@pytest.fixture
def db_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(token="123456:TEST-token-abcdef")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    """Override in a test module to run the bot with other settings."""
    return {}


@pytest.fixture
async def bot(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, bot_settings_overrides: dict[str, object]
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(fake, make_settings(fake, mongo_uri, db_name, tmp_path, **bot_settings_overrides))
    await harness.start()
    yield harness
    await harness.close()
