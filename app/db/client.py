"""The process's single AsyncMongoClient."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from app import __version__


def create_client(uri: str, timeout_seconds: float) -> AsyncMongoClient[dict[str, Any]]:
    timeout_ms = int(timeout_seconds * 1000)
    return AsyncMongoClient(
        uri,
        tz_aware=True,  # every datetime read back is UTC-aware, like the ones we write
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        appname=f"techsupport-bot/{__version__}",
    )
