"""The process's single AsyncMongoClient."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from app import __version__


def create_client(uri: str, timeout_seconds: float) -> AsyncMongoClient[dict[str, Any]]:
    """Every wait is bounded by MONGODB_TIMEOUT_SECONDS: finding the server, connecting, and a
    reply on an open connection (a server stopped but not dead — SIGSTOP, a frozen VM — keeps
    its connections open and answers nothing: without socketTimeoutMS a user would wait forever).
    Long operations (backup, restore) widen it for themselves with `pymongo.timeout`."""
    timeout_ms = int(timeout_seconds * 1000)
    return AsyncMongoClient(
        uri,
        tz_aware=True,  # every datetime read back is UTC-aware, like the ones we write
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
        waitQueueTimeoutMS=timeout_ms,
        appname=f"techsupport-bot/{__version__}",
    )
