"""Ticket search at help-desk scale, timed through the app's own code.

What is measured
  p50/p95 latency of `render_search` (app/handlers/user/search.py: parse the query, the
  repository's search, rendering the results), called as the handlers call it, on N synthetic
  tickets (bench/seed.py) loaded through `TicketRepository.insert_many` — which writes each
  ticket's search terms too — one query kind per row:
    * exact keys: `#N`, a bare number, a phone typed as 050 123 45 67, @username, a Telegram id;
    * words: a surname (1 in 7 tickets has each), the first letters of one, a description
      word (about 1 in 3 tickets), page 50 of that word, a first name and a surname together,
      a surname and a description word, three description words;
    * an employee's search over their own tickets (a description word).
  The plans come from the server: SQLite's EXPLAIN QUERY PLAN through nx-27017's `explain`,
  MongoDB's winning plan with MONGODB_URI.

Sizes: 50,000 and 200,000 tickets (`-o search_sizes=…`, comma-separated); --quick: 2,000 and 10,000.

Baseline
  The same description word searched the way an unindexed search would: a case-insensitive
  `$regex` over the description (count + the newest page), on the same collection, same run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from app.db.repositories import Repositories
from app.db.shapes import count, eq
from app.handlers.user.search import STAFF_PAGE_SIZE, render_search
from app.models.search import parse_query
from app.models.users import User
from app.utils.i18n import create_i18n
from bench.common import BenchContext, Metric, Result, Table, bench_client, percentile
from bench.queue_views import ADMINS, explain_find, load
from bench.seed import SeedPlan

KEY = "search"
ORDER = 25  # after the queue in bench/run.py's table
FULL_SIZES, QUICK_SIZES = (50_000, 200_000), (2_000, 10_000)
FULL_REPS, QUICK_REPS = 30, 8
BASELINE_REPS = 3  # a scan of every ticket per run (seconds each at 50,000)
SLOW_TIMEOUT_S = 300.0
TARGET_P95_MS = 200.0
BASELINE = "baseline: $regex scan of the description (count + newest page)"


def viewer(user_id: int) -> User:
    return User(user_id, "Bench", None, None, "en", datetime.now(UTC), is_admin=True)


def kinds(plan: SeedPlan) -> list[tuple[str, Callable[[random.Random], str], bool]]:
    """(name, a query for this run, own tickets only)."""

    def number(r: random.Random) -> int:
        return plan.first_number + r.randrange(plan.tickets)

    def user_id(r: random.Random) -> int:
        return plan.first_user_id + r.randrange(plan.users)

    def phone(r: random.Random) -> str:
        digits = f"{r.randrange(10**7):07d}"
        return f"050 {digits[:3]} {digits[3:5]} {digits[5:]}"

    return [
        ("#number", lambda r: f"#{number(r)}", False),
        ("bare number", lambda r: str(number(r)), False),
        ("phone 050 123 45 67", phone, False),
        ("@username", lambda r: f"@user{user_id(r)}", False),
        ("Telegram id", lambda r: str(user_id(r)), False),
        ("surname", lambda r: r.choice(["Petrenko", "Kovalenko", "Shevchenko", "Melnyk"]), False),
        ("surname's first letters", lambda r: r.choice(["Petr", "Koval", "Shev", "Meln"]), False),
        ("description word", lambda r: r.choice(["printer", "network", "password", "keyboard"]), False),
        ("first name + surname", lambda r: r.choice(["Olena Petrenko", "Ivan Melnyk", "Taras Kovalenko"]), False),
        ("surname + description word", lambda r: r.choice(["Petrenko printer", "Melnyk vpn"]), False),
        ("three description words", lambda r: r.choice(["printer third floor", "vpn password error"]), False),
        ("employee's own, a word", lambda r: r.choice(["printer", "network", "monitor"]), True),
    ]


async def measure(ctx: BenchContext, size: int, reps: int) -> tuple[dict[str, list[float]], list[list[str]], float]:
    client = bench_client(ctx.uri)
    slow = bench_client(ctx.uri, timeout_seconds=SLOW_TIMEOUT_S)  # the baseline's scans, the clean-up
    name = ctx.database_name("search")
    try:
        repos = Repositories.create(client[name])
        await repos.ensure_indexes()
        plan = SeedPlan(tickets=size)
        insert_rate = await load(repos, plan, ctx)
        postings = await count(repos.tickets.search_index.terms, {})
        ctx.log(f"loaded {size:,} tickets with {postings:,} search terms ({insert_rate:,.0f} tickets/s)")
        i18n = create_i18n("en")
        rng = random.Random(13)
        samples: dict[str, list[float]] = {}
        runs: list[tuple[str, Callable[[random.Random], Awaitable[Any]]]] = []
        for kind, make, own in kinds(plan):

            async def run(r: random.Random, make: Callable[[random.Random], str] = make, own: bool = own) -> Any:
                who = viewer(plan.first_user_id + r.randrange(plan.users) if own else ADMINS[0].id)
                with i18n.context(), i18n.use_locale("en"):
                    return await render_search(repos, who, make(r), 0, own=own)

            runs.append((kind, run))

        async def deep_page(r: random.Random) -> Any:
            with i18n.context(), i18n.use_locale("en"):
                return await render_search(repos, viewer(ADMINS[0].id), "printer", 50, own=False)

        runs.append(("description word, page 50", deep_page))
        for round_number in range(reps + 2):  # two warm-up rounds
            for kind, timed in runs:
                began = time.perf_counter()
                await timed(rng)
                if round_number >= 2:
                    samples.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
        samples[BASELINE] = await baseline(slow[name]["tickets"], rng)
        return samples, await plans(repos, size), insert_rate
    finally:
        await slow.drop_database(name)
        await slow.close()
        await client.close()


async def baseline(tickets: AsyncCollection[dict[str, Any]], rng: random.Random) -> list[float]:
    values = []
    for _ in range(BASELINE_REPS):
        word = rng.choice(["printer", "network", "password", "keyboard"])
        query = {"description": {"$regex": word, "$options": "i"}}
        began = time.perf_counter()
        await count(tickets, query)
        await tickets.find(query).sort([("number", DESCENDING)]).limit(STAFF_PAGE_SIZE).to_list()
        values.append((time.perf_counter() - began) * 1000)
    return values


async def plans(repos: Repositories, size: int) -> list[list[str]]:
    """How each step of a search is served (explain of its find)."""
    terms = repos.tickets.search_index.terms
    term = parse_query("printer").terms[0]
    ids = [f"{n}:{term}" for n in range(1, 6)]
    steps: list[tuple[str, AsyncCollection[dict[str, Any]], dict[str, Any], Any]] = [
        ("a term's newest tickets", terms, {"t": eq(term)}, [("n", DESCENDING)]),
        ("a candidate has a term (_id $in)", terms, {"_id": {"$in": ids}}, None),
        ("an employee's tickets", repos.tickets.collection, {"user_id": eq(10_000_000)}, None),
        ("a found ticket by number", repos.tickets.collection, {"number": eq(1)}, None),
        ("baseline: $regex", repos.tickets.collection, {"description": {"$regex": "printer", "$options": "i"}}, None),
    ]
    return [
        [f"{size:,}", step, await explain_find(collection, query, sort or [])]
        for step, collection, query, sort in steps
    ]


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    configured = ctx.options.get("search_sizes") or ctx.options.get("search_size")
    sizes = [int(s) for s in str(configured).split(",")] if configured else list(QUICK_SIZES if quick else FULL_SIZES)
    reps = QUICK_REPS if quick else FULL_REPS
    metrics: list[Metric] = []
    plan_rows: list[list[str]] = []
    details: dict[str, Any] = {"sizes": sizes, "reps": reps, "samples_ms": {}}
    for size in sizes:
        samples, plan, insert_rate = await measure(ctx, size, reps)
        plan_rows += plan
        base = samples.pop(BASELINE)
        base50, base95 = percentile(base, 50), percentile(base, 95)
        for kind, values in samples.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            label = f"{kind} @ {size:,}"
            metrics.append(Metric(f"{label} p50", p50, "ms", base50))
            metrics.append(Metric(f"{label} p95", p95, "ms", base95, f"< {TARGET_P95_MS:g} ms", p95 < TARGET_P95_MS))
        metrics.append(Metric(f"{BASELINE} @ {size:,} p95", base95, "ms"))
        metrics.append(Metric(f"loading through the repository (with terms) @ {size:,}", insert_rate, "tickets/s"))
        details["samples_ms"][str(size)] = {n: [round(v, 3) for v in vs] for n, vs in samples.items()}
        details["samples_ms"][str(size)][BASELINE] = [round(v, 3) for v in base]
    return [
        Result(
            key=KEY,
            title=f"Ticket search through the app's code at {', '.join(f'{s:,}' for s in sizes)} tickets"
            f" — {ctx.server}",
            metrics=metrics,
            notes=[
                f"{reps} timed runs per query kind after 2 warm-up runs, a random query of the kind each run;"
                f" baseline column = the same description word as a $regex scan ({BASELINE_REPS} runs), same run",
                "each run is render_search: parse, the index lookups, the page's tickets by number, rendering",
            ],
            details=details,
            tables=[Table("How each step of a search is served (explain)", ["tickets", "step", "plan"], plan_rows)],
        )
    ]
