"""Backup and restore through the app's BackupService in a fresh process, for bench/backup.py.

    python -m bench._backup_child < config.json     (run from the project root; the config on one line)

Started by bench/backup.py through bench/children.py: one config per stdin line, one answer
line each (a list with one result per op).

Not a benchmark by itself. The parent seeds the database and measures the raw baselines;
this process runs only the app's code paths, so its memory figures are theirs:

  op "backup"   `BackupService.create(BackupKind.MANUAL, by="cli")` — what `python main.py
                backup` (app/cli.py) runs.
  op "restore"  `BackupService.restore(path, by="cli")` — what `python main.py restore PATH
                --yes` runs after its own validation: validate, safety backup, load.

Memory: before each op the kernel's peak-RSS mark (VmHWM) is reset through
/proc/self/clear_refs, so VmHWM at its end is that op's own peak; the database server's
mark is reset the same way when /proc lets us (same user), else its lifetime peak is given.

Where the time goes (instrumentation only, the code paths are unchanged): wrappers time
`BackupService.validate`, `BackupService._create` (the safety backup inside a restore),
`load_collections`, `ArchiveWriter.write_documents` (Extended JSON + SHA-256 + deflate, in a
worker thread), `_Reader.next_batch` (inflate + parse, in a worker thread); a PyMongo
command listener gives the time the client waited for each kind of command.
"""

from __future__ import annotations

import functools
import gc
import inspect
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.children import reset_peak_rss, serve, status_kb


class Timers:
    """Seconds spent in wrapped functions (thread-safe: some run in worker threads)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] += seconds
            self.calls[name] += 1

    def wrap_sync(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - began)

        return timed

    def wrap_async(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - began)

        return timed

    def patch(self, owner: object, attribute: str, name: str) -> None:
        """Replace `owner.attribute` (a class's or an instance's method, a module's function) by a
        timed wrapper that calls it. Instrumentation swaps attributes at run time, which static
        types cannot describe, hence getattr/setattr by name."""
        function = getattr(owner, attribute)
        wrap = self.wrap_async if inspect.iscoroutinefunction(function) else self.wrap_sync
        setattr(owner, attribute, wrap(name, function))

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return dict(self.seconds)


def instrument(timers: Timers) -> None:
    import app.services.backups.service as backups_module
    from app.services.backups.archive import ArchiveWriter
    from app.services.backups.restore import _Reader

    timers.patch(ArchiveWriter, "write_documents", "write_documents")
    timers.patch(_Reader, "next_batch", "parse (next_batch)")
    # BackupService calls load_collections through its own module's name for it
    timers.patch(backups_module, "load_collections", "load_collections")


async def run_op(
    config: dict[str, Any], op: dict[str, Any], timers: Timers, previous: dict[str, Any]
) -> dict[str, Any]:
    from app.models.backups import BackupKind
    from app.services.backups.service import BackupService
    from bench.common import CommandCounter, bench_client
    from config import load_settings

    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=config["token"],
        SUPERADMIN_ID=config["superadmin_id"],
        MONGODB_URI=config["uri"],
        MONGODB_DB=op["db"],
        BACKUP_DIR=op["backup_dir"],
        LOG_DIR=config["scratch"] + "/logs",
        DATA_DIR=config["scratch"] + "/data",
    )
    counter = CommandCounter()
    client = bench_client(config["uri"], [counter])
    result: dict[str, Any] = {"op": op["op"]}
    server_pid = config.get("server_pid")
    try:
        service = BackupService(client[op["db"]], settings)
        timers.patch(service, "validate", "validate")
        timers.patch(service, "_create", "_create")
        await client.admin.command("ping")
        gc.collect()
        timers.seconds.clear()
        timers.calls.clear()
        rss_before = status_kb("VmRSS") or 0
        hwm_reset = reset_peak_rss()
        server_rss_before = status_kb("VmRSS", server_pid) if server_pid else None
        server_hwm_reset = reset_peak_rss(server_pid) if server_pid else False
        mark = counter.mark()
        by_target_before = dict(counter.by_target)
        us_before = dict(counter.us_by_target)
        cpu0, wall0 = time.process_time(), time.perf_counter()

        async def work() -> None:
            if op["op"] == "backup":
                backup = await service.create(BackupKind.MANUAL, by="cli")
                result.update(path=str(backup.path), size=backup.size, counts=backup.metadata.records_count)
            else:
                path = Path(op.get("path") or previous["path"])
                report = await service.restore(path, by="cli")
                result.update(
                    restored=report.restored,
                    kept=report.kept,
                    emptied=report.emptied,
                    safety=str(report.safety.path),
                    safety_size=report.safety.size,
                )

        if op.get("profile"):
            from bench.profiling import profile_async

            summary = await profile_async(work, op["op"], str(config.get("server", "")))
            result["profile_lines"] = summary.lines()
        else:
            await work()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        commands, db_us = counter.since(mark)
        db_ms_by_target = {
            target: (us - us_before.get(target, 0)) / 1000
            for target, us in counter.us_by_target.items()
            if us != us_before.get(target, 0)
        }
        commands_by_target = {
            target: n - by_target_before.get(target, 0)
            for target, n in counter.by_target.items()
            if n != by_target_before.get(target, 0)
        }
        result.update(
            wall_s=wall,
            cpu_s=cpu,
            db_commands=commands,
            db_ms=db_us / 1000,
            db_ms_by_target=db_ms_by_target,
            commands_by_target=commands_by_target,
            timers=timers.snapshot(),
            rss_before_kb=rss_before,
            hwm_reset=hwm_reset,
            hwm_after_kb=status_kb("VmHWM") or 0,
            rss_end_kb=status_kb("VmRSS") or 0,
            server_rss_before_kb=server_rss_before,
            server_hwm_reset=server_hwm_reset,
            server_hwm_after_kb=status_kb("VmHWM", server_pid) if server_pid else None,
        )
    finally:
        await client.close()
    return result


async def main_async(config: dict[str, Any]) -> list[dict[str, Any]]:
    timers = Timers()
    instrument(timers)
    results: list[dict[str, Any]] = []
    previous: dict[str, Any] = {}
    for op in config["ops"]:
        previous = await run_op(config, op, timers, previous)
        results.append(previous)
    return results


if __name__ == "__main__":
    sys.exit(serve(main_async))
