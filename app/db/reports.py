"""Reports over the tickets: aggregations the database runs, returning a few rows per period.

Every pipeline starts with a `$match` on one epoch-ms stamp (`created_ts`, `finished_ts`,
`reopened_ts`) that its own index serves, so a report reads the period's tickets only, and
hands back counts per group plus, where a percentile is needed, the durations of that group
(one number per ticket: nearest-rank percentiles are picked from them in Python, since neither
`$percentile` nor `$median` runs on nx-27017 and sorting in the database measured slower).

What nx-27017 0.8.1 runs in SQL (its "tier 1") and what we therefore keep to, checked against
the same computation in Python by tests/e2e/test_stats.py:
- `$group` on a field path (never a computed or compound `_id`: those silently go to a Python
  scan of the whole collection, or return the literal field names);
- accumulators `$sum`, `$push`, `$max`; `$cond` only in its `{if, then, else}` form;
- `$bucket` on a stamp with the day boundaries (it returns a `$push` as a JSON string; read
  through `_numbers`);
- never `$facet` or `$unwind` (Python, whole collection) — the reopens of a period are the
  stamps of the few tickets `$match` finds, counted here; no `_id: 0` in a `$project` (the same).
`$sum` of a field no document has gives null on nx (0 on MongoDB): read through `_int`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.db.shapes import eq
from app.db.tickets import TICKETS_COLLECTION
from app.models.reports import NO_CATEGORY, DayCounts, FinishedByAdmin, OpenedByAdmin, OpenedByCategory, Period
from app.models.tickets import Priority, TicketStatus

EXPORT_FIELDS = {
    "number": 1,
    "created_ts": 1,
    "response_ts": 1,
    "finished_ts": 1,
    "status": 1,
    "category": 1,
    "priority": 1,
    "full_name": 1,
    "user_id": 1,
    "assignee": 1,
    "feedback": 1,  # the whole sub-document: nx-27017 projects no dotted path
    "sla": 1,
}
EXPORT_BATCH = 500


# --- SLA: the one place that says whether a finished ticket met its target --------------------
# A ticket is judged when it is closed or rejected (`sla_met`, app/services/tickets/actions.py);
# tickets finished before SLA targets existed carry no judgement and are not counted.
# SLA_MET is 1 for a finished ticket that met its targets, SLA_COUNTED 1 for one that was judged;
# `sla_met_of` is the same rule for one exported ticket. ($cond in its {if, then, else} form: the
# one nx-27017 translates to SQL.)


def _when_sla_met(value: bool, then: Any) -> dict[str, Any]:
    return {"$cond": {"if": {"$eq": ["$sla_met", value]}, "then": 1, "else": then}}


SLA_MET: dict[str, Any] | int = _when_sla_met(True, 0)
SLA_COUNTED: dict[str, Any] | int = _when_sla_met(True, _when_sla_met(False, 0))


def sla_met_of(doc: dict[str, Any]) -> bool | None:
    """Did this ticket (an export row's document) meet its SLA targets? None: not judged (finished
    before SLA targets existed, or still open). The judgement is made when it is closed or
    rejected (app/services/tickets/actions.py)."""
    met = doc.get("sla_met")
    return met if isinstance(met, bool) else None


# --------------------------------------------------------------------------------------------


def _category_key(value: Any) -> str:
    """The catalogue's id as a report's key (NO_CATEGORY: none)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or value in ("", 0):
        return NO_CATEGORY
    return str(value)


def _cond(condition: dict[str, Any], then: Any, otherwise: Any) -> dict[str, Any]:
    return {"$cond": {"if": condition, "then": then, "else": otherwise}}


def _is_status(status: TicketStatus) -> dict[str, Any]:
    return {"$eq": ["$status", status.value]}


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _numbers(value: Any) -> list[int]:
    """A `$push`ed list of durations, without the nulls of tickets it did not apply to."""
    if isinstance(value, str):  # nx-27017's $bucket hands a pushed array back as JSON text
        value = json.loads(value)
    if not isinstance(value, list):
        return []
    return [int(v) for v in value if isinstance(v, int | float) and not isinstance(v, bool)]


def _admin_id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ReportRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.tickets = db[TICKETS_COLLECTION]

    async def _rows(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [row async for row in await self.tickets.aggregate(pipeline)]

    @staticmethod
    def _opened(period: Period) -> dict[str, Any]:
        return {"$match": {"created_ts": {"$gte": period.start_ms, "$lt": period.end_ms}}}

    @staticmethod
    def _finished(period: Period) -> dict[str, Any]:
        return {"$match": {"finished_ts": {"$gte": period.start_ms, "$lt": period.end_ms}}}

    async def opened_by_category(self, period: Period) -> list[OpenedByCategory]:
        """Pipeline O1: opened in the period, by category, with a count per priority."""
        by_priority = {f"p{p.value}": {"$sum": _cond({"$eq": ["$priority", p.value]}, 1, 0)} for p in Priority}
        rows = await self._rows(
            [self._opened(period), {"$group": {"_id": "$category", "n": {"$sum": 1}, **by_priority}}]
        )
        return [
            OpenedByCategory(
                category=_category_key(row.get("_id")),
                opened=_int(row.get("n")),
                by_priority={p: _int(row.get(f"p{p.value}")) for p in Priority},
            )
            for row in rows
        ]

    async def opened_by_admin(self, period: Period) -> list[OpenedByAdmin]:
        """Pipeline O2: opened in the period, by assignee, with each taken one's time to first response."""
        rows = await self._rows(
            [
                self._opened(period),
                {
                    "$group": {
                        "_id": "$assignee.id",
                        "name": {"$max": "$assignee.name"},
                        "n": {"$sum": 1},
                        "responses": {"$push": {"$subtract": ["$response_ts", "$created_ts"]}},
                    }
                },
            ]
        )
        return [
            OpenedByAdmin(
                admin_id=_admin_id(row.get("_id")),
                name=str(row.get("name") or ""),
                opened=_int(row.get("n")),
                responses=_numbers(row.get("responses")),
            )
            for row in rows
        ]

    async def finished_by_admin(self, period: Period) -> list[FinishedByAdmin]:
        """Pipeline F1: finished in the period, by assignee: closed, rejected, resolution times of
        the closed ones, ratings, SLA."""
        closed = _is_status(TicketStatus.CLOSED)
        rows = await self._rows(
            [
                self._finished(period),
                {
                    "$group": {
                        "_id": "$assignee.id",
                        "name": {"$max": "$assignee.name"},
                        "closed": {"$sum": _cond(closed, 1, 0)},
                        "rejected": {"$sum": _cond(_is_status(TicketStatus.REJECTED), 1, 0)},
                        "resolutions": {"$push": _cond(closed, {"$subtract": ["$finished_ts", "$created_ts"]}, None)},
                        "rated": {"$sum": _cond({"$gte": ["$feedback.rating", 1]}, 1, 0)},
                        "rating_sum": {"$sum": "$feedback.rating"},
                        "sla_met": {"$sum": SLA_MET},
                        "sla_counted": {"$sum": SLA_COUNTED},
                    }
                },
            ]
        )
        return [
            FinishedByAdmin(
                admin_id=_admin_id(row.get("_id")),
                name=str(row.get("name") or ""),
                closed=_int(row.get("closed")),
                rejected=_int(row.get("rejected")),
                resolutions=_numbers(row.get("resolutions")),
                rated=_int(row.get("rated")),
                rating_sum=_int(row.get("rating_sum")),
                sla_met=_int(row.get("sla_met")),
                sla_counted=_int(row.get("sla_counted")),
            )
            for row in rows
        ]

    async def by_day(self, period: Period) -> list[DayCounts]:
        """Pipelines D1 and D2: per local day (boundaries from `period`), the tickets opened with
        their times to first response, and the tickets closed and rejected."""
        bounds = period.bounds
        opened = await self._rows(
            [
                self._opened(period),
                {
                    "$bucket": {
                        "groupBy": "$created_ts",
                        "boundaries": bounds,
                        "output": {
                            "n": {"$sum": 1},
                            "responses": {"$push": {"$subtract": ["$response_ts", "$created_ts"]}},
                        },
                    }
                },
            ]
        )
        finished = await self._rows(
            [
                self._finished(period),
                {
                    "$bucket": {
                        "groupBy": "$finished_ts",
                        "boundaries": bounds,
                        "output": {
                            "closed": {"$sum": _cond(_is_status(TicketStatus.CLOSED), 1, 0)},
                            "rejected": {"$sum": _cond(_is_status(TicketStatus.REJECTED), 1, 0)},
                        },
                    }
                },
            ]
        )
        opened_at = {row.get("_id"): row for row in opened}
        finished_at = {row.get("_id"): row for row in finished}
        days = []
        for day, start in zip(period.days, bounds, strict=False):
            o, f = opened_at.get(start, {}), finished_at.get(start, {})
            days.append(
                DayCounts(
                    day=day,
                    opened=_int(o.get("n")),
                    closed=_int(f.get("closed")),
                    rejected=_int(f.get("rejected")),
                    responses=_numbers(o.get("responses")),
                )
            )
        return days

    async def reopens(self, period: Period) -> int:
        """Pipeline R1: the tickets reopened since the period began (`reopened_ts`, indexed, is
        each one's latest reopen), each with its reopen stamps; the stamps inside the period are
        counted here — a handful of numbers."""
        rows = await self._rows([{"$match": {"reopened_ts": {"$gte": period.start_ms}}}, {"$project": {"reopens": 1}}])
        return sum(
            1 for row in rows for moment in _numbers(row.get("reopens")) if period.start_ms <= moment < period.end_ms
        )

    async def count_opened(self, period: Period) -> int:
        """The cheapest read over the same range: the bench's baseline."""
        rows = await self._rows([self._opened(period), {"$group": {"_id": None, "n": {"$sum": 1}}}])
        return _int(rows[0].get("n")) if rows else 0

    async def export_rows(self, period: Period) -> AsyncIterator[dict[str, Any]]:
        """The period's tickets (opened in it), oldest first, only the exported fields, in pages of
        EXPORT_BATCH: memory holds one page whatever the period.

        Pages follow `created_ts` (keyset on its index: each page costs the same wherever it is;
        nx-27017 answers one sorted find of the whole range only after reading all of it, past
        the client's timeout at 200,000 tickets). The tickets sharing a page's last stamp are
        read together by number, so a page boundary never splits or repeats them."""
        after = period.start_ms
        while True:
            page = await self._page({"created_ts": {"$gte": after, "$lt": period.end_ms}}, "created_ts")
            if len(page) < EXPORT_BATCH:
                for doc in page:
                    yield doc
                return
            last = page[-1]["created_ts"]
            for doc in page:
                if doc["created_ts"] != last:
                    yield doc
            number = None
            while True:
                query: dict[str, Any] = {"created_ts": eq(last)}
                if number is not None:
                    query["number"] = {"$gt": number}
                same = await self._page(query, "number")
                for doc in same:
                    yield doc
                if len(same) < EXPORT_BATCH:
                    break
                number = same[-1]["number"]
            after = last + 1

    async def _page(self, query: dict[str, Any], order: str) -> list[dict[str, Any]]:
        cursor = (
            self.tickets.find(query, EXPORT_FIELDS, batch_size=EXPORT_BATCH)
            .sort([(order, ASCENDING)])
            .limit(EXPORT_BATCH)
        )
        return [doc async for doc in cursor]


REPORT_STATE_COLLECTION = "report_state"
_DIGEST_PREFIX = "digest:"


class ReportStateRepository:
    """report_state: one document per weekly digest (`_id: "digest:2026-W49"`), written before it
    is sent. Its unique `_id` makes the claim atomic, so a digest goes out once per week whatever
    runs the job (a restart, a second instance); in backups, kept as it is on restore."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[REPORT_STATE_COLLECTION]

    async def claim_digest(self, week: str, at: datetime) -> bool:
        """True for the one caller that may send `week`'s digest."""
        try:
            await self.collection.insert_one({"_id": _DIGEST_PREFIX + week, "claimed_at": at})
        except DuplicateKeyError:
            return False
        return True

    async def digest_sent(self, week: str, at: datetime) -> None:
        await self.collection.update_one({"_id": eq(_DIGEST_PREFIX + week)}, {"$set": {"sent_at": at}})

    async def last_digest_week(self) -> str | None:
        """The latest week a digest was claimed for ("2026-W49"; the ids sort as the weeks do)."""
        doc = await self.collection.find_one(
            {"_id": {"$gte": _DIGEST_PREFIX, "$lt": _DIGEST_PREFIX + "~"}}, sort=[("_id", DESCENDING)]
        )
        return str(doc["_id"]).removeprefix(_DIGEST_PREFIX) if doc else None
