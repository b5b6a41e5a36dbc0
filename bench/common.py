"""Shared pieces of the benchmarks: results, the database server, the client, command counting.

Every benchmark module in this package exposes

    async def run(quick: bool, ctx: BenchContext) -> list[Result]

and `bench/run.py` calls whichever modules exist. A `Result` is one entry of
`bench/results/latest.json` (merged per `key`) and a block of rows in the printed table.
Figures are only compared with a baseline measured in the same run.
"""

from __future__ import annotations

import math
import os
import resource
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from app import __version__
from app.db.client import create_client
from app.db.embedded import EmbeddedMongo
from config import Settings, load_settings

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BENCH_TOKEN = "123456789:BENCH-not-a-real-token"
BENCH_SUPERADMIN_ID = 900_000_001
DB_TIMEOUT_SECONDS = 5.0


@dataclass(slots=True)
class Metric:
    """One printed row. `baseline` is the same figure for the baseline of the same run."""

    name: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target, or not judged on this server
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


@dataclass(slots=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(slots=True)
class Result:
    """One benchmark's outcome: `key` is its entry in latest.json."""

    key: str
    title: str
    metrics: list[Metric]
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # printed after the metrics

    def to_json(self) -> dict[str, Any]:
        metrics = []
        for metric in self.metrics:
            row = asdict(metric)
            row["ratio"] = metric.ratio
            metrics.append(row)
        return {
            "title": self.title,
            "metrics": metrics,
            "notes": self.notes,
            "tables": [{"title": t.title, "headers": t.headers, "rows": t.rows} for t in self.tables],
            "details": self.details,
        }


# ---------------------------------------------------------------------------------------------
# Statistics and process figures


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); `p` in 0..100."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, all benchmarks of the run included (Linux: kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident set size now (VmRSS); 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_peak_rss_mb(pid: int) -> float | None:
    """Peak RSS of another running process (the database server), from /proc; None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Counting database round trips


class CommandCounter(CommandListener):
    """Counts every command the client sends (one command = one network round trip).

    `mark()` / `since(mark)` give the commands between two points; the benchmarks feed
    updates one after another, so that is exactly one update's share.

    With `classify` and `classifying` on, each command is also put down in `classified` as
    (part, "command collection"), the part being what `classify` makes of it — called while the
    command is being sent, so in the task that sends it, whose stack says who sent it.
    """

    def __init__(self, classify: Callable[[CommandStartedEvent], str] | None = None) -> None:
        self.classify = classify
        self.classifying = False
        self.classified: list[tuple[str, str]] = []
        self.started_count = 0
        self.by_name: Counter[str] = Counter()
        self.by_target: Counter[str] = Counter()  # "findAndModify users"
        self.us_by_target: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.duration_us = 0
        self._targets: dict[int, str] = {}

    def started(self, event: CommandStartedEvent) -> None:
        self.started_count += 1
        self.by_name[event.command_name] += 1
        collection = event.command.get(event.command_name)
        target = f"{event.command_name} {collection}" if isinstance(collection, str) else event.command_name
        self.by_target[target] += 1
        self._targets[event.request_id] = target
        if self.classifying and self.classify is not None:
            self.classified.append((self.classify(event), target))

    def succeeded(self, event: CommandSucceededEvent) -> None:
        self.duration_us += event.duration_micros
        self.us_by_target[self._targets.pop(event.request_id, event.command_name)] += event.duration_micros

    def failed(self, event: CommandFailedEvent) -> None:
        self.duration_us += event.duration_micros
        self.us_by_target[self._targets.pop(event.request_id, event.command_name)] += event.duration_micros
        self.failures[f"{event.command_name}: {event.failure.get('codeName', event.failure.get('code'))}"] += 1

    def mark(self) -> tuple[int, int]:
        return self.started_count, self.duration_us

    def since(self, mark: tuple[int, int]) -> tuple[int, int]:
        """(commands, microseconds spent in them) since `mark`."""
        return self.started_count - mark[0], self.duration_us - mark[1]


def bench_client(
    uri: str, listeners: Sequence[CommandListener] = (), timeout_seconds: float = DB_TIMEOUT_SECONDS
) -> AsyncMongoClient[dict[str, Any]]:
    """The client the bot builds (app/db/client.py `create_client`), plus command listeners.

    `create_client` takes no listeners, so its options are repeated here; `check_client_options`
    fails the run if the two ever drift apart.
    """
    timeout_ms = int(timeout_seconds * 1000)
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
        waitQueueTimeoutMS=timeout_ms,
        appname=f"techsupport-bot/{__version__}",
        event_listeners=list(listeners),
    )


async def check_client_options(uri: str) -> None:
    ours = bench_client(uri)
    app = create_client(uri, DB_TIMEOUT_SECONDS)
    try:
        pairs = {
            "codec_options": (ours.codec_options, app.codec_options),
            "server_selection_timeout": (
                ours.options.server_selection_timeout,
                app.options.server_selection_timeout,
            ),
            "connect_timeout": (ours.options.pool_options.connect_timeout, app.options.pool_options.connect_timeout),
            "socket_timeout": (ours.options.pool_options.socket_timeout, app.options.pool_options.socket_timeout),
            "wait_queue_timeout": (
                ours.options.pool_options.wait_queue_timeout,
                app.options.pool_options.wait_queue_timeout,
            ),
            "max_pool_size": (ours.options.pool_options.max_pool_size, app.options.pool_options.max_pool_size),
            "appname": (
                ours.options.pool_options.metadata.get("application"),
                app.options.pool_options.metadata.get("application"),
            ),
        }
    finally:
        await ours.close()
        await app.close()
    drift = [name for name, (a, b) in pairs.items() if a != b]
    if drift:
        raise RuntimeError(f"bench_client no longer matches app/db/client.py create_client: {', '.join(drift)}")


# ---------------------------------------------------------------------------------------------
# The run's context: which database server, scratch space, settings


@dataclass(slots=True)
class BenchContext:
    uri: str
    server: str  # what we measured against, printed with every table
    external: bool  # True: MONGODB_URI (real MongoDB or whatever it points to)
    scratch: Path
    server_pid: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # CLI options (e.g. queue_size)

    def database_name(self, prefix: str) -> str:
        return f"bench_{prefix}_{uuid.uuid4().hex[:8]}"

    def settings(self, db_name: str, **extra: Any) -> Settings:
        values: dict[str, Any] = {
            "BOT_TOKEN": BENCH_TOKEN,
            "SUPERADMIN_ID": BENCH_SUPERADMIN_ID,
            "MONGODB_URI": self.uri,
            "MONGODB_DB": db_name,
            "MONGODB_TIMEOUT_SECONDS": DB_TIMEOUT_SECONDS,
            "LOG_DIR": str(self.scratch / "logs"),
            "DATA_DIR": str(self.scratch / "data"),
            "BACKUP_DIR": str(self.scratch / "backups"),
        }
        values.update(extra)
        return load_settings(_env_file=None, **values)

    def log(self, message: str) -> None:
        """Progress while a benchmark runs (the tables come at the end)."""
        print(f"    {message}", flush=True)

    def server_peak_rss_mb(self) -> float | None:
        return process_peak_rss_mb(self.server_pid) if self.server_pid else None


async def server_description(uri: str) -> str:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        info = await client.admin.command("buildInfo")
        return str(info.get("version", "?"))
    finally:
        await client.close()


@asynccontextmanager
async def bench_context(options: dict[str, Any] | None = None) -> AsyncIterator[BenchContext]:
    """nx-27017 on a free port in a temporary directory, or the server MONGODB_URI points to."""
    external = os.environ.get("MONGODB_URI", "").strip()
    with tempfile.TemporaryDirectory(prefix="techsupport-bench-") as directory:
        scratch = Path(directory)
        if external:
            version = await server_description(external)
            yield BenchContext(external, f"MongoDB {version} (MONGODB_URI)", True, scratch, None, options or {})
            return
        server = EmbeddedMongo(scratch / "mongo")
        started = time.perf_counter()
        await server.astart()
        mode = "as app/db/nx_server.py starts it: Python path for updates, SQLite indexes for queries"
        try:
            version = await server_description(server.uri)
            label = (
                f"nx-27017 {metadata.version('nx-27017')} (embedded, SQLite; {mode}; "
                f"answers buildInfo as {version}; started in {time.perf_counter() - started:.1f} s)"
            )
            pid = server.process.pid if server.process else None
            yield BenchContext(server.uri, label, False, scratch, pid, options or {})
        finally:
            await server.astop()
