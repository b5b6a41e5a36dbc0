"""ticket_messages: every message of a ticket's conversation; ticket_message_refs: which ticket a
bot message in some chat belongs to, (chat_id, message_id) → number, for Telegram replies.

A conversation message keeps its own such pairs in its `refs` field (its copies and its
author's acknowledgement), written with its delivery outcome in one command; the refs
collection holds the rest (cards, notices, prompts) and the copies of messages stored before
`refs` existed. `ticket_of` asks both.

Shapes as in app/db/tickets.py: explicit `$eq`, counts as `$group` on `_id: None`, no dates in
filters (the timeline's order is its index: number, then newest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.db.shapes import count, eq
from app.models.conversation import DeliveryState, Direction, TicketMessage
from app.models.paging import Page, clamp_page

MESSAGES_COLLECTION = "ticket_messages"
REFS_COLLECTION = "ticket_message_refs"
CONVERSATION_COLLECTIONS = (MESSAGES_COLLECTION, REFS_COLLECTION)
TIMELINE_ORDER = [("created_at", DESCENDING), ("_id", DESCENDING)]


class TicketMessageRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[MESSAGES_COLLECTION]
        self.refs = db[REFS_COLLECTION]

    async def ensure_indexes(self) -> None:
        # "Messages of ticket N, newest first": read straight off the index.
        # (Not `_id` in it: nx-27017 0.8.1 then refuses every insert; ties on the date are rare.)
        await self.collection.create_index([("number", ASCENDING), ("created_at", DESCENDING)])
        # "Which stored message did this person's (edited) message become": its source.
        await self.collection.create_index([("source.chat_id", ASCENDING), ("source.message_ids", ASCENDING)])
        # "Which ticket does this bot message belong to": one per (chat, message).
        await self.refs.create_index([("chat_id", ASCENDING), ("message_id", ASCENDING)], unique=True)
        # The same question about a conversation message's own copies and acknowledgement.
        await self.collection.create_index([("refs.chat_id", ASCENDING), ("refs.message_id", ASCENDING)])

    async def insert(self, message: TicketMessage) -> TicketMessage:
        result = await self.collection.insert_one(message.to_doc())
        message.id = result.inserted_id
        return message

    async def delivered(
        self,
        message_id: ObjectId,
        state: DeliveryState,
        copies: list[tuple[int, int]],
        error: str | None,
        notices: Sequence[tuple[int, int]] = (),
    ) -> None:
        """The outcome, the copies, and every bot message a Telegram reply routes back from
        (the copies and `notices`, e.g. the author's acknowledgement): one command."""
        await self.collection.update_one(
            {"_id": eq(message_id)},
            {
                "$set": {
                    "delivery": state.value,
                    "error": error,
                    "copies": _pairs(copies),
                    "refs": _pairs([*copies, *notices]),
                }
            },
        )

    async def by_source(self, chat_id: int, message_id: int) -> TicketMessage | None:
        """The stored message that `message_id` in `chat_id` (what a person sent) became.

        `$elemMatch`, not `$eq`, on the array: nx-27017 does not match an array's items by `$eq`."""
        doc = await self.collection.find_one(
            {"source.chat_id": eq(chat_id), "source.message_ids": {"$elemMatch": eq(message_id)}}
        )
        return TicketMessage.from_doc(doc) if doc else None

    async def edited(self, message_id: ObjectId, previous: str, at: datetime, text: str) -> None:
        """The author edited it: the new text, the previous one kept in its history."""
        await self.collection.update_one(
            {"_id": eq(message_id)},
            {"$set": {"text": text}, "$push": {"edits": {"text": previous, "at": at}}},
        )

    async def get(self, message_id: ObjectId) -> TicketMessage | None:
        doc = await self.collection.find_one({"_id": eq(message_id)})
        return TicketMessage.from_doc(doc) if doc else None

    async def latest(self, number: int, limit: int, *, notes: bool) -> list[TicketMessage]:
        cursor = self.collection.find(_timeline_query(number, notes)).sort(TIMELINE_ORDER).limit(limit)
        return [TicketMessage.from_doc(doc) async for doc in cursor]

    async def page_of_ticket(
        self, number: int, page: int, per_page: int, *, notes: bool = True
    ) -> tuple[Page[TicketMessage], datetime | None]:
        """A page of the timeline, newest first, and when the next older message was written
        (None on the last page). `notes=False`: what the employee may see."""
        query = _timeline_query(number, notes)
        total = await count(self.collection, query)
        page = clamp_page(page, total, per_page)
        cursor = self.collection.find(query).sort(TIMELINE_ORDER).skip(page * per_page).limit(per_page + 1)
        messages = [TicketMessage.from_doc(doc) async for doc in cursor]
        next_older = messages.pop().created_at if len(messages) > per_page else None
        return Page(messages, page, total, per_page), next_older

    async def remember(self, chat_id: int, message_ids: list[int], number: int) -> None:
        """Bot messages in `chat_id` that belong to ticket `number` (a copy, a notice, a card)."""
        for message_id in message_ids:
            try:
                await self.refs.update_one(
                    {"chat_id": eq(chat_id), "message_id": eq(message_id)},
                    {"$set": {"chat_id": chat_id, "message_id": message_id, "number": number}},
                    upsert=True,
                )
            except DuplicateKeyError:  # two writers upserting the same message at once
                continue

    async def remember_all(self, refs: list[tuple[int, int]], number: int) -> None:
        """Bot messages (chat_id, message_id) in several chats that belong to ticket `number`, in one
        write (a new-ticket notice to every staff member)."""
        await self.refs.bulk_write(
            [
                UpdateOne(
                    {"chat_id": eq(chat_id), "message_id": eq(message_id)},
                    {"$set": {"chat_id": chat_id, "message_id": message_id, "number": number}},
                    upsert=True,
                )
                for chat_id, message_id in refs
            ],
            ordered=False,
        )

    async def forget(self, chat_id: int, message_id: int) -> None:
        """The bot message no longer shows a ticket (a card turned back into the queue list)."""
        await self.refs.delete_one({"chat_id": eq(chat_id), "message_id": eq(message_id)})

    async def ticket_of(self, chat_id: int, message_id: int) -> int | None:
        """The ticket of a bot message. Replies go to conversation copies most, so those are asked
        first. Two finds, not one `$unionWith`: nx-27017 0.8.1 runs that by scanning both collections.
        `$elemMatch`, not `$eq`, on the array: nx-27017 does not match an array's items by `$eq`."""
        pair = {"chat_id": eq(chat_id), "message_id": eq(message_id)}
        doc = await self.collection.find_one({"refs": {"$elemMatch": pair}}, {"number": 1})
        if doc is None:
            doc = await self.refs.find_one(pair, {"number": 1})
        return int(doc["number"]) if doc else None


def _timeline_query(number: int, notes: bool) -> dict[str, Any]:
    """A ticket's messages; `notes=False`: what the employee may see."""
    query: dict[str, Any] = {"number": eq(number)}
    if not notes:
        query["direction"] = {"$in": [Direction.IN.value, Direction.OUT.value]}
    return query


def _pairs(pairs: Sequence[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"chat_id": chat_id, "message_id": message_id} for chat_id, message_id in pairs]
