"""What the fault drills share: waiting for the bot to go quiet, recording what Telegram
refused, reading the bot's log files, and running main.py as a real process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from app.utils.debounce import Debouncer
from tests.support.fake_telegram import FakeTelegram, TelegramAPIError
from tests.support.fake_telegram.state import ApiRequest
from tests.support.harness import BotHarness

REPO_ROOT = Path(__file__).resolve().parents[2]

# Refusals the bot itself treats as harmless (see /work/shared/TELEGRAM.md, "Errors worth handling").
HARMLESS_REFUSALS = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "query is too old",
)

# What an unhandled (or last-line-of-defence) failure leaves in the bot's log.
FAILURE_MARKERS = (
    "Error while handling",
    "Traceback (most recent call last)",
    "Cause exception while process update",
    "Delayed reply failed",
    "Task exception was never retrieved",
)


# --- what Telegram refused ------------------------------------------------------------------

ApiMethod = Callable[[ApiRequest], Awaitable[Any]]


@dataclass
class Refusal:
    method: str
    code: int
    description: str
    params: dict[str, Any]

    @property
    def harmless(self) -> bool:
        return self.code == 400 and any(marker in self.description for marker in HARMLESS_REFUSALS)

    def __str__(self) -> str:
        shown = {k: (v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v) for k, v in self.params.items()}
        return f"{self.method} → {self.code} {self.description} {shown}"


class RefusalRecorder:
    """Wraps the fake's Bot API methods to keep the description of every error it answers.

    `fake.calls` only keeps the status code; the description tells "message is not
    modified" (harmless) from "message is too long" (a bot bug). Injected faults
    (fail_next, inject_429) never reach the methods, so they are not recorded.
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self.refusals: list[Refusal] = []
        for name, method in list(fake.handlers.items()):
            fake.handlers[name] = self._wrap(name, method)

    def _wrap(self, name: str, method: ApiMethod) -> ApiMethod:
        async def wrapped(request: ApiRequest) -> Any:
            try:
                return await method(request)
            except TelegramAPIError as error:
                self.refusals.append(Refusal(name, error.error_code, error.description, dict(request.params)))
                raise

        return wrapped

    def harmful_since(self, index: int) -> list[Refusal]:
        return [r for r in self.refusals[index:] if not r.harmless and r.method != "getUpdates"]


# --- waiting for the in-process bot to finish ----------------------------------------------


class Quiet:
    """Knows when the in-process bot has finished everything the tests gave it.

    Busy while: an update is not yet confirmed by the poller, a handler task runs,
    a debounced album reply is scheduled or running, or a Bot API request is in flight.
    """

    def __init__(self, bot: BotHarness, album_delay: float | None = 0.2) -> None:
        assert bot.app is not None and bot.app.dispatcher is not None, "start the bot first"
        self.fake = bot.fake
        self.dispatcher = bot.app.dispatcher
        self.debouncer = bot.workflow("album_replies", Debouncer)
        if album_delay is not None:
            # The fake delivers an album's items at once; a short quiet period is enough
            # and keeps the drills fast.
            self.debouncer.delay = album_delay
        self.in_flight = 0
        feed_update = self.dispatcher.feed_update

        # Counts updates being handled around the dispatcher's public entry point, which
        # polling calls for every update (from before the first middleware to the last reply).
        async def counted(bot: Bot, update: Update, **kwargs: Any) -> Any:
            self.in_flight += 1
            try:
                return await feed_update(bot, update, **kwargs)
            finally:
                self.in_flight -= 1

        self.dispatcher.feed_update = counted  # type: ignore[method-assign]

    def busy(self) -> bool:
        if self.fake.pending_updates:
            return True
        if self.in_flight or self.debouncer.busy:
            return True
        return any(c.outcome == "pending" and c.method != "getUpdates" for c in self.fake.calls[-50:])

    async def settle(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        idle_checks = 0
        while idle_checks < 3:
            if self.busy():
                idle_checks = 0
            else:
                idle_checks += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not go quiet within {timeout}s")
            await asyncio.sleep(0.005)


# --- log files ------------------------------------------------------------------------------


class LogTail:
    """Reads only what the bot appended to its log files since the last read."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.offsets: dict[Path, int] = {}
        self.read_new()

    def read_new(self) -> str:
        chunks = []
        for path in sorted(self.directory.glob("*.log")):
            data = path.read_bytes()
            start = self.offsets.get(path, 0)
            self.offsets[path] = len(data)
            chunks.append(data[start:].decode("utf-8", "replace"))
        return "".join(chunks)


def failures_in(log_text: str) -> list[str]:
    """Lines of a log that show a failure: an ERROR/CRITICAL record or a traceback."""
    lines = log_text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if any(marker in line for marker in FAILURE_MARKERS) or re.search(r"\s(ERROR|CRITICAL)\s", line):
            found.append("\n".join(lines[index : index + 12]))
    return found


LEVEL_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s")


def records_at_info_or_above(log_text: str) -> list[str]:
    """Log records (continuation lines such as tracebacks included) at INFO level or above."""
    records: list[list[str]] = []
    keep = True  # lines before the first formatted record (foreign output): checked too
    for line in log_text.splitlines():
        match = LEVEL_LINE.match(line)
        if match:
            keep = match.group(1) != "DEBUG"
            records.append([line] if keep else [])
        elif keep:
            if not records:
                records.append([])
            records[-1].append(line)
    return ["\n".join(r) for r in records if r]


# Full phone numbers: E.164 ("+380501234567", "+48221234567"), Ukrainian "380501234567" / "0501234567".
PHONE_PATTERN = re.compile(r"(?<![\w+])(?:\+\d{10,15}|380\d{9}|0\d{9})(?![\w])")


# --- main.py as a real process --------------------------------------------------------------


@dataclass
class BotProcess:
    """`python main.py` in its own process, talking to a FakeTelegram in this event loop."""

    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    outputs: list[Path] = field(default_factory=list)

    def start(self) -> None:
        self.starts += 1
        output = self.workdir / f"process-{self.starts}.out"
        self.outputs.append(output)
        with output.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "main.py"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.outputs[-1].read_text(errors="replace") if self.outputs else ""

    async def wait_until_polling(self, fake: FakeTelegram, since: int, timeout: float = 40.0) -> float:
        """Wait for this process's first getMe and getUpdates after call index `since`; seconds taken."""
        assert self.process is not None
        started = time.monotonic()
        deadline = started + timeout
        while True:
            methods = [c.method for c in fake.calls[since:]]
            if "getMe" in methods and "getUpdates" in methods[methods.index("getMe") :]:
                return time.monotonic() - started
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start polling within {timeout}s:\n{self.output()[-3000:]}")
            await asyncio.sleep(0.05)

    async def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return await asyncio.to_thread(self.process.wait, timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.process is not None
        os.kill(self.process.pid, sig)

    async def ensure_stopped(self) -> None:
        """Cleanup: SIGTERM, then SIGKILL, only the process this object started."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)  # in case a drill froze it with SIGSTOP
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 10)


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    """Running (non-zombie) processes whose command line contains `text`: (pid, command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if text in cmdline and "\nState:\tZ" not in status:
            found.append((int(entry.name), cmdline.strip()))
    return found


def base_env(**values: str) -> dict[str, str]:
    """Only what the bot needs: no inherited MONGODB_URI, no .env surprises for keys we care about."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(values)
    return env
