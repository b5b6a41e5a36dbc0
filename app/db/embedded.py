"""The embedded database: an nx-27017 child process for running without a MongoDB server."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 15.0


class EmbeddedDatabaseError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _command() -> list[str]:
    """nx-27017 through our entry point (see app/db/nx_server.py for why not the bare script)."""
    if importlib.util.find_spec("nx_27017") is None:
        raise EmbeddedDatabaseError(
            "nx-27017 is not installed; run `pip install -r requirements.txt` or set MONGODB_URI"
        )
    return [sys.executable, "-m", "app.db.nx_server"]


class EmbeddedMongo:
    """Starts `nx-27017 --data-dir DIR` on a free loopback port and stops it on exit."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self) -> None:
        # The database holds people's names and phone numbers: the bot user's only.
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        for path in self.data_dir.iterdir():
            if path.is_file():
                os.chmod(path, 0o600)
        log_path = self.data_dir / "nx-27017.log"
        command = [
            *_command(),
            "--data-dir",
            str(self.data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-file",
            str(log_path),
            "--pid-file",
            str(self.data_dir / "nx-27017.pid"),
        ]
        logger.info("Starting embedded database on 127.0.0.1:%s (%s)", self.port, self.data_dir)
        # Own process group: a Ctrl+C in the terminal reaches the bot, which then stops
        # the database in order instead of both dying at once.
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,  # every file the server creates (SQLite, journal, log) is 0600
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )
        self._wait_until_accepting()

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise EmbeddedDatabaseError(
                    f"the embedded database exited with code {self.process.returncode}; "
                    f"see {self.data_dir / 'nx-27017.log'}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise EmbeddedDatabaseError(
            f"the embedded database did not accept connections within {START_TIMEOUT_SECONDS:.0f} s"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        logger.info("Embedded database stopped")

    @property
    def died(self) -> bool:
        """Started by us and no longer running."""
        return self.process is not None and self.process.poll() is not None

    async def astart(self) -> None:
        await asyncio.to_thread(self.start)

    async def revive(self) -> bool:
        """Start it again (same port and data) if it died; True if it had to be."""
        process = self.process
        if process is None or process.poll() is None:
            return False
        logger.error("The embedded database exited with code %s; starting it again", process.returncode)
        await self.astart()
        return True

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)
