"""ticket_terms: the search index, one document per (term, ticket): `{_id: "<number>:<term>", t, n}`.

Why documents of their own, not an array of terms on the ticket: nx-27017 (0.8.1) indexes a
field's whole JSON value, not an array's items, so a `{"search": {"$elemMatch": …}}` runs a
`json_each` over every ticket (measured: 105 ms at 20,000 tickets, growing with each). A term
as a scalar field is a plain index range on both engines: `{t: {$eq: term}}` sorted by `n`
descending reads the newest matches straight off the (t, n) index, and counts them from it.

Several terms (all must match): each term's newest CANDIDATES tickets are read off the index;
the rarest term's are the candidates; a term known whole filters them in memory, a commoner one
keeps those whose `_id` `"<number>:<term>"` exists — an `_id` `$in`, which nx-27017 answers from
its primary key (an `$in` or `$or` on any other field makes it scan every document). When every
term is commoner than CANDIDATES, only the newest of them are looked at and the result says so.

The terms come from the ticket's fields (app/models/search.py) and are written by the ticket
repository whenever it writes a ticket; tickets written before the index existed, or loaded by
a restore, are indexed by `prepare` (batched, resumable, logged). `ticket_counts` holds its
progress: the version of the terms and the highest ticket number indexed so far.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from app.db.shapes import count, eq
from app.models.paging import clamp_page
from app.models.search import ticket_terms

logger = logging.getLogger(__name__)

TERMS_COLLECTION = "ticket_terms"
STATE_ID = "search_index"
# Bump when ticket_terms() changes: the next start-up indexes every ticket again.
TERMS_VERSION = 1
CANDIDATES = 1_000  # tickets of the rarest term a several-term search looks at
CHECK_BATCH = 500  # `_id`s per `$in`
READ_MIN, READ_MAX = 4, 1_000  # tickets read at a time when (re)indexing
READ_CHARS = 1_000_000  # above this much text in a batch, the next one is smaller
WRITE_BATCH = 5_000  # terms per insert
LOG_EVERY = 10_000  # tickets indexed between progress lines
DUPLICATE_KEY = 11000
TERMS_FIELDS = {"number": 1, "user_id": 1, "username": 1, "phone": 1, "full_name": 1, "description": 1}


@dataclass(frozen=True, slots=True)
class Matches:
    """Ticket numbers of one page, newest first, and how many match in all."""

    numbers: list[int]
    total: int
    page: int
    cut: bool = False  # only the newest CANDIDATES tickets of the rarest term were looked at


def doc_terms(doc: dict[str, Any]) -> set[str]:
    """A stored ticket's terms; tolerant of what a safety backup may bring back (it is loaded
    without the app's checks): a missing field adds no terms."""

    def text(field: str) -> str:
        value = doc.get(field)
        return value if isinstance(value, str) else ""

    user_id = doc.get("user_id")
    return ticket_terms(
        doc["number"],
        user_id if isinstance(user_id, int) else 0,
        doc.get("username") if isinstance(doc.get("username"), str) else None,
        text("phone"),
        text("full_name"),
        text("description"),
    ) - {"", "0"}


class TicketSearchIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], state: AsyncCollection[dict[str, Any]]) -> None:
        self.terms = db[TERMS_COLLECTION]
        self.state = state  # the ticket repository's `ticket_counts`: derived data, never backed up

    async def ensure_indexes(self) -> None:
        await self.terms.create_index([("t", ASCENDING), ("n", DESCENDING)])

    async def add(self, docs: Iterable[dict[str, Any]]) -> None:
        """Index these tickets (as stored); a term already there is left as it is."""
        await self._write([{"number": doc["number"], "terms": doc_terms(doc)} for doc in docs])

    async def _write(self, tickets: list[dict[str, Any]]) -> None:
        postings = [
            {"_id": f"{t['number']}:{term}", "t": term, "n": t["number"]} for t in tickets for term in t["terms"]
        ]
        # In parts: a few thousand tickets' terms at once keep each write well inside the timeouts.
        for start in range(0, len(postings), WRITE_BATCH):
            try:
                await self.terms.insert_many(postings[start : start + WRITE_BATCH], ordered=False)
            except BulkWriteError as error:
                # Indexed twice (a ticket written while `prepare` indexes, two instances starting):
                # the same _id is the same posting.
                if any(e.get("code") != DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                    raise

    # --- searching ---------------------------------------------------------------------------

    async def search(
        self, terms: tuple[str, ...], page: int, per_page: int, within: list[int] | None = None
    ) -> Matches:
        """Numbers of the tickets having every term, newest first. `within`: only these tickets
        (an employee's own)."""
        if not terms:
            return Matches([], 0, 0)
        if within is None and len(terms) == 1:
            return await self._one_term(terms[0], page, per_page)
        if within is None:
            candidates, cut = await self._intersect(terms)
        else:
            candidates, cut = sorted(within, reverse=True)[:CANDIDATES], len(within) > CANDIDATES
            for term in terms:
                candidates = await self._having(term, candidates) if candidates else []
        total = len(candidates)
        page = clamp_page(page, total, per_page)
        return Matches(candidates[page * per_page : (page + 1) * per_page], total, page, cut)

    async def _intersect(self, terms: tuple[str, ...]) -> tuple[list[int], bool]:
        """Tickets having every term, newest first: each term's newest CANDIDATES tickets are read
        off the index; a term with no more than that is known whole and intersects in memory, a
        commoner one is checked per candidate by `_id`. Cut: every term was commoner than that."""
        newest: dict[str, list[int]] = {}
        for term in terms:
            cursor = self.terms.find({"t": eq(term)}, {"n": 1}).sort([("n", DESCENDING)]).limit(CANDIDATES + 1)
            newest[term] = [int(doc["n"]) async for doc in cursor]
            if not newest[term]:
                return [], False
        rarest, *rest = sorted(terms, key=lambda term: len(newest[term]))
        cut = len(newest[rarest]) > CANDIDATES
        candidates = newest[rarest][:CANDIDATES]
        for term in rest:
            if not candidates:
                break
            if len(newest[term]) <= CANDIDATES:
                having = set(newest[term])
                candidates = [n for n in candidates if n in having]
            else:
                candidates = await self._having(term, candidates)
        return candidates, cut

    async def _one_term(self, term: str, page: int, per_page: int) -> Matches:
        """A rare term (numbers, phones, names) is read whole off the index and counted in memory;
        only a commoner one is counted by the server, which on nx-27017 takes time in proportion
        to the whole collection (about 80 ms at 6 million terms), not to the matches."""
        query = {"t": eq(term)}
        cursor = self.terms.find(query, {"n": 1}).sort([("n", DESCENDING)]).limit(CANDIDATES + 1)
        newest = [int(doc["n"]) async for doc in cursor]
        total = len(newest) if len(newest) <= CANDIDATES else await count(self.terms, query)
        page = clamp_page(page, total, per_page)
        if total == len(newest) or (page + 1) * per_page <= len(newest):  # the page is among those read
            return Matches(newest[page * per_page : (page + 1) * per_page], total, page)
        cursor = self.terms.find(query, {"n": 1}).sort([("n", DESCENDING)]).skip(page * per_page).limit(per_page)
        return Matches([int(doc["n"]) async for doc in cursor], total, page)

    async def _having(self, term: str, numbers: list[int]) -> list[int]:
        """The numbers (in their order) whose ticket has `term`."""
        found: set[str] = set()
        for start in range(0, len(numbers), CHECK_BATCH):
            ids = [f"{n}:{term}" for n in numbers[start : start + CHECK_BATCH]]
            found.update([str(doc["_id"]) async for doc in self.terms.find({"_id": {"$in": ids}}, {"_id": 1})])
        return [n for n in numbers if f"{n}:{term}" in found]

    # --- keeping it complete -----------------------------------------------------------------

    async def reset(self) -> None:
        """The tickets were replaced (a restore): forget every term; `prepare` indexes them again."""
        await self.state.delete_one({"_id": STATE_ID})

    async def prepare(self, tickets: AsyncCollection[dict[str, Any]]) -> None:
        """Index every ticket not indexed yet, in number order, remembering how far it got, so an
        interrupted run goes on where it stopped. Idempotent; nothing to do once complete."""
        state = await self.state.find_one({"_id": STATE_ID}) or {}
        if state.get("version") != TERMS_VERSION:
            await self.terms.drop()  # quicker than deleting millions of postings one by one
            await self.ensure_indexes()
            state = {"version": TERMS_VERSION, "upto": 0}
            await self.state.replace_one({"_id": STATE_ID}, state, upsert=True)
        upto = int(state.get("upto", 0))
        if state.get("complete"):
            return
        todo = await count(tickets, {"number": {"$gt": upto}})
        if todo:
            logger.info("Indexing %s tickets for search", todo)
        # Read in batches that grow while the tickets are small and shrink when they are not: a
        # restored ticket may carry a description of megabytes, and memory must stay a few of them.
        pending: list[dict[str, Any]] = []
        held = done = 0
        size = READ_MIN
        while (
            batch := await tickets.find({"number": {"$gt": upto}}, TERMS_FIELDS)
            .sort([("number", ASCENDING)])
            .limit(size)
            .to_list()
        ):
            chars = sum(len(str(doc.get("description", ""))) + len(str(doc.get("full_name", ""))) for doc in batch)
            size = min(READ_MAX, size * 2) if chars < READ_CHARS else max(READ_MIN, size // 2)
            for doc in batch:
                terms = doc_terms(doc)
                pending.append({"number": doc["number"], "terms": terms})
                held += len(terms)
            upto, done = int(batch[-1]["number"]), done + len(batch)
            del batch
            if held >= WRITE_BATCH:
                await self._write(pending)
                await self.state.update_one({"_id": STATE_ID}, {"$set": {"upto": upto}})
                if done // LOG_EVERY != (done - len(pending)) // LOG_EVERY:
                    logger.info("Indexed %s of %s tickets for search", done, todo)
                pending, held = [], 0
        await self._write(pending)
        await self.state.update_one({"_id": STATE_ID}, {"$set": {"complete": True}})
        if todo:
            logger.info("Indexed %s tickets for search", done)
