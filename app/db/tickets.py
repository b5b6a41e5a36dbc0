"""tickets: one document per ticket; `number` is the human #N from the counters collection."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from app.models import Ticket


class TicketRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db["tickets"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("number", unique=True)
        # The staff queue: status filter, critical first, oldest first.
        await self.collection.create_index(
            [("status", ASCENDING), ("priority", DESCENDING), ("created_at", ASCENDING)]
        )
        # "My tickets": one user's tickets by status, newest first.
        await self.collection.create_index(
            [("user_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]
        )

    async def insert(self, ticket: Ticket) -> Ticket:
        result = await self.collection.insert_one(ticket.to_doc())
        ticket.id = result.inserted_id
        return ticket

    async def get(self, number: int) -> Ticket | None:
        doc = await self.collection.find_one({"number": number})
        return Ticket.from_doc(doc) if doc else None

    async def latest_of_user(self, user_id: int) -> Ticket | None:
        doc = await self.collection.find_one(
            {"user_id": user_id}, sort=[("created_at", DESCENDING)]
        )
        return Ticket.from_doc(doc) if doc else None

    async def page_of_user(
        self, user_id: int, statuses: list[str], page: int, per_page: int
    ) -> tuple[list[Ticket], int]:
        query = {"user_id": user_id, "status": {"$in": statuses}}
        total = await self.collection.count_documents(query)
        cursor = (
            self.collection.find(query)
            .sort([("created_at", DESCENDING), ("number", DESCENDING)])
            .skip(page * per_page)
            .limit(per_page)
        )
        return [Ticket.from_doc(doc) async for doc in cursor], total
