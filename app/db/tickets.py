"""tickets: one document per ticket; `number` is the human #N from the counters collection.

Query shapes follow app/db/shapes.py (explicit `$eq`, counts as `$group` on None, no dates in
filters), so both MongoDB and the embedded nx-27017 serve them from an index. Here:
- the "Finished" window filters `finished_ts`, epoch milliseconds present only on
  closed/rejected tickets, on its own index;
- status counts come from one maintained document (`ticket_counts`), not from reading the
  tickets: every write below that creates a ticket or changes its status adjusts it, and it is
  rebuilt from the tickets at start-up and after a restore (`prepare`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from app.db.shapes import count, eq
from app.db.ticket_migrations import migrate
from app.db.ticket_search import Matches, TicketSearchIndex
from app.models.paging import Page, clamp_page
from app.models.tickets import (
    ACTIVE_STATUSES,
    RATING_MIN,
    WORKED_STATUSES,
    Feedback,
    QueueView,
    StatusChange,
    Ticket,
    TicketStatus,
    epoch_ms,
    finished_stamp,
    is_reopen,
    waiting_stamp,
)
from app.models.users import Person

logger = logging.getLogger(__name__)

QUEUE_ORDER = [("priority", DESCENDING), ("created_at", ASCENDING), ("number", ASCENDING)]
FINISHED_ORDER = [("finished_ts", DESCENDING), ("number", DESCENDING)]
OWNER_ORDER = [("created_at", DESCENDING), ("number", DESCENDING)]
FINISHED_WINDOW = timedelta(days=30)
COUNTS_COLLECTION = "ticket_counts"
COUNTS_ID = "by_status"


TICKETS_COLLECTION = "tickets"


class TicketRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[TICKETS_COLLECTION]
        self.counts = db[COUNTS_COLLECTION]
        self.search_index = TicketSearchIndex(db, self.counts)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("number", unique=True)
        # The staff queue: status filter, critical first, oldest first.
        # Ends like QUEUE_ORDER, so a queue page is read straight off the index, with no sort in memory.
        await self.collection.create_index(
            [("status", ASCENDING), ("priority", DESCENDING), ("created_at", ASCENDING), ("number", ASCENDING)]
        )
        # "My tickets": one user's tickets by status, newest first.
        await self.collection.create_index([("user_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)])
        # Staff filters: one admin's work, and recently finished tickets.
        await self.collection.create_index([("assignee.id", ASCENDING), ("status", ASCENDING)])
        # "Finished, last 30 days": only closed/rejected tickets carry finished_ts.
        await self.collection.create_index(FINISHED_ORDER)
        # The queue's category filter: each view's index with the category in front.
        await self.collection.create_index(
            [
                ("category", ASCENDING),
                ("status", ASCENDING),
                ("priority", DESCENDING),
                ("created_at", ASCENDING),
                ("number", ASCENDING),
            ]
        )
        await self.collection.create_index([("category", ASCENDING), *FINISHED_ORDER])
        # Reports: the tickets opened in a period, and those reopened since a moment (app/db/reports.py).
        await self.collection.create_index([("created_ts", ASCENDING)])
        await self.collection.create_index([("reopened_ts", ASCENDING)])
        # The waiting job: tickets waiting since before a moment.
        await self.collection.create_index([("status", ASCENDING), ("waiting_ts", ASCENDING)])
        await self.search_index.ensure_indexes()

    async def insert(self, ticket: Ticket) -> Ticket:
        doc = ticket.to_doc()
        result = await self.collection.insert_one(doc)
        ticket.id = result.inserted_id
        await self._count_in({ticket.status.value: 1})
        await self.search_index.add([doc])
        return ticket

    async def insert_many(self, tickets: list[Ticket]) -> None:
        """Many at once (seeding, imports), counted like single inserts."""
        if not tickets:
            return
        docs = [ticket.to_doc() for ticket in tickets]
        await self.collection.insert_many(docs, ordered=True)
        added: dict[str, int] = {}
        for ticket in tickets:
            added[ticket.status.value] = added.get(ticket.status.value, 0) + 1
        await self._count_in(added)
        await self.search_index.add(docs)

    async def get(self, number: int) -> Ticket | None:
        doc = await self.collection.find_one({"number": eq(number)})
        return Ticket.from_doc(doc) if doc else None

    async def search(
        self, terms: tuple[str, ...], page: int, per_page: int, owner: int | None = None
    ) -> tuple[Page[Ticket], bool]:
        """Tickets having every term (app/models/search.py), newest first; `owner`: only theirs.
        The flag: only the newest matches of a very common word were looked at."""
        within = None
        if owner is not None:
            cursor = self.collection.find({"user_id": eq(owner)}, {"number": 1})
            within = [int(doc["number"]) async for doc in cursor]
        matches: Matches = await self.search_index.search(terms, page, per_page, within)
        by_number = {ticket.number: ticket for ticket in await self._by_numbers(matches.numbers)}
        items = [by_number[n] for n in matches.numbers if n in by_number]
        return Page(items, matches.page, matches.total, per_page), matches.cut

    async def _by_numbers(self, numbers: list[int]) -> list[Ticket]:
        """A page of tickets by number, one indexed lookup each (an `$in` makes nx-27017 scan)."""
        found = []
        for number in numbers:
            ticket = await self.get(number)
            if ticket is not None:
                found.append(ticket)
        return found

    async def latest_of_user(self, user_id: int) -> Ticket | None:
        doc = await self.collection.find_one({"user_id": eq(user_id)}, sort=[("created_at", DESCENDING)])
        return Ticket.from_doc(doc) if doc else None

    async def page_of_user(self, user_id: int, statuses: list[str], page: int, per_page: int) -> Page[Ticket]:
        query = {"user_id": eq(user_id), "status": {"$in": statuses}}
        return await self._page(query, OWNER_ORDER, page, per_page)

    async def queue_page(
        self,
        view: QueueView,
        viewer_id: int,
        page: int,
        per_page: int,
        counts: dict[str, int] | None = None,
        category: int | None = None,
    ) -> Page[Ticket]:
        """One page of a staff queue view (of one category). With the status counts (the queue's
        header reads them anyway), a view of whole statuses takes its total from them instead of
        counting again."""
        query, order = queue_query(view, viewer_id, datetime.now(UTC), category)
        statuses = WHOLE_STATUS_VIEWS.get(view) if category is None else None
        total = sum(counts.get(s, 0) for s in statuses) if counts is not None and statuses else None
        return await self._page(query, order, page, per_page, total)

    async def _page(
        self, query: dict[str, Any], sort: list[tuple[str, int]], page: int, per_page: int, total: int | None = None
    ) -> Page[Ticket]:
        """Counted first, so a page past the end (the list shrank under the buttons) becomes the last one."""
        if total is None:
            total = await self._count(query)
        page = clamp_page(page, total, per_page)
        cursor = self.collection.find(query).sort(sort).skip(page * per_page).limit(per_page)
        return Page([Ticket.from_doc(doc) async for doc in cursor], page, total, per_page)

    async def _count(self, query: dict[str, Any]) -> int:
        return await count(self.collection, query)

    async def count_by_status(self) -> dict[str, int]:
        doc = await self.counts.find_one({"_id": COUNTS_ID}) or {}
        return {status.value: max(0, int(doc.get(status.value, 0))) for status in TicketStatus}

    async def recount_by_status(self) -> dict[str, int]:
        """Counted from the tickets themselves (one index range per status)."""
        return {status.value: await self._count({"status": eq(status.value)}) for status in TicketStatus}

    async def _count_in(self, changes: dict[str, int]) -> None:
        await self.counts.update_one({"_id": COUNTS_ID}, {"$inc": changes}, upsert=True)

    async def prepare(self) -> None:
        """After start-up and after a restore: give old tickets the fields today's queries use,
        then rebuild the status counts. Idempotent; a second run finds nothing to do."""
        await migrate(self.collection)
        counts = await self.recount_by_status()
        await self.counts.update_one({"_id": COUNTS_ID}, {"$set": counts}, upsert=True)
        await self.search_index.prepare(self.collection)

    async def change_status(
        self,
        number: int,
        condition: dict[str, Any],
        change: StatusChange,
        assignee: Person | bool | None = False,
    ) -> Ticket | None:
        """Apply `change` only if the ticket is still in `change.from_status` and matches
        `condition`; None if it did not.

        The condition and the update are one atomic operation, so when two admins act on
        the same ticket at once exactly one of them wins. `assignee=False` leaves it as is.
        """
        update: dict[str, Any] = {
            "status": change.to_status.value,
            "updated_at": change.at,
            **finished_stamp(change.to_status, change.at),
        }
        if assignee is not False:
            update["assignee"] = assignee.to_doc() if isinstance(assignee, Person) else None
        if change.from_status is not change.to_status:  # a hand-over keeps a wait's clock running
            update.update(waiting_stamp(change.to_status, change.at))
        operations: dict[str, Any] = {"$set": update, "$push": {"history": change.to_doc()}}
        unset = {} if change.to_status is TicketStatus.WAITING else {"waiting_ts": "", "waiting_reminded": ""}
        if change.to_status.is_active:
            unset["finished_ts"] = ""
            unset["feedback"] = ""  # a reopened ticket's earlier feedback was about another ending
            unset["sla_met"] = ""  # …and so was the judgement of its targets
        if unset:
            operations["$unset"] = unset
        if is_reopen(change):  # the stamps reports count reopens by (reopen_stamps)
            moment = epoch_ms(change.at)
            operations["$set"]["reopened_ts"] = moment
            operations["$push"]["reopens"] = moment
        if change.from_status is TicketStatus.NEW and change.to_status is TicketStatus.IN_PROGRESS:
            # The first response: a ticket reopened to the queue and taken again keeps the earlier one.
            operations["$min"] = {"response_ts": epoch_ms(change.at)}
        if change.from_status is None:
            raise ValueError("a status change must say which status it leaves")
        # The status the change leaves is part of the condition, so the counts' adjustment is exact.
        doc = await self.collection.find_one_and_update(
            {**condition, "number": eq(number), "status": eq(change.from_status.value)},
            operations,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return None
        if change.from_status is not change.to_status:
            await self._count_in({change.from_status.value: -1, change.to_status.value: 1})
        return Ticket.from_doc(doc)

    async def waiting_since(self, before_ms: int, *, unreminded: bool = False) -> list[tuple[int, int]]:
        """(number, waiting_ts) of tickets waiting since `before_ms` or earlier (not yet reminded)."""
        query: dict[str, Any] = {"status": eq(TicketStatus.WAITING.value), "waiting_ts": {"$lte": before_ms}}
        if unreminded:
            query["waiting_reminded"] = eq(False)
        cursor = self.collection.find(query, {"number": 1, "waiting_ts": 1}).sort([("waiting_ts", ASCENDING)])
        return [(int(doc["number"]), int(doc["waiting_ts"])) async for doc in cursor]

    async def mark_reminded(self, number: int, waiting_ts: int) -> Ticket | None:
        """The ticket, once per wait: only the caller that flips the flag gets it (and reminds)."""
        doc = await self.collection.find_one_and_update(
            {
                "number": eq(number),
                "status": eq(TicketStatus.WAITING.value),
                "waiting_ts": eq(waiting_ts),
                "waiting_reminded": eq(False),
            },
            {"$set": {"waiting_reminded": True}},
            return_document=ReturnDocument.AFTER,
        )
        return Ticket.from_doc(doc) if doc else None

    async def set_awaiting_staff(self, number: int, awaiting: bool) -> None:
        """The queue's 💬: set when the employee writes, cleared when staff reply (kept on the
        ticket so a queue page needs no query per ticket)."""
        await self.collection.update_one({"number": eq(number)}, {"$set": {"awaiting_staff": awaiting}})

    async def mark_awaiting_staff(self, number: int, owner_id: int) -> Ticket | None:
        """`owner_id`'s active ticket, marked as waiting for staff by the command that reads it
        (the employee's message about to be sent is why); None: no such active ticket of theirs."""
        return await self._flag(
            {"number": eq(number), "user_id": eq(owner_id), "status": {"$in": ACTIVE_STATUSES}}, awaiting=True
        )

    async def clear_awaiting_staff(self, number: int, assignee_id: int | None) -> Ticket | None:
        """The worked ticket (of `assignee_id`; of anyone's when None: the super-admin) that staff
        are replying to, its 💬 cleared by the command that reads it; None: no such ticket.
        The same rule as `reply_refusal` (app/models/conversation.py), as a filter."""
        query: dict[str, Any] = {"number": eq(number), "status": {"$in": WORKED_STATUSES}}
        if assignee_id is not None:
            query["assignee.id"] = eq(assignee_id)
        return await self._flag(query, awaiting=False)

    async def _flag(self, query: dict[str, Any], *, awaiting: bool) -> Ticket | None:
        doc = await self.collection.find_one_and_update(
            query, {"$set": {"awaiting_staff": awaiting}}, return_document=ReturnDocument.AFTER
        )
        return Ticket.from_doc(doc) if doc else None

    async def highest_number(self) -> int:
        """The largest ticket number in use (0 when there are no tickets); uses the unique index."""
        doc = await self.collection.find_one({}, {"number": 1}, sort=[("number", DESCENDING)])
        number = doc.get("number") if doc else None
        return number if isinstance(number, int) else 0

    async def numbers_assigned_to(self, admin_id: int) -> list[int]:
        cursor = self.collection.find({"assignee.id": eq(admin_id), "status": {"$in": WORKED_STATUSES}}, {"number": 1})
        return [int(doc["number"]) async for doc in cursor]

    async def workloads(self) -> dict[int, int]:
        """How many tickets each staff member has in work (in progress or waiting)."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": {"$in": WORKED_STATUSES}}},
            {"$group": {"_id": "$assignee.id", "n": {"$sum": 1}}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return {int(doc["_id"]): int(doc["n"]) async for doc in cursor if isinstance(doc.get("_id"), int)}

    # --- SLA: the watch job's reads and its once-per-stage marks --------------------------------

    async def sla_watched(self) -> list[Ticket]:
        """Active tickets the SLA watch has still something to do for: not yet past their
        resolution target (the last reminder), or marked overdue (the mark goes when it ends)."""
        query = {
            "status": {"$in": ACTIVE_STATUSES},
            "$or": [{"sla_resolution_breached": {"$exists": False}}, {"sla_overdue": eq(True)}],
        }
        return [Ticket.from_doc(doc) async for doc in self.collection.find(query)]

    async def mark_sla_stage(self, number: int, stage: str) -> bool:
        """True once per ticket and stage (e.g. "response_warned"): the one reminder of it."""
        # Flat fields set only once, matched by their absence: nx-27017 does not match a missing
        # field with `$ne`, which MongoDB does; `$exists: false` means the same on both.
        field = f"sla_{stage}"
        result = await self.collection.update_one(
            {"number": eq(number), field: {"$exists": False}}, {"$set": {field: True}}
        )
        return result.modified_count == 1

    async def set_sla_met(self, number: int, met: bool) -> None:
        """A finished ticket's judgement against its targets (what reports count)."""
        await self.collection.update_one({"number": eq(number)}, {"$set": {"sla_met": met}})

    async def set_overdue(self, number: int, overdue: bool) -> None:
        """The queue's 🔥: kept on the ticket by the SLA watch, like 💬 (no computing per queue line)."""
        await self.collection.update_one({"number": eq(number)}, {"$set": {"sla_overdue": overdue}})

    # --- the employee's feedback on a closed ticket: each step once, in order -----------------

    async def record_solved(self, number: int, user_id: int, at: datetime) -> Ticket | None:
        """«👍 Yes»: only the owner, only on a closed ticket not answered yet."""
        feedback = Feedback(solved=True, at=at)
        return await self._feedback(number, user_id, {"feedback": eq(None)}, {"feedback": feedback.to_doc()})

    async def record_rating(self, number: int, user_id: int, rating: int) -> Ticket | None:
        return await self._feedback(
            number, user_id, {"feedback.solved": eq(True), "feedback.rating": eq(None)}, {"feedback.rating": rating}
        )

    async def record_rating_comment(self, number: int, user_id: int, comment: str) -> Ticket | None:
        condition = {"feedback.rating": {"$gte": RATING_MIN}, "feedback.comment": eq(None)}
        return await self._feedback(number, user_id, condition, {"feedback.comment": comment})

    async def _feedback(
        self, number: int, user_id: int, condition: dict[str, Any], values: dict[str, Any]
    ) -> Ticket | None:
        doc = await self.collection.find_one_and_update(
            {
                "number": eq(number),
                "user_id": eq(user_id),
                "status": eq(TicketStatus.CLOSED.value),
                **condition,
            },
            {"$set": values},
            return_document=ReturnDocument.AFTER,
        )
        return Ticket.from_doc(doc) if doc else None


# Views that list every ticket of some statuses (their totals are the status counts).
WHOLE_STATUS_VIEWS = {QueueView.NEW: [TicketStatus.NEW.value], QueueView.IN_WORK: WORKED_STATUSES}


def queue_query(
    view: QueueView, viewer_id: int, now: datetime, category: int | None = None
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The filter and order of a staff queue view, of one category if given (each view's shape
    then leads with `category`, which its own index serves)."""
    query, order = _view_query(view, viewer_id, now)
    return ({"category": eq(category), **query} if category is not None else query), order


def _view_query(view: QueueView, viewer_id: int, now: datetime) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The filter and order of a staff queue view (shapes: see the module's docstring)."""
    if view is QueueView.FINISHED:
        return {"finished_ts": {"$gte": epoch_ms(now - FINISHED_WINDOW)}}, FINISHED_ORDER
    if view is QueueView.NEW:
        return {"status": eq(TicketStatus.NEW.value)}, QUEUE_ORDER
    if view is QueueView.MINE:
        return {"status": {"$in": WORKED_STATUSES}, "assignee.id": eq(viewer_id)}, QUEUE_ORDER
    return {"status": {"$in": WORKED_STATUSES}}, QUEUE_ORDER  # IN_WORK, as WHOLE_STATUS_VIEWS says
