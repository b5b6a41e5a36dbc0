"""/stats 30 and /export at help-desk scale, through the app's own services.

What is measured
  On N synthetic tickets (bench/seed.py: three years, ~180 opened a day, most closed), loaded
  through `TicketRepository.insert_many` with the app's indexes:
    * `/stats 30` — `StatsService.compute` for the last 30 local days, exactly as the handler
      calls it (the pipelines of app/db/reports.py: O1 by category, O2 by assignee, F1 finished
      by assignee, D1/D2 per day, R1 reopens), p50 and max of REPS runs, and each pipeline alone;
    * the chart — `render_png` for those 30 days (a worker thread in the bot; CPU, no database);
    * `/export` of every ticket (all three years) — `ExportService.write` streaming into a CSV:
      time, rows, size and this process's peak RSS growth (the kernel's mark reset through
      /proc/self/clear_refs before it).

Sizes: 200,000 tickets (`-o stats_size=…`); --quick: 10,000.

Baselines (same run, same server)
  * for /stats 30: the cheapest read over the same range — one count of the tickets opened in
    it (`$match` on `created_ts` + `$group` on null);
  * for /export's memory: the same cursor read and dropped without writing anything.
Target: /stats 30 under 1 s at 200,000 tickets on the embedded server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.db.repositories import Repositories
from app.models.reports import Period
from app.services.reports.chart import render_png
from app.services.reports.export import ExportService
from app.services.reports.stats import StatsService
from app.texts.reports import chart_labels
from app.utils.i18n import create_i18n
from bench.common import BenchContext, Metric, Result, Table, bench_client, current_rss_mb, percentile
from bench.queue_views import load
from bench.seed import HISTORY_SPAN, SeedPlan

KEY = "stats"
ORDER = 25
FULL_SIZE, QUICK_SIZE = 200_000, 10_000
FULL_REPS, QUICK_REPS = 7, 3
TARGET_S = 1.0
ZONE = ZoneInfo("Europe/Kyiv")


def reset_peak() -> bool:
    """Set the kernel's peak-RSS mark (VmHWM) to the current RSS; False where /proc forbids it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def timed(run: Callable[[], Awaitable[Any]], reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        await run()
        times.append(time.perf_counter() - began)
    return times


async def memory_of(run: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(seconds, peak RSS growth in MB) of one run."""
    before = current_rss_mb()
    reset_peak()
    began = time.perf_counter()
    await run()
    return time.perf_counter() - began, max(0.0, peak_mb() - before)


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    size = int(ctx.options.get("stats_size") or (QUICK_SIZE if quick else FULL_SIZE))
    reps = QUICK_REPS if quick else FULL_REPS
    name = ctx.database_name("stats")
    client = bench_client(ctx.uri)
    try:
        repos = Repositories.create(client[name])
        await repos.ensure_indexes()
        ctx.log(f"loading {size:,} tickets")
        await load(repos, SeedPlan(size), ctx)
        stats = StatsService(repos.reports, ZONE)
        period = stats.last_days(30)

        await stats.compute(period)  # warm: the server's page cache, the client's pool
        stats_times = await timed(lambda: stats.compute(period), reps)
        baseline_times = await timed(lambda: repos.reports.count_opened(period), reps)
        pipelines = [
            ("O1 opened by category (counts per priority)", lambda: repos.reports.opened_by_category(period)),
            ("O2 opened by assignee (+ response times)", lambda: repos.reports.opened_by_admin(period)),
            ("F1 finished by assignee (+ resolution times, ratings)", lambda: repos.reports.finished_by_admin(period)),
            ("D1+D2 per local day ($bucket)", lambda: repos.reports.by_day(period)),
            ("R1 reopens", lambda: repos.reports.reopens(period)),
        ]
        rows = []
        for label, call in pipelines:
            times = await timed(call, reps)
            rows.append([label, f"{percentile(times, 50) * 1000:.1f}", f"{max(times) * 1000:.1f}"])

        report = await stats.compute(period)
        i18n = create_i18n("en")
        with i18n.context(), i18n.use_locale("en"):
            labels = chart_labels(report)
        render_png(report.days, labels)  # the first render imports matplotlib
        chart_times = []
        for _ in range(reps):
            began = time.perf_counter()
            png = render_png(report.days, labels)
            chart_times.append(time.perf_counter() - began)

        today = stats.today()
        everything = Period(today - timedelta(days=HISTORY_SPAN.days + 1), today, ZONE)
        exports = ExportService(repos.reports, ctx.scratch / "exports", ZONE)

        async def scan() -> None:
            async for _doc in repos.reports.export_rows(everything):
                pass

        scan_s, scan_mb = await memory_of(scan)
        written: list[Any] = []

        async def export() -> None:
            with i18n.context(), i18n.use_locale("uk"):
                written.append(await exports.write(everything))

        export_s, export_mb = await memory_of(export)
        result = written[0]
        await asyncio.to_thread(Path(result.path).unlink, missing_ok=True)
    finally:
        with contextlib.suppress(Exception):
            await client.drop_database(name)
        await client.close()

    p50 = percentile(stats_times, 50)
    judged = not ctx.external and size >= FULL_SIZE
    metrics = [
        Metric(
            f"/stats 30 @ {size:,} tickets, p50",
            p50 * 1000,
            "ms",
            baseline=percentile(baseline_times, 50) * 1000,
            target=f"< {TARGET_S * 1000:.0f} ms at {FULL_SIZE:,} (embedded)",
            ok=(max(stats_times) < TARGET_S) if judged else None,
            note=f"{report.opened:,} opened, {report.closed + report.rejected:,} finished in the 30 days",
        ),
        Metric(f"/stats 30 @ {size:,} tickets, max of {reps}", max(stats_times) * 1000, "ms"),
        Metric(
            "chart render (Agg, 30 days, 1200×675 PNG)",
            percentile(chart_times, 50) * 1000,
            "ms",
            note=f"{len(png):,} bytes",
        ),
        Metric(
            f"/export of all {result.rows:,} tickets",
            export_s,
            "s",
            baseline=scan_s,
            note=f"{result.size / 1024 / 1024:.1f} MB CSV; baseline: the same cursor read and dropped",
        ),
        Metric(
            "/export peak RSS growth",
            export_mb,
            "MB",
            baseline=scan_mb,
            note="streamed in batches of 500; baseline: the cursor alone",
        ),
    ]
    return [
        Result(
            KEY,
            f"/stats 30 and /export on {size:,} tickets",
            metrics,
            tables=[Table("Each pipeline alone (ms)", ["pipeline", "p50", "max"], rows)],
            notes=[
                f"the last 30 local days, {period.first}–{period.last} ({ZONE.key})",
                "/export's memory: the cursor's scan runs first, so the driver's buffers are already counted there",
            ],
        )
    ]


if __name__ == "__main__":
    import sys

    from bench.run import run_alone

    sys.exit(asyncio.run(run_alone(KEY, run, {}, "--quick" in sys.argv, None)))
