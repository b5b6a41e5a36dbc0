"""users: one document per Telegram user, `_id` = Telegram user id (so the id is unique by design)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.db.shapes import count, eq
from app.models.users import Block, User


@dataclass(frozen=True, slots=True)
class Registration:
    user: User
    renamed: bool  # name or @username differ from what the profile held


USERS_COLLECTION = "users"
LANGUAGES_KEPT_SECONDS = 60


class UserRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[USERS_COLLECTION]
        # user id → (language, when read): the conversation's hot path reads staff languages
        # from here (see recent_languages)
        self._languages: dict[int, tuple[str, float]] = {}

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("reachable")

    async def register(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language: str,
    ) -> Registration:
        """Create the profile on first contact, refresh Telegram's fields on every later one.

        Writing to us again also proves the user has not blocked the bot, so it clears
        `reachable: false` left by an earlier failed delivery. One round trip for a
        known user; a new one costs an insert (a concurrent first contact loses the
        insert race and simply takes the update path). The role mark is never written
        here (app/db/admins.py owns it), only read back with the profile.
        """
        fields = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "reachable": True,
        }
        for _attempt in range(2):
            before = await self.collection.find_one_and_update(
                {"_id": user_id}, {"$set": fields}, return_document=ReturnDocument.BEFORE
            )
            if before is not None:
                renamed = any(before.get(name) != fields[name] for name in ("first_name", "last_name", "username"))
                if "language" not in before:  # an admin's profile made before their first message
                    await self.collection.update_one({"_id": user_id}, {"$set": {"language": language}})
                    before["language"] = language
                if isinstance(before.get("language"), str):  # the sender's language is fresh on every update
                    self._languages[user_id] = (before["language"], time.monotonic())
                return Registration(User.from_doc({**before, **fields}), renamed=renamed)
            doc = {"_id": user_id, **fields, "language": language, "created_at": datetime.now(UTC)}
            try:
                await self.collection.insert_one(doc)
            except DuplicateKeyError:
                continue
            return Registration(User.from_doc(doc), renamed=False)
        raise RuntimeError(f"could not register user {user_id}")

    async def get(self, user_id: int) -> User | None:
        doc = await self.collection.find_one({"_id": user_id})
        return User.from_doc(doc) if doc else None

    async def languages(self, user_ids: list[int]) -> dict[int, str]:
        cursor = self.collection.find({"_id": {"$in": user_ids}}, {"language": 1})
        return {int(doc["_id"]): str(doc.get("language") or "") async for doc in cursor if doc.get("language")}

    async def names(self, user_ids: list[int]) -> dict[int, str]:
        """Display names of those who have written to the bot (first and last name)."""
        cursor = self.collection.find({"_id": {"$in": user_ids}}, {"first_name": 1, "last_name": 1})
        found: dict[int, str] = {}
        async for doc in cursor:
            name = " ".join(part for part in (doc.get("first_name"), doc.get("last_name")) if part)
            if name:
                found[int(doc["_id"])] = name
        return found

    async def recent_languages(self, user_ids: list[int]) -> dict[int, str]:
        """`languages`, read at most LANGUAGES_KEPT_SECONDS ago: a message copied to staff costs no
        query for a language read a moment before. A change made in this process shows at once,
        one made in another process (or by a restore) within that time."""
        now = time.monotonic()
        fresh = {
            i: kept[0] for i in user_ids if (kept := self._languages.get(i)) and now - kept[1] < LANGUAGES_KEPT_SECONDS
        }
        missing = [i for i in user_ids if i not in fresh]
        if missing:
            read = await self.languages(missing)
            self._languages.update({i: (language, now) for i, language in read.items()})
            fresh.update(read)
        return fresh

    def forget_languages(self) -> None:
        """After a restore: every language may have changed."""
        self._languages.clear()

    async def set_language(self, user_id: int, language: str) -> None:
        await self.collection.update_one({"_id": user_id}, {"$set": {"language": language}})
        self._languages.pop(user_id, None)

    async def set_queue_category(self, user_id: int, category: int | None) -> None:
        await self.collection.update_one({"_id": eq(user_id)}, {"$set": {"queue_category": category}})

    async def block(self, user_id: int, block: Block) -> bool:
        """False if there is no such user or they are blocked already."""
        result = await self.collection.update_one(
            {"_id": eq(user_id), "blocked": eq(None)}, {"$set": {"blocked": block.to_doc()}}
        )
        return result.modified_count == 1

    async def unblock(self, user_id: int) -> Block | None:
        """The block lifted, or None if the user was not blocked."""
        doc = await self.collection.find_one_and_update({"_id": eq(user_id)}, {"$set": {"blocked": None}})
        return Block.from_doc(doc["blocked"]) if doc and doc.get("blocked") else None

    async def set_last_search(self, user_id: int, text: str) -> None:
        """Kept on the profile, which is read on every update anyway: result pages need no query
        in their buttons (Telegram's 64 bytes) and no extra read."""
        await self.collection.update_one({"_id": eq(user_id)}, {"$set": {"last_search": text}})

    async def mark_unreachable(self, user_id: int) -> None:
        await self.collection.update_one({"_id": user_id}, {"$set": {"reachable": False}})

    async def count_reachable(self, excluding: int | None = None) -> int:
        query: dict[str, Any] = {"reachable": {"$ne": False}}
        if excluding is not None:
            query["_id"] = {"$ne": excluding}
        return await count(self.collection, query)

    async def reachable_ids(self, batch_size: int) -> AsyncIterator[int]:
        """Ids of users not known to have blocked the bot, in id order, streamed in batches."""
        cursor = self.collection.find({"reachable": {"$ne": False}}, {"_id": 1}).sort("_id", 1).batch_size(batch_size)
        async for doc in cursor:
            yield int(doc["_id"])
