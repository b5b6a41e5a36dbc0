"""Runs every benchmark in bench/ and prints one table; merges the figures into results/latest.json.

From the project root (the benchmarks are the `bench` package):

    python -m bench.run                 # full sizes
    python -m bench.run --quick         # small sizes, under a minute (CI runs this so nothing rots)
    python -m bench.run --only updates  # some benchmarks only (module names)
    python -m bench.run --queue-size 200000
    python -m bench.run -o broadcast_users=20000   # any module setting, read from ctx.options

A benchmark is any module here (not starting with "_", not this one) that defines
`async def run(quick: bool, ctx: BenchContext) -> list[Result]`; modules added later are
picked up without changes here. Each `Result.key` replaces its own entry in latest.json,
so running one benchmark keeps the others' last figures.

Database: nx-27017 started on a free port for the run, or the server in MONGODB_URI (real
MongoDB); the table says which. Figures are only meaningful next to the baseline printed
beside them (the same run, the same machine).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import logging
import math
import os
import pkgutil
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT
from bench.common import RESULTS_DIR, BenchContext, Metric, Result, bench_context

BenchFn = Callable[[bool, BenchContext], Awaitable[list[Result]]]
NOT_BENCHMARKS = {"run", "children", "common", "fake_session", "profiling", "seed"}


def discover() -> dict[str, BenchFn]:
    """Module name → its `run`, for every benchmark module that exists."""
    found: dict[str, BenchFn] = {}
    order: dict[str, tuple[int, str]] = {}
    for info in pkgutil.iter_modules([str(PROJECT_ROOT / "bench")]):
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        fn = getattr(module, "run", None)
        if fn is not None and inspect.iscoroutinefunction(fn):
            found[info.name] = fn
            order[info.name] = (int(getattr(module, "ORDER", 100)), info.name)
    return {name: found[name] for name in sorted(found, key=order.__getitem__)}


# ---------------------------------------------------------------------------------------------
# Printing


def fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    return f"{value:.3f}"


def verdict(metric: Metric) -> str:
    if metric.ok is None:
        return ""
    return "ok" if metric.ok else "MISSED"


def _numeric(cell: str) -> bool:
    text = cell.replace(",", "").replace("×", "").replace("%", "").replace("/", "").replace(" ", "")
    return text.replace(".", "", 1).lstrip("-").isdigit() or text == "—"


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain-text columns: numbers right-aligned, text left-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)

    def render(row: list[str]) -> str:
        cells = [
            str(cell).rjust(width) if _numeric(str(cell)) else str(cell).ljust(width)
            for cell, width in zip(row, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([render(headers), line, *(render(row) for row in rows)])


def print_results(results: list[Result]) -> None:
    headers = ["metric", "value", "unit", "baseline", "× baseline", "target", "", "note"]
    for result in results:
        print(f"\n=== {result.title}")
        rows = [
            [
                m.name,
                fmt(m.value),
                m.unit,
                fmt(m.baseline),
                f"{m.ratio:.1f}×" if m.ratio is not None else "",
                m.target,
                verdict(m),
                m.note,
            ]
            for m in result.metrics
        ]
        print(render_table(headers, rows))
        for table in result.tables:
            print(f"\n{table.title}")
            print(render_table(table.headers, table.rows))
        for note in result.notes:
            print(f"  • {note}")


# ---------------------------------------------------------------------------------------------
# latest.json


def merge_results(path: Path, results: list[Result], meta: dict[str, Any]) -> None:
    """Replace only the entries of the benchmarks that ran; keep the rest."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            data = {}
    entries = data.setdefault("benchmarks", {})
    for result in results:
        entries[result.key] = {**meta, **result.to_json()}
    data["updated_at"] = meta["measured_at"]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


async def main_async(args: argparse.Namespace) -> int:
    benchmarks = discover()
    if args.only:
        unknown = set(args.only) - set(benchmarks)
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(benchmarks)}")
            return 2
        benchmarks = {name: fn for name, fn in benchmarks.items() if name in args.only}
    options = {
        "queue_size": args.queue_size,  # or -o queue_sizes=50000,200000
        "updates": args.updates,
        "queue_budget_s": args.queue_budget,
    }
    for item in args.option or []:
        key, _, value = item.partition("=")
        options[key.strip().replace("-", "_")] = value.strip()
    started = time.perf_counter()
    results: list[Result] = []
    async with bench_context(options) as ctx:
        print(f"Database server: {ctx.server}")
        print(f"Benchmarks: {', '.join(benchmarks)} ({'quick' if args.quick else 'full'} sizes)")
        for name, fn in benchmarks.items():
            began = time.perf_counter()
            print(f"… {name}", flush=True)
            produced = await fn(args.quick, ctx)
            for result in produced:
                result.details.setdefault("elapsed_s", round(time.perf_counter() - began, 2))
            results.extend(produced)
    publish(results, ctx.server, args.quick, args.results, time.perf_counter() - started)
    return 0


def publish(results: list[Result], server: str, quick: bool, out: Path, elapsed: float) -> None:
    meta = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "server": server,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    merge_results(out, results, meta)  # before printing: a closed stdout must not lose the figures
    print_results(results)
    shown = out.relative_to(PROJECT_ROOT) if out.is_relative_to(PROJECT_ROOT) else out
    print(f"\nWritten {shown} ({', '.join(r.key for r in results)}); total {elapsed:.1f} s")


async def run_alone(name: str, run: BenchFn, options: dict[str, Any], quick: bool, out: Path | None) -> int:
    """What `python -m bench.<name>` does: this one benchmark, printed and merged like run.py's."""
    started = time.perf_counter()
    async with bench_context(options) as ctx:
        print(f"Database server: {ctx.server}")
        print(f"Benchmarks: {name} ({'quick' if quick else 'full'} sizes)", flush=True)
        results = await run(quick, ctx)
        for result in results:
            result.details.setdefault("elapsed_s", round(time.perf_counter() - started, 2))
    publish(results, ctx.server, quick, out or RESULTS_DIR / "latest.json", time.perf_counter() - started)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="benchmark module names to run")
    parser.add_argument("--updates", type=int, help="updates to feed (default 5000, quick 500)")
    parser.add_argument("--queue-size", type=int, help="tickets for the queue benchmark (default: 50,000 then 200,000)")
    parser.add_argument(
        "--queue-budget",
        type=float,
        help="seconds the queue benchmark may spend loading and querying (default 600, quick 20)",
    )
    parser.add_argument("--results", metavar="PATH", help="JSON file to merge into (default bench/results/latest.json)")
    parser.add_argument(
        "-o",
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="extra setting for a benchmark module, read from ctx.options (repeatable)",
    )
    args = parser.parse_args()
    args.results = Path(args.results).resolve() if args.results else RESULTS_DIR / "latest.json"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
