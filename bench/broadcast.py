"""Broadcast: paced delivery to every user through the fake Bot API — rate, correctness, memory.

    python -m bench.broadcast [--quick] [--users N] [--small-users N] [--rate R] [--profile]
    python -m bench.run --only broadcast [--quick]

What is driven
  The app's `Broadcaster` service (app/services/broadcast/runner.py) — not the compose/preview
  dialogue in front of it — with the real aiogram `Bot` and `AiohttpSession` built by
  app/factory.py `create_bot`, talking HTTP to the fake Telegram server of the tests
  (tests/support/fake_telegram, `TELEGRAM_API_URL`), and the app's repositories on the
  benchmark's database server. `Broadcaster.start(content, initiator)` is exactly what the
  «📤 Send» button calls; the run ends when its background task has finished (snapshot of
  recipients, paced sends, two delivery-state writes per recipient, live status edits in
  the initiator's chat, the final report).

Scenario
  N users registered (10,000; --quick 1,000), 2 % of them have blocked the bot in the fake
  (403 → marked unreachable), 5 more are already unreachable in the database (must get
  nothing). The fake's global rate limit (a token bucket over send methods, 1 s burst) is
  set to the bot's configured BROADCAST_RATE_PER_SECOND, and both are scaled up from the
  production default 30/s to 300/s so a run takes seconds, not minutes. In the large run,
  when a quarter of the recipients have been served, two 429 «retry after 1 s» answers in a
  row are injected (the small run, there for the memory comparison, has none).

Process layout (memory isolation)
  This process runs the fake Bot API servers and seeds/inspects the databases; the bot side
  runs in fresh child processes (bench/_broadcast_child.py, forked from a server that has
  done the imports and nothing else): one for the small size, one for the large size whose
  later phases are the no-limit run and the plain-loop baseline (each phase with its own
  fake and database). The paced broadcast is its process's first phase;
  right before `Broadcaster.start` — after imports, the DB connection and a first Bot API
  call — the kernel's peak-RSS mark is reset (/proc/self/clear_refs), so VmHWM at the end
  is the broadcast's own peak. Two sizes (1,000 and 10,000; --quick 200 and 1,000) show
  whether it grows with the number of users.

Figures
  * achieved rate = Bot API requests addressed to recipients (any answer) per second, timed
    where the fake receives them, first to last; the judged figure leaves out the 2 × 1 s
    Telegram imposed through the injected 429s (the same figure with them is printed too);
    baseline = the configured ceiling; target ≥ 95 %.
  * duplicates (a recipient got the text more than once) and lost (a reachable recipient
    never got it), counted from the fake's records; both must be 0. Also checked against
    the database: delivery states, the broadcast's counters, blocked users marked unreachable.
  * the same at the production rate (30/s, 600 users; full runs only, 20 s): the ceiling
    the bot is configured with in practice.
  * time lost against the ideal schedule, from the gaps between requests at the fake:
    deliveries that took longer than one slot, and stalls (≥ 20 ms over a slot: page
    queries, progress saves). The Pacer does not make up lost slots, so both lower the rate.
  * no limit: the same broadcast with pacing switched off (rate above the setting's 1000/s
    maximum) and no rate limit in the fake, 10,000 users (--quick 500): the bot's own
    maximum messages/s. Baseline: the same Bot/session sending the same messages in a plain
    loop with no database at all.
  * CPU per delivery in the bot process, the database server and the fake (which shares
    the machine's cores with them), and DB round trips per delivery, to locate the cost.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.db.repositories import Repositories
from bench.children import ChildProcess
from bench.common import (
    BENCH_SUPERADMIN_ID,
    BENCH_TOKEN,
    BenchContext,
    Metric,
    Result,
    Table,
    bench_client,
)
from config import Settings
from tests.support.fake_telegram import FakeTelegram

KEY = "broadcast"
ORDER = 30  # position in bench/run.py's table
FULL_SIZES = (1_000, 10_000)
QUICK_SIZES = (200, 1_000)
QUICK_UNPACED_USERS = 500  # --quick: the no-limit run and its baseline (a rate, not a size effect)
RATE = 300.0  # scaled up from the production default (Settings: 30/s) to keep runs short
PRODUCTION_RATE = Settings.model_fields["broadcast_rate_per_second"].default
BLOCK_EVERY = 50  # 2 % of the users have blocked the bot (Telegram answers 403)
GONE_USERS = 5  # already unreachable in the database: must get nothing
INJECT_AT = 0.25  # share of recipients served when the 429s are injected
INJECT_COUNT = 2  # in a row: the same recipient is retried twice
RETRY_AFTER = 1
FIRST_USER_ID = 20_000_000
GONE_FIRST_ID = 29_000_000
INITIATOR_ID = BENCH_SUPERADMIN_ID  # the super-admin: gets the status messages, is no recipient
TEXT = "Planned maintenance: the mail server restarts tonight at 22:00. Save your work, please."
PRODUCTION_USERS = 600  # full mode only: 20 s at 30/s
TARGET_RATE_SHARE = 0.95
FLAT_TOLERANCE_MB = 5.0
CHILD_TIMEOUT_FLOOR_S = 60.0
STALL_S = 0.02  # a gap this much longer than one slot counts as a stall (page query, progress save)


@dataclass(slots=True)
class Spec:
    role: str  # small, production, large, unlimited, raw, profile
    name: str
    users: int
    rate: float | None  # None: no limit (bot unpaced, fake unlimited)
    mode: str = "broadcast"  # or "raw" (baseline: plain send loop, no database)
    inject: bool = False
    profile: bool = False


@dataclass(slots=True)
class Outcome:
    spec: Spec
    child: dict[str, Any]
    requests: int = 0
    window_s: float = 0.0
    rate_all: float = 0.0
    rate_active: float = 0.0
    injected: int = 0
    limiter_429: int = 0
    forbidden: int = 0
    other_errors: int = 0
    duplicates: int = 0
    lost: int = 0
    blocked: int = 0
    gone_received: int = 0
    deliveries: int = 0  # recipients handled (sent + blocked + failed)
    db_checks: list[str] = field(default_factory=list)
    db_ok: bool = True
    # Paced runs: time lost against the ideal schedule, from the gaps between requests.
    lost_waits_s: float = 0.0  # gaps ≥ 0.9 s: Telegram's retry_after
    lost_stalls_s: float = 0.0  # gap over a slot by ≥ 20 ms (< 0.9 s): page queries, progress saves
    stalls: int = 0
    lost_overrun_s: float = 0.0  # smaller gaps longer than one slot: a delivery took longer than 1/rate

    @property
    def growth_mb(self) -> float:
        """Peak RSS during the run minus RSS right before it (kernel VmHWM after a reset)."""
        c = self.child
        peak = c["hwm_after_kb"] if c.get("hwm_reset") else c["sampled_peak_kb"]
        return float(peak - c["rss_before_kb"]) / 1024

    @property
    def sampled_growth_mb(self) -> float:
        return float(self.child["sampled_peak_kb"] - self.child["rss_before_kb"]) / 1024

    def per_delivery_ms(self, seconds: float | None) -> float | None:
        return None if seconds is None or not self.deliveries else seconds * 1000 / self.deliveries


# ---------------------------------------------------------------------------------------------
# Helpers


def recipient_ids(users: int) -> list[int]:
    return list(range(FIRST_USER_ID, FIRST_USER_ID + users))


def blocked_ids(users: int) -> set[int]:
    return set(range(FIRST_USER_ID + 7, FIRST_USER_ID + users, BLOCK_EVERY))


async def seed(repos: Repositories, users: int) -> None:
    """Registered users (as /start would leave them) and a few already unreachable ones."""
    now = datetime.now(UTC)

    def doc(uid: int, reachable: bool) -> dict[str, Any]:
        return {
            "_id": uid,
            "first_name": f"User{uid}",
            "last_name": None,
            "username": None,
            "language": "uk" if uid % 3 else "en",
            "reachable": reachable,
            "created_at": now,
        }

    ids = recipient_ids(users)
    for start in range(0, len(ids), 5_000):
        await repos.users.collection.insert_many([doc(uid, True) for uid in ids[start : start + 5_000]])
    await repos.users.collection.insert_many(
        [doc(uid, False) for uid in range(GONE_FIRST_ID, GONE_FIRST_ID + GONE_USERS)]
    )


async def inject_when_due(fake: FakeTelegram, recipients: set[int], due: int) -> int:
    """Two 429s in a row once `due` recipients have been addressed; returns how many were armed."""
    seen, index = 0, 0
    while True:
        calls = fake.calls
        for call in calls[index:]:
            if call.method == "sendMessage" and _chat(call.params) in recipients:
                seen += 1
        index = len(calls)
        if seen >= due:
            fake.inject_429(INJECT_COUNT, retry_after=RETRY_AFTER, methods=["sendMessage"])
            return INJECT_COUNT
        await asyncio.sleep(0.005)


def _chat(params: dict[str, Any]) -> int:
    try:
        return int(params.get("chat_id") or 0)
    except (TypeError, ValueError):
        return 0


def bot_processes(ctx: BenchContext) -> ChildProcess:
    """The fork server of bench/_broadcast_child.py: each request runs in a freshly forked bot process.

    aiogram's imports cost ~3 s of CPU; the fork server pays them once, and every broadcast
    still starts from the same untouched heap (bench/children.py `serve`). Its stderr is the
    bot's console log (its file log is in the scratch directory).
    """
    stderr_path = ctx.scratch / "broadcast_bot.stderr"
    return ChildProcess("bench._broadcast_child", "--serve", label="broadcast", stderr_path=stderr_path)


# ---------------------------------------------------------------------------------------------
# One run


@dataclass(slots=True)
class Phase:
    """One phase of a child process, with what the parent set up for it."""

    spec: Spec
    fake: FakeTelegram
    db_name: str
    recipients: list[int]
    blocked: set[int]
    gone: set[int]
    injector: asyncio.Task[int] | None = None


async def prepare(ctx: BenchContext, client: Any, spec: Spec) -> Phase:
    """A fresh fake Bot API (its own users, blocks and rate limit) and, for a broadcast, a fresh database."""
    fake = FakeTelegram(token=BENCH_TOKEN)
    await fake.start()
    fake.user(INITIATOR_ID, first_name="Olena", language_code="en")
    ids = recipient_ids(spec.users)
    blocked = blocked_ids(spec.users)
    gone = set(range(GONE_FIRST_ID, GONE_FIRST_ID + GONE_USERS))
    for uid in [*ids, *gone]:
        fake.user(uid, first_name=f"User{uid}", language_code="en")  # the fake refuses unknown chats
    for uid in blocked:
        fake.block(uid)
    fake.set_rate_limit(spec.rate)
    phase = Phase(spec, fake, ctx.database_name("broadcast"), ids, blocked, gone)
    if spec.mode == "broadcast":
        repos = Repositories.create(client[phase.db_name])
        await repos.ensure_indexes()  # as BotApp does at start-up
        await seed(repos, spec.users)
    return phase


async def run_process(ctx: BenchContext, bots: ChildProcess, specs: list[Spec]) -> list[Outcome]:
    """The specs as phases of one fresh bot process; each phase analysed against its own fake."""
    client = bench_client(ctx.uri)
    phases: list[Phase] = []
    try:
        for spec in specs:
            phases.append(await prepare(ctx, client, spec))
        config = {
            "uri": ctx.uri,
            "token": BENCH_TOKEN,
            "initiator_id": INITIATOR_ID,
            "text": TEXT,
            "scratch": str(ctx.scratch),
            "server": ctx.server,
            "server_pid": ctx.server_pid,
            "fake_pid": os.getpid(),  # the fake Bot API servers run in this process
            "phases": [
                {
                    "mode": phase.spec.mode,
                    "db": phase.db_name,
                    "api_url": phase.fake.base_url,
                    "rate": phase.spec.rate,
                    "profile": phase.spec.profile,
                    "recipients": phase.recipients if phase.spec.mode == "raw" else [],
                }
                for phase in phases
            ],
        }
        for phase in phases:
            if phase.spec.inject:
                due = int(phase.spec.users * INJECT_AT)
                phase.injector = asyncio.create_task(inject_when_due(phase.fake, set(phase.recipients), due))
        expected_s = sum(spec.users / (spec.rate or 300.0) * 3 for spec in specs)
        results = await bots.request(config, CHILD_TIMEOUT_FLOOR_S + expected_s)
        outcomes = []
        for phase, child in zip(phases, results, strict=True):
            outcome = Outcome(phase.spec, child)
            if phase.injector is not None:
                if phase.injector.done():
                    outcome.injected = phase.injector.result()
                else:
                    phase.injector.cancel()
            analyse(outcome, phase.fake, set(phase.recipients), phase.blocked, phase.gone)
            if phase.spec.mode == "broadcast":
                await check_database(outcome, Repositories.create(client[phase.db_name]), phase.blocked)
            outcomes.append(outcome)
        return outcomes
    finally:
        for phase in phases:
            if phase.injector is not None and not phase.injector.done():
                phase.injector.cancel()
            await client.drop_database(phase.db_name)
            await phase.fake.stop()
        await client.close()


def analyse(outcome: Outcome, fake: FakeTelegram, recipients: set[int], blocked: set[int], gone: set[int]) -> None:
    """Rates, duplicates and losses from what the fake received and answered."""
    times: list[float] = []
    outcomes: Counter[str | int] = Counter()
    copies: Counter[int] = Counter()
    for call in fake.calls:
        if call.method not in ("sendMessage",):
            continue
        chat = _chat(call.params)
        delivered = call.outcome == "ok" and call.params.get("text") == TEXT
        if chat in gone and delivered:
            outcome.gone_received += 1
        if chat not in recipients:
            continue
        times.append(call.at)
        outcomes[call.outcome] += 1
        if delivered:
            copies[chat] += 1
    times.sort()
    outcome.requests = len(times)
    outcome.window_s = times[-1] - times[0] if len(times) > 1 else 0.0
    throttled = outcomes.get(429, 0)
    injected_used = min(outcome.injected, throttled)
    outcome.limiter_429 = throttled - injected_used
    outcome.forbidden = outcomes.get(403, 0)
    outcome.other_errors = sum(n for key, n in outcomes.items() if key not in ("ok", 403, 429))
    outcome.duplicates = sum(n - 1 for n in copies.values() if n > 1)
    outcome.lost = sum(1 for uid in recipients - blocked if copies[uid] == 0)
    outcome.blocked = len(blocked)
    outcome.deliveries = len(recipients)
    if outcome.window_s > 0:
        outcome.rate_all = (outcome.requests - 1) / outcome.window_s
        active = outcome.window_s - injected_used * RETRY_AFTER
        outcome.rate_active = (outcome.requests - 1) / active if active > 0 else 0.0
    if outcome.spec.rate:
        interval = 1.0 / outcome.spec.rate
        for before, after in itertools.pairwise(times):
            excess = after - before - interval
            if excess <= 0:
                continue
            if after - before >= 0.9:
                outcome.lost_waits_s += excess
            elif excess >= STALL_S:
                outcome.lost_stalls_s += excess
                outcome.stalls += 1
            else:
                outcome.lost_overrun_s += excess


async def check_database(outcome: Outcome, repos: Repositories, blocked: set[int]) -> None:
    """What the bot recorded must match what the fake saw."""
    broadcast_id = int(outcome.child["broadcast_id"])
    counters = await repos.deliveries.counters(broadcast_id)
    stored = await repos.broadcasts.get(broadcast_id)
    unreachable = await repos.users.collection.count_documents({"_id": {"$in": sorted(blocked)}, "reachable": False})
    reachable = outcome.deliveries - len(blocked)
    checks = [
        ("deliveries sent", counters.sent, reachable),
        ("deliveries blocked", counters.blocked, len(blocked)),
        ("deliveries failed", counters.failed, 0),
        ("deliveries total", counters.total, outcome.deliveries),
        ("broadcast status done", int(stored is not None and stored.status.value == "done"), 1),
        ("stored counters", stored.counters.to_doc() if stored else None, counters.to_doc()),
        ("blocked users marked unreachable", unreachable, len(blocked)),
    ]
    outcome.db_ok = all(value == expected for _, value, expected in checks)
    outcome.db_checks = [
        f"{name}: {value}" + ("" if value == expected else f" (expected {expected})")
        for name, value, expected in checks
    ]


# ---------------------------------------------------------------------------------------------
# The benchmark


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    small, large = QUICK_SIZES if quick else FULL_SIZES
    small = int(ctx.options.get("broadcast_small_users") or small)
    large = int(ctx.options.get("broadcast_users") or large)
    rate = float(ctx.options.get("broadcast_rate") or RATE)
    # One fresh bot process per size: each paced broadcast is its process's first phase, and
    # its peak RSS is read before anything else runs there.
    production_users = int(ctx.options.get("broadcast_production_users") or (0 if quick else PRODUCTION_USERS))
    unpaced = int(ctx.options.get("broadcast_unpaced_users") or (QUICK_UNPACED_USERS if quick else large))
    first = [Spec("small", f"paced, {small:,} users", small, rate)]
    if production_users:
        first.append(
            Spec(
                "production",
                f"paced at the production rate, {production_users:,} users",
                production_users,
                PRODUCTION_RATE,
            )
        )
    processes = [
        first,
        [
            Spec("large", f"paced, {large:,} users, 2×429", large, rate, inject=True),
            Spec("unlimited", f"no limit, {unpaced:,} users", unpaced, None),
            Spec("raw", f"baseline: plain send loop, {unpaced:,} users", unpaced, None, mode="raw"),
        ],
    ]
    if str(ctx.options.get("broadcast_profile") or "").lower() not in ("", "0", "false", "no"):
        processes.append(
            [Spec("profile", f"profiled (pyinstrument), no limit, {unpaced:,} users", unpaced, None, profile=True)]
        )
    load_before = os.getloadavg()
    outcomes: list[Outcome] = []
    async with bot_processes(ctx) as bots:
        for specs in processes:
            outcomes += await run_process_logged(ctx, bots, specs)
    load = (load_before, os.getloadavg())
    return [report(ctx, outcomes, rate, small, large, load)]


async def run_process_logged(ctx: BenchContext, bots: ChildProcess, specs: list[Spec]) -> list[Outcome]:
    began = time.perf_counter()
    produced = await run_process(ctx, bots, specs)
    for outcome in produced:
        ctx.log(
            f"{outcome.spec.name}: {outcome.requests:,} requests in {outcome.window_s:.2f} s "
            f"({outcome.rate_all:,.0f}/s; {outcome.rate_active:,.0f}/s without imposed waits); "
            f"dup {outcome.duplicates}, lost {outcome.lost}, RSS growth {outcome.growth_mb:.1f} MB"
        )
    ctx.log(f"bot process done in {time.perf_counter() - began:.1f} s")
    return produced


def report(
    ctx: BenchContext,
    outcomes: list[Outcome],
    rate: float,
    small: int,
    large: int,
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> Result:
    by_role = {o.spec.role: o for o in outcomes}
    paced_small, paced_large, unlimited, raw = (by_role[r] for r in ("small", "large", "unlimited", "raw"))
    production, profiled = by_role.get("production"), by_role.get("profile")
    unpaced = unlimited.spec.users
    paced = [o for o in outcomes if o.spec.rate]
    broadcasts = [o for o in outcomes if o.spec.mode == "broadcast"]
    duplicates = sum(o.duplicates for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    growth_small, growth_large = paced_small.growth_mb, paced_large.growth_mb
    slope_kb = (growth_large - growth_small) * 1024 / max(1, large - small) * 1000
    max_rate, raw_rate = unlimited.rate_all, raw.rate_all

    def cpu_ms(outcome: Outcome, key: str) -> float | None:
        seconds = {
            "bot": outcome.child["cpu_s"],
            "server": outcome.child["server_cpu_s"],
            "fake": outcome.child["fake_cpu_s"],
        }[key]
        return outcome.per_delivery_ms(seconds)

    metrics = [
        Metric(
            f"achieved rate, {large:,} users, paced (excl. Telegram's 429 waits)",
            paced_large.rate_active,
            "msg/s",
            rate,
            f"≥ {TARGET_RATE_SHARE:.0%} of ceiling",
            paced_large.rate_active >= TARGET_RATE_SHARE * rate,
            f"ceiling = configured rate {rate:g}/s (scaled up from {PRODUCTION_RATE:g}/s)",
        ),
        Metric(
            f"achieved rate, {small:,} users, paced (no 429s)",
            paced_small.rate_active,
            "msg/s",
            rate,
            "",
            None,
            "short run: start-up costs weigh more",
        ),
        *(
            [
                Metric(
                    f"achieved rate at the production rate, {production.spec.users:,} users",
                    production.rate_active,
                    "msg/s",
                    production.spec.rate,
                    f"≥ {TARGET_RATE_SHARE:.0%} of ceiling",
                    production.rate_active >= TARGET_RATE_SHARE * (production.spec.rate or 0),
                    "BROADCAST_RATE_PER_SECOND default, fake limited to the same",
                )
            ]
            if production
            else []
        ),
        Metric(
            f"time lost vs the ideal schedule, {large:,} users: deliveries slower than a slot",
            paced_large.lost_overrun_s,
            "s",
            None,
            "",
            None,
            f"slot = 1/{rate:g} s",
        ),
        Metric(
            f"time lost, {large:,} users: {paced_large.stalls} stalls ≥ 20 ms over a slot (page queries, "
            "progress saves)",
            paced_large.lost_stalls_s,
            "s",
            None,
            "",
            None,
            "the pacer makes up at most 0.1 s of lost slots (app/services/broadcast/pacing.py CATCH_UP)",
        ),
        Metric(
            f"achieved rate, {large:,} users, incl. the {paced_large.injected}×{RETRY_AFTER} s 429 waits",
            paced_large.rate_all,
            "msg/s",
            rate,
            "",
            None,
            "Telegram-imposed waits included",
        ),
        Metric(
            f"Send → final report, {large:,} users (snapshot, sends, report)",
            paced_large.child["wall_s"],
            "s",
            large / rate + paced_large.injected * RETRY_AFTER,
            "",
            None,
            "baseline = users / rate + imposed waits",
        ),
        Metric("duplicates (all runs)", duplicates, "msgs", None, "0", duplicates == 0),
        Metric("lost: reachable users never served (all runs)", lost, "users", None, "0", lost == 0),
        Metric(
            "already-unreachable users served (all runs)",
            sum(o.gone_received for o in outcomes),
            "msgs",
            None,
            "0",
            all(o.gone_received == 0 for o in outcomes),
        ),
        Metric(
            "database records match the fake (all broadcasts)",
            sum(o.db_ok for o in broadcasts),
            "runs",
            len(broadcasts),
            "all",
            all(o.db_ok for o in broadcasts),
        ),
        Metric(
            "429s from the fake's rate limiter (pacing above the ceiling)",
            sum(o.limiter_429 for o in paced),
            "answers",
            None,
            "0",
            all(o.limiter_429 == 0 for o in paced),
        ),
        Metric(
            f"peak RSS growth during the broadcast, {large:,} users",
            growth_large,
            "MB",
            growth_small,
            f"flat: ≤ {small:,}-user figure + {FLAT_TOLERANCE_MB:g} MB",
            growth_large <= growth_small + FLAT_TOLERANCE_MB,
            f"baseline = {small:,} users; bot process only",
        ),
        Metric("RSS growth per 1,000 extra users (from the two sizes)", slope_kb, "KB", None, "", None),
        Metric(
            f"bot's maximum rate, no limit, {unpaced:,} users",
            max_rate,
            "msg/s",
            raw_rate,
            "",
            None,
            "baseline = same Bot/session, plain send loop, no DB",
        ),
        Metric(
            "bot-process CPU per delivery (no limit)",
            cpu_ms(unlimited, "bot"),
            "ms",
            cpu_ms(raw, "bot"),
            "",
            None,
            "baseline = per plain send",
        ),
        Metric("DB round trips per delivery (no limit)", unlimited.child["db_commands"] / unpaced, "", None),
        Metric("DB time per delivery, as the client waits (no limit)", unlimited.child["db_ms"] / unpaced, "ms"),
    ]
    if unlimited.child["server_cpu_s"] is not None:
        metrics.append(Metric("nx-27017 server CPU per delivery (no limit)", cpu_ms(unlimited, "server"), "ms"))
    metrics.append(
        Metric(
            "fake Bot API CPU per request (no limit; same machine)",
            cpu_ms(unlimited, "fake"),
            "ms",
            cpu_ms(raw, "fake"),
        )
    )
    metrics.append(
        Metric(
            "wall time per delivery (no limit)",
            unlimited.per_delivery_ms(unlimited.window_s),
            "ms",
            raw.per_delivery_ms(raw.window_s),
        )
    )

    rows = []
    for o in outcomes:
        c = o.child
        rows.append(
            [
                o.spec.name,
                f"{o.spec.rate:g}/s" if o.spec.rate else "none",
                f"{o.requests:,}",
                f"{o.window_s:.2f}",
                f"{o.rate_all:,.0f}",
                f"{o.rate_active:,.0f}",
                f"{o.injected}/{o.limiter_429}",
                f"{o.forbidden}",
                f"{o.duplicates}",
                f"{o.lost}",
                f"{c['wall_s']:.2f}",
                f"{(o.per_delivery_ms(c['cpu_s']) or 0):.2f}",
                f"{c['db_commands'] / o.deliveries:.2f}",
                f"{o.stalls}/{o.lost_stalls_s:.2f}/{o.lost_overrun_s:.2f}" if o.spec.rate else "",
                f"{c['rss_before_kb'] / 1024:.1f}",
                f"{o.growth_mb:.1f}",
                f"{o.sampled_growth_mb:.1f}",
            ]
        )
    table = Table(
        "Runs (each broadcast in a fresh bot process)",
        [
            "run",
            "limit",
            "requests",
            "window s",
            "msg/s",
            "excl. waits",
            "429 inj/lim",
            "403",
            "dup",
            "lost",
            "start→end s",
            "bot CPU ms/del",
            "DB cmds/del",
            "stalls n/s, overrun s",
            "RSS before MB",
            "peak growth MB",
            "sampled MB",
        ],
        rows,
    )
    db_by_target = Counter(unlimited.child["db_by_target"])
    notes = [
        "driven through the app's Broadcaster service (Broadcaster.start, as the Send button) with the real "
        "aiogram Bot/AiohttpSession over HTTP to the fake Telegram (tests/support/fake_telegram); not through "
        "the compose/preview dialogue",
        f"rate scaled up: BROADCAST_RATE_PER_SECOND = fake's limit = {rate:g}/s (production default "
        f"{PRODUCTION_RATE:g}/s); the fake's token bucket allows a 1 s burst",
        f"{100 // BLOCK_EVERY} % of users blocked the bot (403), {GONE_USERS} already unreachable in "
        f"the DB; {INJECT_COUNT}× 429 retry_after={RETRY_AFTER} s injected in a row at {INJECT_AT:.0%} of the large "
        "paced run",
        "rate = requests to recipients (any answer) per second at the fake, first to last request",
        "RSS: each size in a fresh bot process (bench/_broadcast_child.py, forked from an import-only server) "
        "holding only the bot side; peak = "
        "kernel VmHWM reset via /proc/self/clear_refs right before Broadcaster.start, minus VmRSS at that moment "
        "(after imports, DB connect, first Bot API call); 'sampled' = the same from a 20 ms RSS sampler",
        "no limit: BROADCAST_RATE_PER_SECOND raised to 1e9 via model_copy (the setting validates ≤ 1000), "
        "the fake unlimited; the bot, nx-27017 and the fake share the machine's 2 cores",
        "DB commands in the no-limit run: " + ", ".join(f"{k} {v:,}" for k, v in db_by_target.most_common(8)),
        f"machine load average (1 min) {load[0][0]:.2f} before, {load[1][0]:.2f} after: the 2 cores are shared "
        "with other work, so rates vary between runs",
    ]
    for o in broadcasts:
        if not o.db_ok:
            notes.append(f"DB CHECK FAILED in '{o.spec.name}': " + "; ".join(o.db_checks))
    if profiled is not None and profiled.child.get("profile_lines"):
        notes += profiled.child["profile_lines"]
    return Result(
        key=KEY,
        title=f"Broadcast — {ctx.server}",
        metrics=metrics,
        notes=notes,
        tables=[table],
        details={
            "sizes": [small, large],
            "rate": rate,
            "production_rate": PRODUCTION_RATE,
            "driven_through": (
                "app.services.broadcast.runner.Broadcaster + aiogram AiohttpSession → fake Bot API (HTTP)"
            ),
            "runs": [
                {
                    "name": o.spec.name,
                    "users": o.spec.users,
                    "rate": o.spec.rate,
                    "mode": o.spec.mode,
                    "requests": o.requests,
                    "window_s": round(o.window_s, 4),
                    "rate_all": round(o.rate_all, 2),
                    "rate_active": round(o.rate_active, 2),
                    "injected_429": o.injected,
                    "limiter_429": o.limiter_429,
                    "forbidden": o.forbidden,
                    "other_errors": o.other_errors,
                    "duplicates": o.duplicates,
                    "lost": o.lost,
                    "gone_received": o.gone_received,
                    "growth_mb": round(o.growth_mb, 2),
                    "sampled_growth_mb": round(o.sampled_growth_mb, 2),
                    "db_checks": o.db_checks,
                    "child": {k: v for k, v in o.child.items() if k != "profile_lines"},
                }
                for o in outcomes
            ],
        },
    )


# ---------------------------------------------------------------------------------------------
# Stand-alone entry point (bench/run.py calls `run` instead)


async def main_async(args: argparse.Namespace) -> int:
    from bench.run import run_alone

    options = {
        "broadcast_users": args.users,
        "broadcast_small_users": args.small_users,
        "broadcast_rate": args.rate,
        "broadcast_profile": args.profile,
        "broadcast_unpaced_users": args.unpaced_users,
        "broadcast_production_users": args.production_users,
    }
    return await run_alone("broadcast", run, options, args.quick, args.results)


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES[0]:,} and {QUICK_SIZES[1]:,}")
    parser.add_argument("--users", type=int, help=f"the large size (default {FULL_SIZES[1]:,})")
    parser.add_argument("--small-users", type=int, help=f"the small size (default {FULL_SIZES[0]:,})")
    parser.add_argument(
        "--unpaced-users",
        type=int,
        help=f"users of the no-limit run and its baseline (default: the large size; --quick {QUICK_UNPACED_USERS})",
    )
    parser.add_argument(
        "--production-users",
        type=int,
        help=f"users of an extra run at the production rate {PRODUCTION_RATE:g}/s "
        f"(default {PRODUCTION_USERS}; --quick: none)",
    )
    parser.add_argument("--rate", type=float, help=f"configured rate = the fake's limit (default {RATE:g}/s)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more no-limit run under pyinstrument → bench/results/profile_broadcast.txt",
    )
    parser.add_argument("--results", metavar="PATH", help="JSON file to merge into (default bench/results/latest.json)")
    args = parser.parse_args()
    args.results = Path(args.results).resolve() if args.results else None
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
