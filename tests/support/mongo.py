"""The test MongoDB server: nx-27017 on a free loopback port, or MONGODB_URI when set."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.db.embedded import EmbeddedMongo


class TestMongoServer:
    """A server the tests can also stop and start again (for outage drills)."""

    def __init__(self, data_dir: Path) -> None:
        self.embedded = EmbeddedMongo(data_dir)

    @property
    def uri(self) -> str:
        return self.embedded.uri

    def start(self) -> None:
        self.embedded.start()

    def stop(self) -> None:
        self.embedded.stop()


@contextmanager
def mongo_server() -> Iterator[tuple[str, TestMongoServer | None]]:
    """Yields (uri, controllable server or None when an external MONGODB_URI is used)."""
    external = os.environ.get("MONGODB_URI")
    if external:
        yield external, None
        return
    with tempfile.TemporaryDirectory(prefix="techsupport-mongo-") as directory:
        server = TestMongoServer(Path(directory))
        server.start()
        try:
            yield server.uri, server
        finally:
            server.stop()
