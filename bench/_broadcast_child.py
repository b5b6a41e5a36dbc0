"""Broadcast runs in a fresh process, for bench/broadcast.py (not a benchmark by itself).

    python -m bench._broadcast_child < config.json     (run from the project root; the config on one line)
    python -m bench._broadcast_child --serve           (fork server: each config in a forked child)

Started by bench/broadcast.py through bench/children.py: one config per stdin line, one answer
line each (a list with one result per phase).

The parent (bench/broadcast.py) owns the fake Bot API servers and the database; this process
is the bot side only, so its memory figures contain nothing of the fake's bookkeeping. It
runs the config's phases one after another, each with its own Bot, database and fake:

  mode "broadcast"  the app's Broadcaster (app/services/broadcast/runner.py) with the real aiogram
                    Bot and AiohttpSession (app/factory.py `create_bot`) talking HTTP to the
                    fake, the app's repositories on a client built with the app's options;
                    `Broadcaster.start(content, initiator)` exactly as the «Send» button does,
                    then wait until its task has finished.
  mode "raw"        baseline: the same Bot and session, `bot.send_message` to every recipient
                    one after another; no database, no pacing.

Memory: the kernel's peak-RSS mark (VmHWM) is reset through /proc/self/clear_refs right
before each phase starts — after imports, the database connection and the phase's first Bot
API call — so VmHWM at its end is that phase's own peak. An RSS sampler (every 20 ms) backs
it up where clear_refs is not writable. CPU of the database server and of the parent (the
fake) is read from /proc at the phase's start and end.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.children import reset_peak_rss, serve, status_kb


class RssSampler:
    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak_kb = status_kb("VmRSS") or 0
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, status_kb("VmRSS") or 0)
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        self.peak_kb = max(self.peak_kb, status_kb("VmRSS") or 0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def process_cpu_s(pid: int | None) -> float | None:
    """utime + stime of a process (the database server, the parent running the fake), from /proc."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_phase(config: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    from aiogram.exceptions import TelegramAPIError

    from app.db.repositories import Repositories
    from app.factory import create_bot
    from app.models.broadcasts import BroadcastContent, BroadcastKind
    from app.services.broadcast.runner import Broadcaster
    from app.utils.i18n import create_i18n
    from bench.common import CommandCounter, bench_client
    from config import load_settings

    rate = phase["rate"]
    settings = load_settings(
        _env_file=None,
        BOT_TOKEN=config["token"],
        SUPERADMIN_ID=config["initiator_id"],
        MONGODB_URI=config["uri"],
        MONGODB_DB=phase["db"],
        TELEGRAM_API_URL=phase["api_url"],
        BROADCAST_RATE_PER_SECOND=min(float(rate or 1000), 1000.0),
        LOG_DIR=config["scratch"] + "/logs",
        DATA_DIR=config["scratch"] + "/data",
        BACKUP_DIR=config["scratch"] + "/backups",
    )
    if not rate:
        # "No limit": above the setting's validated maximum (1000/s), so the Pacer never waits.
        settings = settings.model_copy(update={"broadcast_rate_per_second": 1e9})

    counter = CommandCounter()
    client = bench_client(config["uri"], [counter])
    bot = create_bot(settings)
    result: dict[str, Any] = {"mode": phase["mode"]}
    try:
        repos = Repositories.create(client[phase["db"]])
        await client.admin.command("ping")
        await bot.get_me()  # opens the HTTP connection pool: a fixed cost, not the broadcast's
        recipients: list[int] = phase.get("recipients") or []
        gc.collect()
        rss_before = status_kb("VmRSS") or 0
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        hwm_reset = reset_peak_rss()
        sampler = RssSampler()
        sampler.start()
        mark = counter.mark()
        server_cpu0, fake_cpu0 = process_cpu_s(config.get("server_pid")), process_cpu_s(config.get("fake_pid"))
        cpu0, wall0 = time.process_time(), time.perf_counter()

        if phase["mode"] == "raw":
            sent = errors = 0
            for user_id in recipients:
                try:
                    await bot.send_message(user_id, config["text"])
                    sent += 1
                except TelegramAPIError:
                    errors += 1
            result["raw"] = {"sent": sent, "errors": errors}
        else:
            i18n = create_i18n(settings.default_language)
            broadcaster = Broadcaster(bot, repos, i18n, settings)
            content = BroadcastContent(BroadcastKind.TEXT, config["text"])

            async def work() -> None:
                broadcast = await broadcaster.start(content, config["initiator_id"])
                result["broadcast_id"] = broadcast.id
                while broadcaster.is_running:  # noqa: ASYNC110 - the service exposes no completion event
                    await asyncio.sleep(0.02)

            if phase.get("profile"):
                from bench.profiling import profile_async

                summary = await profile_async(work, "broadcast", str(config.get("server", "")))
                result["profile"] = summary.to_json()
                result["profile_lines"] = summary.lines()
            else:
                await work()

        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        server_cpu1, fake_cpu1 = process_cpu_s(config.get("server_pid")), process_cpu_s(config.get("fake_pid"))
        commands, db_us = counter.since(mark)
        await sampler.stop()
        hwm_after = status_kb("VmHWM") or 0
        maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result.update(
            wall_s=wall,
            cpu_s=cpu,
            server_cpu_s=None if server_cpu0 is None or server_cpu1 is None else server_cpu1 - server_cpu0,
            fake_cpu_s=None if fake_cpu0 is None or fake_cpu1 is None else fake_cpu1 - fake_cpu0,
            db_commands=commands,
            db_ms=db_us / 1000,
            db_by_target=dict(counter.by_target),
            db_failures=dict(counter.failures),
            rss_before_kb=rss_before,
            hwm_reset=hwm_reset,
            hwm_after_kb=hwm_after,
            sampled_peak_kb=sampler.peak_kb,
            maxrss_before_kb=maxrss_before,
            maxrss_after_kb=maxrss_after,
            rss_end_kb=status_kb("VmRSS") or 0,
        )
    finally:
        await bot.session.close()
        await client.close()
    return result


async def main_async(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The phases one after another; each phase's peak RSS is its own (VmHWM reset at its start)."""
    from app.utils.logging_setup import setup_logging

    # As main.py does: INFO to a daily file (and stderr), so logging costs what it costs in production.
    setup_logging(Path(config["scratch"]) / "logs", "INFO", 1, [config["token"]])
    return [await run_phase(config, phase) for phase in config["phases"]]


PRELOAD = (
    "aiogram.exceptions",
    "app.db.broadcasts",
    "app.db.repositories",
    "app.factory",
    "app.utils.i18n",
    "app.utils.logging_setup",
    "app.services.broadcast.runner",
    "bench.common",
    "config",
)


def preload() -> None:
    """Everything a phase imports (aiogram's types alone take seconds), before any fork."""
    for name in PRELOAD:
        importlib.import_module(name)


def main() -> int:
    if "--serve" in sys.argv:
        # Fork server: the imports are paid once here; every run still starts from the same
        # untouched heap (this process never runs an event loop or opens a connection), so each
        # broadcast's memory growth is measured from the same point, as in a fresh process.
        preload()
        return serve(main_async, fork=True)
    return serve(main_async)


if __name__ == "__main__":
    sys.exit(main())
