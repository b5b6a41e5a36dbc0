"""tickets: one document per ticket; `number` is the human #N from the counters collection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from app.models.paging import Page, clamp_page
from app.models.tickets import FINISHED_STATUSES, QueueView, StatusChange, Ticket, TicketStatus
from app.models.users import Person

QUEUE_ORDER = [("priority", DESCENDING), ("created_at", ASCENDING), ("number", ASCENDING)]
RECENT_ORDER = [("updated_at", DESCENDING), ("number", DESCENDING)]
OWNER_ORDER = [("created_at", DESCENDING), ("number", DESCENDING)]
FINISHED_WINDOW = timedelta(days=30)


TICKETS_COLLECTION = "tickets"


class TicketRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[TICKETS_COLLECTION]

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
        await self.collection.create_index([("status", ASCENDING), ("updated_at", DESCENDING), ("number", DESCENDING)])

    async def insert(self, ticket: Ticket) -> Ticket:
        result = await self.collection.insert_one(ticket.to_doc())
        ticket.id = result.inserted_id
        return ticket

    async def get(self, number: int) -> Ticket | None:
        doc = await self.collection.find_one({"number": number})
        return Ticket.from_doc(doc) if doc else None

    async def latest_of_user(self, user_id: int) -> Ticket | None:
        doc = await self.collection.find_one({"user_id": user_id}, sort=[("created_at", DESCENDING)])
        return Ticket.from_doc(doc) if doc else None

    async def page_of_user(self, user_id: int, statuses: list[str], page: int, per_page: int) -> Page[Ticket]:
        query = {"user_id": user_id, "status": {"$in": statuses}}
        return await self._page(query, OWNER_ORDER, page, per_page)

    async def queue_page(
        self, view: QueueView, viewer_id: int, page: int, per_page: int, total: int | None = None
    ) -> Page[Ticket]:
        """One page of a staff queue view; pass `total` when the caller already knows it (saves a count)."""
        if view is QueueView.FINISHED:
            since = datetime.now(UTC) - FINISHED_WINDOW
            query: dict[str, Any] = {"status": {"$in": FINISHED_STATUSES}, "updated_at": {"$gte": since}}
            return await self._page(query, RECENT_ORDER, page, per_page, total)
        if view is QueueView.NEW:
            query = {"status": TicketStatus.NEW.value}
        elif view is QueueView.MINE:
            query = {"status": TicketStatus.IN_PROGRESS.value, "assignee.id": viewer_id}
        else:
            query = {"status": TicketStatus.IN_PROGRESS.value}
        return await self._page(query, QUEUE_ORDER, page, per_page, total)

    async def _page(
        self, query: dict[str, Any], sort: list[tuple[str, int]], page: int, per_page: int, total: int | None = None
    ) -> Page[Ticket]:
        """Counted first, so a page past the end (the list shrank under the buttons) becomes the last one."""
        if total is None:
            total = await self.collection.count_documents(query)
        page = clamp_page(page, total, per_page)
        cursor = self.collection.find(query).sort(sort).skip(page * per_page).limit(per_page)
        return Page([Ticket.from_doc(doc) async for doc in cursor], page, total, per_page)

    async def count_by_status(self) -> dict[str, int]:
        counts = {status.value: 0 for status in TicketStatus}
        async for row in await self.collection.aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}]):
            counts[row["_id"]] = int(row["n"])
        return counts

    async def change_status(
        self,
        number: int,
        condition: dict[str, Any],
        change: StatusChange,
        assignee: Person | bool | None = False,
    ) -> Ticket | None:
        """Apply `change` only if the ticket still matches `condition`; None if it did not.

        The condition and the update are one atomic operation, so when two admins act on
        the same ticket at once exactly one of them wins. `assignee=False` leaves it as is.
        """
        update: dict[str, Any] = {"status": change.to_status.value, "updated_at": change.at}
        if assignee is not False:
            update["assignee"] = assignee.to_doc() if isinstance(assignee, Person) else None
        doc = await self.collection.find_one_and_update(
            {"number": number, **condition},
            {"$set": update, "$push": {"history": change.to_doc()}},
            return_document=ReturnDocument.AFTER,
        )
        return Ticket.from_doc(doc) if doc else None

    async def highest_number(self) -> int:
        """The largest ticket number in use (0 when there are no tickets); uses the unique index."""
        doc = await self.collection.find_one({}, {"number": 1}, sort=[("number", DESCENDING)])
        number = doc.get("number") if doc else None
        return number if isinstance(number, int) else 0

    async def numbers_assigned_to(self, admin_id: int) -> list[int]:
        cursor = self.collection.find(
            {"assignee.id": admin_id, "status": TicketStatus.IN_PROGRESS.value}, {"number": 1}
        )
        return [int(doc["number"]) async for doc in cursor]
