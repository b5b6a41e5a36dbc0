"""Backup and restore of a large database through the app's BackupService, against raw PyMongo.

    python -m bench.backup [--quick] [--tickets N] [--users N] [--budget SECONDS] [--profile]
    python -m bench.run --only backup [--quick]

What is measured
  N tickets and M users (1,000,000 / 100,000; --quick 20,000 / 2,000) shaped like a help
  desk after some years (bench/seed.py, built with the app's models), in a database that
  has the app's indexes (`Repositories.ensure_indexes`, as the bot creates them at start-up).
  * backup  = `BackupService.create(BackupKind.MANUAL, by="cli")`, what `python main.py
    backup` (app/cli.py) runs: every collection streamed into the ZIP (Extended JSON,
    SHA-256, deflate), the metadata, fsync, rename, retention, the schedule record, audit.
  * restore = `BackupService.restore(path, by="cli")`, what `python main.py restore PATH
    --yes` runs: full validation of the archive, a safety backup of the target database,
    then every collection deleted and loaded again in batches. The target is a fresh
    database with the app's indexes (a restore onto a new server), so the safety backup
    and the deletes are of empty collections and the figure is comparable to the insert
    baseline; restoring over a live copy of the same data would add one backup (the safety
    copy) and the deletes to it.
  Both run in a fresh child process (bench/_backup_child.py) that holds only the app's side;
  the kernel's peak-RSS mark is reset right before each (/proc/self/clear_refs), so the
  figure is that operation's own peak growth. The database server's peak is reset the same
  way and reported for information.

Baselines (same run, same server, same documents)
  * raw scan:   `async for doc in collection.find({})` over the same collections with the
    client the app builds, once with PyMongo's default batch sizes and once in batches of 500
    (the backup's); the faster is the baseline. Backup target ≥ 50 % of its rate.
  * raw insert: `insert_many` of the same documents in batches of 10,000 into a database
    with the same indexes — this is how the benchmark seeds the database, timed around the
    `insert_many` calls only; restore target ≥ 50 % of its rate.
  Memory target: peak RSS growth < 100 MB at the full size (each of backup and restore).

Size
  nx-27017 inserts are slow. A calibration in a scratch database (a small batch) measures
  the insert, scan, backup and restore rates first and prints an estimate for the requested
  size; when that would exceed the time budget (--budget, default 600 s; --quick 20 s), the
  largest size that fits is run instead, and the output and JSON say so.

Where the time goes
  The child times `BackupService.validate`, the safety backup, `load_collections`,
  `ArchiveWriter.write_documents` (Extended JSON + SHA-256 + deflate, in a worker thread) and
  `_Reader.next_batch` (inflate + parse, in a worker thread) with wrappers, and the client's
  wait per command kind with a PyMongo command listener. The calibration also measures, on
  its small sample, raw inserts in the restore's batches (500, ordered) and a raw scan in the
  backup's batches (500), to separate the batch size from everything else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from app.db.repositories import Repositories
from app.models.backups import BackupKind
from app.models.users import Person
from app.services.backups.service import BackupService
from bench.children import run_child
from bench.common import (
    BENCH_SUPERADMIN_ID,
    BENCH_TOKEN,
    BenchContext,
    Metric,
    Result,
    Table,
    bench_client,
)
from bench.seed import TICKETS_PER_USER, SeedPlan, ticket_docs, user_docs

KEY = "backup"
ORDER = 40  # position in bench/run.py's table
FULL_TICKETS, FULL_USERS = 1_000_000, 100_000
QUICK_TICKETS, QUICK_USERS = 20_000, 2_000
FULL_BUDGET_S, QUICK_BUDGET_S = 600.0, 20.0  # quick: bench/broadcast.py --quick needs ~15 s of the 40
CALIBRATION_TICKETS = {True: 1_000, False: 5_000}
SIZE_STEPS = [1_000_000, 500_000, 200_000, 100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000]
INSERT_BATCH = 10_000  # raw baseline
APP_BATCH = 500  # app/services/backups/service.py BATCH_SIZE: find batch size and insert_many batch of a restore
ESTIMATE_MARGIN = 1.25  # calibration is on a small collection; bigger ones are a little slower
CHILD_OVERHEAD_S = 3.0
TARGET_SHARE = 0.5
TARGET_RSS_MB = 100.0
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # fixed: the same documents every run
ADMINS = [Person(700_000_001 + i, f"Admin {i}") for i in range(6)]
COLLECTIONS = ("tickets", "users")


# ---------------------------------------------------------------------------------------------
# Documents


def users_for(count: int) -> Iterator[dict[str, Any]]:
    """`count` users shaped by bench/seed.py (its plans derive users from tickets: 8 per user)."""
    return user_docs(SeedPlan(tickets=count * TICKETS_PER_USER), NOW)


def documents(collection: str, tickets: int, users: int) -> Iterator[dict[str, Any]]:
    if collection == "tickets":
        return ticket_docs(SeedPlan(tickets=tickets), NOW, ADMINS)
    return users_for(users)


def chunks(docs: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def raw_insert(
    client: AsyncMongoClient[dict[str, Any]],
    db_name: str,
    tickets: int,
    users: int,
    batch: int = INSERT_BATCH,
    ordered: bool = True,
    ctx: BenchContext | None = None,
) -> tuple[float, float, int, float]:
    """Seeds `db_name` (app indexes first); returns (seconds inside insert_many, seconds generating, docs,
    this process's CPU seconds inside insert_many)."""
    await Repositories.create(client[db_name]).ensure_indexes()
    inserting = generating = cpu = 0.0
    total = tickets + users
    done = 0
    report_every = max(100_000, total // 5)
    next_report = report_every
    for name in COLLECTIONS:
        collection = client[db_name][name]
        began = time.perf_counter()
        for docs in chunks(documents(name, tickets, users), batch):
            generated, cpu0 = time.perf_counter(), time.process_time()
            generating += generated - began
            await collection.insert_many(docs, ordered=ordered)
            began = time.perf_counter()
            inserting += began - generated
            cpu += time.process_time() - cpu0
            done += len(docs)
            if ctx is not None and done >= next_report:
                next_report += report_every
                ctx.log(f"inserted {done:,} of {total:,} ({done / inserting:,.0f} docs/s)")
    return inserting, generating, done, cpu


async def raw_scan(
    client: AsyncMongoClient[dict[str, Any]], db_name: str, batch_size: int = 0
) -> tuple[float, int, float]:
    """Every document of the benchmark's collections through a plain cursor; (seconds, docs, CPU seconds)."""
    began, cpu0 = time.perf_counter(), time.process_time()
    count = 0
    for name in COLLECTIONS:
        async for _doc in client[db_name][name].find({}, batch_size=batch_size):
            count += 1
    return time.perf_counter() - began, count, time.process_time() - cpu0


# ---------------------------------------------------------------------------------------------
# Calibration and size


@dataclass(slots=True)
class Calibration:
    docs: int
    insert_rate: float  # raw, batches of 10,000
    insert_rate_app_batch: float  # raw, batches of 500, ordered (what a restore sends)
    scan_rate: float  # raw, default batches
    scan_rate_app_batch: float  # raw, batch_size=500 (what a backup asks for)
    backup_rate: float
    restore_rate: float
    seconds: float

    def estimate(self, docs: int) -> float:
        # seed (raw insert), two raw scans, backup, restore, and two verification scans
        per_doc = 1 / self.insert_rate + 4 / self.scan_rate + 1 / self.backup_rate + 1 / self.restore_rate
        return docs * per_doc * ESTIMATE_MARGIN + 2 * CHILD_OVERHEAD_S


async def calibrate(ctx: BenchContext, client: AsyncMongoClient[dict[str, Any]], quick: bool) -> Calibration:
    """The four rates on a small sample, in scratch databases (the app's backup/restore in-process)."""
    tickets = CALIBRATION_TICKETS[quick]
    users = max(1, tickets // 10)
    names = [ctx.database_name("backup_cal") for _ in range(3)]
    directory = ctx.scratch / "calibration_backups"
    began = time.perf_counter()
    try:
        inserting, _, docs, _ = await raw_insert(client, names[0], tickets, users)
        inserting_500, _, _, _ = await raw_insert(client, names[1], tickets, users, batch=APP_BATCH, ordered=True)
        await raw_scan(client, names[0])  # warm-up
        scanning, _, _ = await raw_scan(client, names[0])
        scanning_500, _, _ = await raw_scan(client, names[0], batch_size=APP_BATCH)
        settings = ctx.settings(names[0], BACKUP_DIR=str(directory))
        service = BackupService(client[names[0]], settings)
        started = time.perf_counter()
        backup = await service.create(BackupKind.MANUAL, by="cli")
        backing_up = time.perf_counter() - started
        await Repositories.create(client[names[2]]).ensure_indexes()
        target = BackupService(client[names[2]], ctx.settings(names[2], BACKUP_DIR=str(directory)))
        started = time.perf_counter()
        await target.restore(backup.path, by="cli")
        restoring = time.perf_counter() - started
    finally:
        for name in names:
            await client.drop_database(name)
        shutil.rmtree(directory, ignore_errors=True)
    return Calibration(
        docs=docs,
        insert_rate=docs / inserting,
        insert_rate_app_batch=docs / inserting_500,
        scan_rate=docs / scanning,
        scan_rate_app_batch=docs / scanning_500,
        backup_rate=docs / backing_up,
        restore_rate=docs / restoring,
        seconds=time.perf_counter() - began,
    )


def choose_size(tickets: int, users: int, budget_s: float, calibration: Calibration) -> tuple[int, int, str]:
    estimate = calibration.estimate(tickets + users)
    text = (
        f"estimate for {tickets:,} tickets + {users:,} users: {estimate / 60:.1f} min "
        f"(calibration on {calibration.docs:,} docs: insert {calibration.insert_rate:,.0f}/s, scan "
        f"{calibration.scan_rate:,.0f}/s, backup {calibration.backup_rate:,.0f}/s, restore "
        f"{calibration.restore_rate:,.0f}/s; × {ESTIMATE_MARGIN} margin)"
    )
    if estimate <= budget_s:
        return tickets, users, text
    ratio = users / tickets if tickets else 0.1
    for step in SIZE_STEPS:
        step_users = max(1, round(step * ratio))
        if step < tickets and calibration.estimate(step + step_users) <= budget_s:
            return step, step_users, f"{text} > budget {budget_s / 60:.1f} min"
    step = SIZE_STEPS[-1]
    return step, max(1, round(step * ratio)), f"{text} > budget {budget_s / 60:.1f} min"


# ---------------------------------------------------------------------------------------------
# The app's side, in a child process


async def in_child(ctx: BenchContext, config: dict[str, Any], timeout_s: float) -> list[dict[str, Any]]:
    """The config's ops in a fresh bench/_backup_child.py process; one result per op."""
    stderr_path = ctx.scratch / "backup_child.stderr"
    return await run_child("bench._backup_child", config, timeout_s, label="backup", stderr_path=stderr_path)


async def digest(client: AsyncMongoClient[dict[str, Any]], db_name: str) -> dict[str, tuple[int, str]]:
    """Per collection: (documents, order-independent digest of every document's raw BSON).

    Read as RawBSONDocument, so nothing is decoded; both databases are read the same way, so
    whatever the server normalises (field order, dates in milliseconds) applies to both.
    """
    raw: CodecOptions[RawBSONDocument] = CodecOptions(document_class=RawBSONDocument)
    result: dict[str, tuple[int, str]] = {}
    for name in COLLECTIONS:
        count, total = 0, 0
        collection: Any = client[db_name].get_collection(name, codec_options=raw)
        async for doc in collection.find({}):
            count += 1
            total = (total + int.from_bytes(hashlib.blake2b(doc.raw, digest_size=8).digest(), "big")) % 2**64
        result[name] = (count, f"{total:016x}")
    return result


# ---------------------------------------------------------------------------------------------
# The benchmark


@dataclass(slots=True)
class Outcome:
    requested: tuple[int, int]
    size: tuple[int, int]
    estimate: str
    calibration: Calibration
    insert_s: float = 0.0
    insert_cpu_s: float = 0.0
    generate_s: float = 0.0
    docs: int = 0
    scan_s: float = 0.0  # the faster of the two raw scans: the baseline
    scan_cpu_s: float = 0.0
    scan_batch: int = 0
    scans: dict[int, tuple[float, float]] = field(default_factory=dict)  # batch size (0 = default) -> (s, CPU s)
    load: tuple[tuple[float, ...], tuple[float, ...]] = ((0.0,), (0.0,))
    backup: dict[str, Any] = field(default_factory=dict)
    restore: dict[str, Any] = field(default_factory=dict)
    source_digest: dict[str, tuple[int, str]] = field(default_factory=dict)
    target_digest: dict[str, tuple[int, str]] = field(default_factory=dict)
    profile_lines: list[str] = field(default_factory=list)

    @property
    def reduced(self) -> bool:
        return self.size[0] < self.requested[0] or self.size[1] < self.requested[1]


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    requested = (
        int(ctx.options.get("backup_tickets") or (QUICK_TICKETS if quick else FULL_TICKETS)),
        int(ctx.options.get("backup_users") or (QUICK_USERS if quick else FULL_USERS)),
    )
    budget_s = float(ctx.options.get("backup_budget_s") or (QUICK_BUDGET_S if quick else FULL_BUDGET_S))
    client = bench_client(ctx.uri)
    source, target = ctx.database_name("backup_src"), ctx.database_name("backup_dst")
    backup_dir = ctx.scratch / "bench_backups"
    try:
        calibration = await calibrate(ctx, client, quick)
        tickets, users, estimate = choose_size(*requested, budget_s, calibration)
        outcome = Outcome(requested, (tickets, users), estimate, calibration)
        load_before = os.getloadavg()
        ctx.log(f"calibration took {calibration.seconds:.1f} s; {estimate}")
        if outcome.reduced:
            ctx.log(
                f"SIZE REDUCED → running {tickets:,} tickets + {users:,} users "
                f"instead of {requested[0]:,} + {requested[1]:,}"
            )

        outcome.insert_s, outcome.generate_s, outcome.docs, outcome.insert_cpu_s = await raw_insert(
            client, source, tickets, users, ctx=ctx
        )
        ctx.log(
            f"baseline raw insert_many: {outcome.docs:,} docs in {outcome.insert_s:.1f} s "
            f"({outcome.docs / outcome.insert_s:,.0f} docs/s)"
        )
        for batch_size in (0, APP_BATCH):  # PyMongo's default batches, and the backup's: the faster is the baseline
            seconds, scanned, cpu = await raw_scan(client, source, batch_size)
            assert scanned == outcome.docs, (scanned, outcome.docs)
            outcome.scans[batch_size] = (seconds, cpu)
            ctx.log(
                f"baseline raw scan (batch size {batch_size or 'default'}): {scanned:,} docs in {seconds:.1f} s "
                f"({scanned / seconds:,.0f} docs/s)"
            )
        outcome.scan_batch = min(outcome.scans, key=lambda size: outcome.scans[size][0])
        outcome.scan_s, outcome.scan_cpu_s = outcome.scans[outcome.scan_batch]

        await Repositories.create(client[target]).ensure_indexes()  # a new server: the bot made its indexes
        config = {
            "uri": ctx.uri,
            "token": BENCH_TOKEN,
            "superadmin_id": BENCH_SUPERADMIN_ID,
            "scratch": str(ctx.scratch),
            "server": ctx.server,
            "server_pid": ctx.server_pid,
            "ops": [
                {"op": "backup", "db": source, "backup_dir": str(backup_dir / "source")},
                {"op": "restore", "db": target, "backup_dir": str(backup_dir / "target")},
            ],
        }
        timeout = 120 + 10 * outcome.docs / min(calibration.backup_rate, calibration.restore_rate)
        outcome.backup, outcome.restore = await in_child(ctx, config, timeout)
        ctx.log(f"backup {outcome.backup['wall_s']:.1f} s, restore {outcome.restore['wall_s']:.1f} s")
        began = time.perf_counter()
        outcome.source_digest = await digest(client, source)
        outcome.target_digest = await digest(client, target)
        ctx.log(f"compared every document of source and restored database ({time.perf_counter() - began:.1f} s)")

        outcome.load = (load_before, os.getloadavg())
        if str(ctx.options.get("backup_profile") or "").lower() not in ("", "0", "false", "no"):
            profiled = ctx.database_name("backup_prof")
            await Repositories.create(client[profiled]).ensure_indexes()
            config["ops"] = [
                {"op": "backup", "db": source, "backup_dir": str(backup_dir / "profile"), "profile": True},
                {"op": "restore", "db": profiled, "backup_dir": str(backup_dir / "profile_target"), "profile": True},
            ]
            try:
                for result in await in_child(ctx, config, timeout * 3):
                    outcome.profile_lines += [f"{result['op']}: {line}" for line in result.get("profile_lines", [])]
            finally:
                await client.drop_database(profiled)
        return [report(ctx, outcome)]
    except PyMongoError as error:
        raise RuntimeError(f"the database failed during the backup benchmark: {error}\n{server_state(ctx)}") from error
    finally:
        with contextlib.suppress(PyMongoError):
            await client.drop_database(source)
            await client.drop_database(target)
        await client.close()
        shutil.rmtree(backup_dir, ignore_errors=True)


def server_state(ctx: BenchContext) -> str:
    """For a failure: is the embedded server still running, and the end of its log."""
    if ctx.external or ctx.server_pid is None:
        return f"server: {ctx.server}"
    alive = Path(f"/proc/{ctx.server_pid}").exists()
    log = ctx.scratch / "mongo" / "nx-27017.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
    return f"nx-27017 pid {ctx.server_pid} {'still running' if alive else 'HAS EXITED'}; end of its log:\n{tail}"


def _mb(kb: float | None) -> float | None:
    return None if kb is None else float(kb) / 1024


def growth_mb(result: dict[str, Any]) -> float:
    return float(result["hwm_after_kb"] - result["rss_before_kb"]) / 1024


def server_growth_mb(result: dict[str, Any]) -> float | None:
    if result.get("server_hwm_after_kb") is None or result.get("server_rss_before_kb") is None:
        return None
    if not result.get("server_hwm_reset"):
        return None
    # RSS can shrink between reading it and resetting the mark: never below 0
    return max(0.0, float(result["server_hwm_after_kb"] - result["server_rss_before_kb"]) / 1024)


def report(ctx: BenchContext, o: Outcome) -> Result:
    docs = o.docs
    tickets, users = o.size
    insert_rate, scan_rate = docs / o.insert_s, docs / o.scan_s
    backup, restore = o.backup, o.restore
    backup_rate, restore_rate = docs / backup["wall_s"], docs / restore["wall_s"]
    size_label = f"{tickets:,} tickets + {users:,} users"
    full = not o.reduced
    rss_target = f"< {TARGET_RSS_MB:g} MB at full size"
    rss_note = (
        ""
        if full
        else (f"size reduced: judged at {docs:,} docs; the app holds one batch of {APP_BATCH} documents at a time")
    )
    identical = o.source_digest == o.target_digest and sum(n for n, _ in o.source_digest.values()) == docs
    restored_docs = sum(n for n, _ in o.target_digest.values())
    metrics = [
        Metric(
            f"backup rate ({size_label})",
            backup_rate,
            "docs/s",
            scan_rate,
            "≥ 50% of raw scan",
            backup_rate >= TARGET_SHARE * scan_rate,
            f"baseline = raw PyMongo cursor scan, same collections, batch size {o.scan_batch or 'default'} "
            "(the faster of default and 500)",
        ),
        Metric(
            f"restore rate ({size_label})",
            restore_rate,
            "docs/s",
            insert_rate,
            "≥ 50% of raw insert",
            restore_rate >= TARGET_SHARE * insert_rate,
            "baseline = raw insert_many (10,000 per call), same docs and indexes",
        ),
        Metric("backup time", backup["wall_s"], "s", o.scan_s, "", None, "baseline = raw scan time"),
        *[
            Metric(
                f"raw scan, batch size {size or 'default'}",
                o.docs / seconds,
                "docs/s",
                None,
                "",
                None,
                "the baseline" if size == o.scan_batch else "",
            )
            for size, (seconds, _cpu) in o.scans.items()
        ],
        Metric(
            "restore time (validate + safety backup + load)",
            restore["wall_s"],
            "s",
            o.insert_s,
            "",
            None,
            "baseline = raw insert time",
        ),
        Metric(
            "peak RSS growth, backup",
            growth_mb(backup),
            "MB",
            None,
            rss_target,
            growth_mb(backup) < TARGET_RSS_MB,
            rss_note,
        ),
        Metric(
            "peak RSS growth, restore",
            growth_mb(restore),
            "MB",
            None,
            rss_target,
            growth_mb(restore) < TARGET_RSS_MB,
            rss_note,
        ),
        Metric(
            "restored database = source (every document's BSON)",
            restored_docs,
            "docs",
            docs,
            "identical",
            identical,
            ", ".join(f"{name} {o.source_digest[name][0]:,}→{o.target_digest[name][0]:,}" for name in COLLECTIONS),
        ),
        Metric(
            "archive size",
            backup["size"] / 1024**2,
            "MB",
            None,
            "",
            None,
            f"{backup['size'] / max(1, docs):.0f} bytes per document",
        ),
        Metric(
            "client CPU per document, backup (all threads)",
            backup["cpu_s"] * 1e6 / docs,
            "µs",
            o.scan_cpu_s * 1e6 / docs,
            "",
            None,
            "baseline = raw scan, same client",
        ),
        Metric(
            "client CPU per document, restore (all threads)",
            restore["cpu_s"] * 1e6 / docs,
            "µs",
            o.insert_cpu_s * 1e6 / docs,
            "",
            None,
            "baseline = raw insert_many, same client",
        ),
        Metric(
            "app-side ceiling, backup: docs/s with an infinitely fast server",
            docs / backup["cpu_s"],
            "docs/s",
            docs / o.scan_cpu_s,
            "",
            None,
            "1 / client CPU per doc (derived; threads overlap little)",
        ),
        Metric(
            "app-side ceiling, restore: docs/s with an infinitely fast server",
            docs / restore["cpu_s"],
            "docs/s",
            docs / o.insert_cpu_s,
            "",
            None,
            "1 / client CPU per doc (derived)",
        ),
    ]
    for label, result in (("backup", backup), ("restore", restore)):
        growth = server_growth_mb(result)
        if growth is not None:
            metrics.append(Metric(f"nx-27017 server peak RSS growth during the {label}", growth, "MB"))
        elif result.get("server_hwm_after_kb") is not None:
            metrics.append(
                Metric(
                    f"nx-27017 server peak RSS (lifetime) after the {label}", _mb(result["server_hwm_after_kb"]), "MB"
                )
            )
    cal = o.calibration
    metrics += [
        Metric(
            f"calibration ({cal.docs:,} docs): raw insert in the restore's batches (500, ordered)",
            cal.insert_rate_app_batch,
            "docs/s",
            cal.insert_rate,
            "",
            None,
            "baseline = batches of 10,000",
        ),
        Metric(
            f"calibration ({cal.docs:,} docs): raw scan in the backup's batches (500)",
            cal.scan_rate_app_batch,
            "docs/s",
            cal.scan_rate,
            "",
            None,
            "baseline = default batches",
        ),
    ]

    def breakdown(result: dict[str, Any], rows: list[tuple[str, float | None]]) -> list[list[str]]:
        total = result["wall_s"]
        return [
            [result["op"], name, f"{seconds:.2f}", f"{seconds / total:.0%}" if seconds is not None else ""]
            for name, seconds in rows
            if seconds is not None
        ]

    def db_wait(result: dict[str, Any], *commands: str) -> float:
        waits = result["db_ms_by_target"].items()
        return float(sum(ms for target, ms in waits if target.split()[0] in commands)) / 1000

    bt, rt = backup["timers"], restore["timers"]
    backup_db = db_wait(backup, "find", "getMore")
    load = rt.get("load_collections", 0.0)
    restore_rows = [
        ("total", restore["wall_s"]),
        ("validate (inflate + parse + SHA-256 of the whole archive)", rt.get("validate", 0.0)),
        ("safety backup of the target", rt.get("_create", 0.0)),
        ("load_collections", load),
        ("  of which parse (next_batch, worker thread)", rt.get("parse (next_batch)", 0.0)),
        ("  of which insert commands (client wait)", db_wait(restore, "insert")),
        ("  of which delete commands (client wait)", db_wait(restore, "delete")),
    ]
    backup_rows = [
        ("total", backup["wall_s"]),
        ("find/getMore commands (client wait)", backup_db),
        ("write_documents: Extended JSON + SHA-256 + deflate (worker thread)", bt.get("write_documents", 0.0)),
        (
            "rest (thread hand-offs, decoding, finish, fsync, retention, audit)",
            backup["wall_s"] - backup_db - bt.get("write_documents", 0.0),
        ),
    ]
    table = Table(
        "Where the time goes (child process; wrappers and a command listener)",
        ["op", "part", "s", "share"],
        breakdown(backup, backup_rows) + breakdown(restore, restore_rows),
    )
    commands = Table(
        "Database commands issued",
        ["op", "command", "count", "client wait s"],
        [
            [r["op"], target, f"{n:,}", f"{r['db_ms_by_target'].get(target, 0) / 1000:.2f}"]
            for r in (backup, restore)
            for target, n in sorted(r["commands_by_target"].items(), key=lambda kv: -kv[1])
        ],
    )
    size_note = (
        f"SIZE REDUCED: ran {tickets:,} tickets + {users:,} users, not the requested "
        f"{o.requested[0]:,} + {o.requested[1]:,} — {o.estimate}"
        if o.reduced
        else f"ran the requested size — {o.estimate}"
    )
    notes = [
        size_note,
        "backup = BackupService.create(MANUAL, by='cli') and restore = BackupService.restore(path, by='cli'), the "
        "calls app/cli.py makes; each in a fresh child process (bench/_backup_child.py)",
        "restore target: a fresh database with the app's indexes (restore onto a new server); over a live copy of "
        "the data it would add a full safety backup (≈ the backup time) and the deletes",
        "baselines: raw scan = find({}) over tickets and users, the faster of default batches and batches of "
        f"{APP_BATCH}; raw insert = insert_many "
        f"of the same documents, {INSERT_BATCH:,} per call (the seeding of the source, timed around the calls; "
        f"generating the documents took another {o.generate_s:.1f} s, not counted)",
        "RSS: kernel VmHWM reset via /proc/self/clear_refs right before each operation, minus VmRSS at that moment; "
        "the server's the same way (it runs as the same user)",
        f"machine load average (1 min) {o.load[0][0]:.2f} before, {o.load[1][0]:.2f} after: the 2 cores are shared "
        "with other work, so rates vary between runs",
    ]
    server_growth = server_growth_mb(backup)
    if server_growth is not None and server_growth > 50:
        notes.append(
            f"nx-27017 grew by {server_growth:,.0f} MB during the backup ({server_growth * 1024 / docs:.1f} KB per "
            "document): it materialises a find's whole result as Python objects and keeps the rest in the cursor "
            "(nx_27017/handler.py _split_first_batch), so a full scan needs memory in proportion to the collection "
            "— the server's limitation, not the app's (MongoDB streams from its cursor)"
        )
    notes += o.profile_lines
    return Result(
        key=KEY,
        title=f"Backup and restore — {size_label} — {ctx.server}",
        metrics=metrics,
        notes=notes,
        tables=[table, commands],
        details={
            "size_requested": {"tickets": o.requested[0], "users": o.requested[1]},
            "size_run": {"tickets": tickets, "users": users},
            "size_reduced": o.reduced,
            "size_estimate": o.estimate,
            "docs": docs,
            "baseline_insert_s": o.insert_s,
            "baseline_scan_s": o.scan_s,
            "baseline_scan_batch_size": o.scan_batch,
            "raw_scans": {str(size): {"s": sec, "cpu_s": cpu} for size, (sec, cpu) in o.scans.items()},
            "generate_s": o.generate_s,
            "calibration": {
                "docs": cal.docs,
                "insert_rate": cal.insert_rate,
                "insert_rate_app_batch": cal.insert_rate_app_batch,
                "scan_rate": cal.scan_rate,
                "scan_rate_app_batch": cal.scan_rate_app_batch,
                "backup_rate": cal.backup_rate,
                "restore_rate": cal.restore_rate,
                "seconds": cal.seconds,
            },
            "backup": backup,
            "restore": restore,
            "source_digest": o.source_digest,
            "target_digest": o.target_digest,
            "identical": identical,
        },
    )


# ---------------------------------------------------------------------------------------------
# Stand-alone entry point (bench/run.py calls `run` instead)


async def main_async(args: argparse.Namespace) -> int:
    from bench.run import run_alone

    options = {
        "backup_tickets": args.tickets,
        "backup_users": args.users,
        "backup_budget_s": args.budget,
        "backup_profile": args.profile,
    }
    return await run_alone("backup", run, options, args.quick, args.results)


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.backup", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_TICKETS:,} tickets + {QUICK_USERS:,} users, budget {QUICK_BUDGET_S:g} s",
    )
    parser.add_argument("--tickets", type=int, help=f"tickets to seed (default {FULL_TICKETS:,})")
    parser.add_argument("--users", type=int, help=f"users to seed (default {FULL_USERS:,})")
    parser.add_argument(
        "--budget",
        type=float,
        help=f"seconds the measured part may take (default {FULL_BUDGET_S:g}); larger sizes "
        "are reduced to the largest that fits, and the output says so",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="once more under pyinstrument → bench/results/profile_backup.txt, profile_restore.txt",
    )
    parser.add_argument("--results", metavar="PATH", help="JSON file to merge into (default bench/results/latest.json)")
    args = parser.parse_args()
    args.results = Path(args.results).resolve() if args.results else None
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
