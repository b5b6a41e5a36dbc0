"""The staff queue and «My tickets» at help-desk scale, timed through the app's own code.

What is measured
  p50/p95 latency of what staff and users open most, called exactly as the handlers call it,
  on N synthetic tickets (bench/seed.py: 5 % new, 2 % in work, the rest finished, three years of
  history, ~8 tickets per user), loaded through `TicketRepository.insert_many` like any ticket:
    * every staff queue view (New, Mine, All in work, Finished) at page 0 and page 50 —
      `render_queue` of app/handlers/admin/queue.py: the header's status counts, the page's
      count and find, and the rendering (a page past the end shows the last page, as the app does);
    * each view at page 0 filtered to one category (Printers, ~15 % of the tickets: bench/seed.py);
    * «My tickets», active and history — `TicketService.page_for_owner` for a random user;
    * the header's status counts alone — `count_by_status`;
    * a ticket by number — `get`; the form's first step — `latest_of_user`;
    * Take and Close — `TicketActions.take` / `.close` (the atomic update, history, counts and
      audit; the owner's Telegram notice is replaced by a no-op, it is no database work).
  The plan of each view's find comes from the server: SQLite's EXPLAIN QUERY PLAN through
  nx-27017's `explain` (nx-27017 cannot explain aggregates), MongoDB's winning plan with
  MONGODB_URI.

Sizes: 50,000 and 200,000 tickets (`-o queue_sizes=…`, comma-separated); --quick: 2,000 and 10,000.

Baseline
  The same server's cheapest read, `find_one({"_id": ...})` on the same collection, measured in
  the same run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram.utils.i18n import I18n
from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure

from app.db.repositories import Repositories
from app.db.tickets import queue_query
from app.handlers.admin.queue import PAGE_SIZE, render_queue
from app.models.tickets import QueueView, StatusChange, Ticket
from app.models.users import Person, User
from app.services.notifications import Notifier
from app.services.tickets.actions import TicketActions
from app.services.tickets.service import TicketService
from app.utils.i18n import create_i18n
from bench.common import BenchContext, Metric, Result, Table, bench_client, percentile
from bench.seed import SeedPlan, now_utc, ticket_docs
from config import load_settings

KEY = "queue"
ORDER = 20  # position in bench/run.py's table
FULL_SIZES, QUICK_SIZES = (50_000, 200_000), (2_000, 10_000)
FULL_REPS, QUICK_REPS = 30, 8
BATCH = 5_000
TARGET_P95_MS = 50.0
VIEWER_ID = 700_000_001
ADMINS = [Person(VIEWER_ID + i, f"Admin {i}") for i in range(6)]
VIEWS = [QueueView.NEW, QueueView.MINE, QueueView.IN_WORK, QueueView.FINISHED]
FILTER_CATEGORY = 5  # Printers in the default catalogue


class SilentNotifier(Notifier):
    """Take/Close without Telegram: the owner's notice is not database work."""

    def __init__(self) -> None:  # no bot: nothing is sent; the defaults' SLA targets judge a Close
        self.settings = load_settings(_env_file=None, BOT_TOKEN="1:bench", SUPERADMIN_ID=1)

    async def status_changed(self, ticket: Ticket, change: StatusChange) -> bool:
        return True


@dataclass(slots=True)
class Query:
    name: str
    run: Callable[[random.Random], Awaitable[Any]]
    judged: bool = True  # held to the p95 target


async def load(repos: Repositories, plan: SeedPlan, ctx: BenchContext) -> float:
    """Insert the plan's tickets through the repository in batches; returns docs/s."""
    began = time.perf_counter()
    batch: list[Ticket] = []
    done = 0
    for doc in ticket_docs(plan, now_utc(), ADMINS):
        batch.append(Ticket.from_doc(doc))
        if len(batch) == BATCH:
            await repos.tickets.insert_many(batch)
            done += len(batch)
            batch = []
            if done % max(BATCH, plan.tickets // 5) == 0:
                ctx.log(f"inserted {done:,} of {plan.tickets:,} ({done / (time.perf_counter() - began):,.0f} docs/s)")
    await repos.tickets.insert_many(batch)
    return plan.tickets / (time.perf_counter() - began)


def queries(repos: Repositories, i18n: I18n, plan: SeedPlan, some_id: ObjectId, rng: random.Random) -> list[Query]:
    tickets = TicketService(repos)
    actions = TicketActions(repos, SilentNotifier())
    viewer = User(VIEWER_ID, "Admin", None, None, "en", datetime.now(UTC), is_admin=True)
    filtering = User(VIEWER_ID, "Admin", None, None, "en", datetime.now(UTC), is_admin=True)
    filtering.queue_category = FILTER_CATEGORY
    taken: list[int] = []  # tickets the Take runs took, for the Close runs

    def random_user(r: random.Random) -> int:
        return plan.first_user_id + r.randrange(plan.users)

    def random_number(r: random.Random) -> int:
        return plan.first_number + r.randrange(plan.tickets)

    def view(queue_view: QueueView, page: int, who: User = viewer) -> Callable[[random.Random], Awaitable[Any]]:
        async def run(r: random.Random) -> Any:
            with i18n.context(), i18n.use_locale("en"):
                return await render_queue(repos, who, queue_view, page)

        return run

    async def take(r: random.Random) -> Any:
        page = await repos.tickets.queue_page(QueueView.NEW, VIEWER_ID, r.randrange(5), PAGE_SIZE)
        number = r.choice(page.items).number
        result = await actions.take(number, ADMINS[0])
        taken.append(number)
        return result

    async def close(r: random.Random) -> Any:
        number = taken.pop() if taken else random_number(r)
        return await actions.close(number, ADMINS[0], superadmin=True, comment="done")

    items = [Query(f"queue {v.name.lower().replace('_', ' ')}, page {p}", view(v, p)) for v in VIEWS for p in (0, 50)]
    items += [Query(f"queue {v.name.lower().replace('_', ' ')} · one category", view(v, 0, filtering)) for v in VIEWS]
    items += [
        Query("«My tickets» active", lambda r: tickets.page_for_owner(random_user(r), history=False, page=0)),
        Query("«My tickets» history", lambda r: tickets.page_for_owner(random_user(r), history=True, page=0)),
        Query("status counts (queue header)", lambda r: repos.tickets.count_by_status()),
        Query("ticket by number", lambda r: repos.tickets.get(random_number(r))),
        Query("form step 1: latest_of_user", lambda r: repos.tickets.latest_of_user(random_user(r))),
        Query("Take", take),
        Query("Close", close),
        Query("baseline: find_one by _id", lambda r: repos.tickets.collection.find_one({"_id": some_id}), False),
    ]
    return items


async def explain_find(collection: AsyncCollection[dict[str, Any]], query: dict[str, Any], sort: Any) -> str:
    command = {"find": collection.name, "filter": query, "sort": dict(sort), "limit": PAGE_SIZE}
    try:
        doc = await collection.database.command({"explain": command, "verbosity": "queryPlanner"})
    except OperationFailure as error:
        return f"explain not supported here: {error}"
    winning = doc.get("queryPlanner", {}).get("winningPlan")
    if isinstance(winning, list):  # nx-27017: SQLite's EXPLAIN QUERY PLAN rows
        return "SQLite: " + ("; ".join(str(row.get("detail", row)) for row in winning) or "(empty plan)")
    return "MongoDB: " + _stage_chain(winning or {})


def _stage_chain(plan: dict[str, Any]) -> str:
    """MongoDB's plan tree as `LIMIT ← FETCH ← IXSCAN {keys}`; branches in brackets."""
    if "queryPlan" in plan:  # slot-based engine (MongoDB ≥ 7): the classic tree is inside
        plan = plan["queryPlan"]
    stage = str(plan.get("stage", "?"))
    if plan.get("indexName"):
        stage += f" {plan['indexName']}"
    if "inputStage" in plan:
        return f"{stage} ← {_stage_chain(plan['inputStage'])}"
    if "inputStages" in plan:
        return f"{stage} ← [" + " | ".join(_stage_chain(p) for p in plan["inputStages"]) + "]"
    return stage


async def measure(ctx: BenchContext, size: int, reps: int) -> tuple[dict[str, list[float]], list[list[str]], float]:
    client = bench_client(ctx.uri)
    name = ctx.database_name("queue")
    try:
        repos = Repositories.create(client[name])
        await repos.ensure_indexes()
        await repos.categories.seed_defaults()
        plan = SeedPlan(tickets=size)
        insert_rate = await load(repos, plan, ctx)
        ctx.log(f"loaded {size:,} tickets ({insert_rate:,.0f} docs/s)")
        some = await repos.tickets.collection.find_one({}, {"_id": 1})
        assert some is not None
        rng = random.Random(11)
        items = queries(repos, create_i18n("en"), plan, some["_id"], rng)
        samples: dict[str, list[float]] = {q.name: [] for q in items}
        for round_number in range(reps + 2):  # two warm-up rounds
            for query in items:
                began = time.perf_counter()
                await query.run(rng)
                if round_number >= 2:
                    samples[query.name].append((time.perf_counter() - began) * 1000)
        now = datetime.now(UTC)
        plans = []
        for category in (None, FILTER_CATEGORY):
            for queue_view in VIEWS:
                where, order = queue_query(queue_view, VIEWER_ID, now, category)
                label = queue_view.name + (" · one category" if category else "")
                plans.append([f"{size:,}", label, await explain_find(repos.tickets.collection, where, order)])
        return samples, plans, insert_rate
    finally:
        await client.drop_database(name)
        await client.close()


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    configured = ctx.options.get("queue_sizes") or ctx.options.get("queue_size")
    sizes = [int(s) for s in str(configured).split(",")] if configured else list(QUICK_SIZES if quick else FULL_SIZES)
    reps = QUICK_REPS if quick else FULL_REPS
    metrics: list[Metric] = []
    plan_rows: list[list[str]] = []
    details: dict[str, Any] = {"sizes": sizes, "reps": reps, "samples_ms": {}}
    for size in sizes:
        samples, plans, insert_rate = await measure(ctx, size, reps)
        plan_rows += plans
        baseline = samples.pop("baseline: find_one by _id")
        base50, base95 = percentile(baseline, 50), percentile(baseline, 95)
        for name, values in samples.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            label = f"{name} @ {size:,}"
            metrics.append(Metric(f"{label} p50", p50, "ms", base50))
            metrics.append(Metric(f"{label} p95", p95, "ms", base95, f"< {TARGET_P95_MS:g} ms", p95 < TARGET_P95_MS))
        metrics.append(Metric(f"loading through the repository @ {size:,}", insert_rate, "docs/s"))
        details["samples_ms"][str(size)] = {n: [round(v, 3) for v in vs] for n, vs in samples.items()}
    return [
        Result(
            key=KEY,
            title=f"Queue views through the app's code at {', '.join(f'{s:,}' for s in sizes)} tickets — {ctx.server}",
            metrics=metrics,
            notes=[
                f"{reps} timed runs per query after 2 warm-up runs; random user / number per run; baseline column ="
                " find_one by _id on the same collection, same run",
                "views are render_queue (header counts + count + find + rendering); page 50 of a view with fewer pages "
                "shows its last page, as the app does",
            ],
            details=details,
            tables=[Table("Query plans of the views' finds (explain)", ["tickets", "view", "plan"], plan_rows)],
        )
    ]
