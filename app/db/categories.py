"""categories: the service catalogue, a handful of documents `{_id: int, names, position, hidden, priority, hints}`.

Tickets keep the category's `_id` (app/models/categories.py says why). Almost every card,
notice, queue page and form step names categories, so the catalogue is read once and kept
for CACHE_SECONDS: this process's own changes show at once (they drop the copy), another
instance's within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from app.db.shapes import eq
from app.models.categories import DEFAULT_CATEGORIES, Catalogue, Category
from app.models.tickets import Priority

CATEGORIES_COLLECTION = "categories"
CACHE_SECONDS = 10.0
DUPLICATE_KEY = 11000


class CategoryRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], clock: Callable[[], float] = time.monotonic) -> None:
        self.collection = db[CATEGORIES_COLLECTION]
        self._clock = clock
        self._cached: tuple[float, Catalogue] | None = None

    async def catalogue(self) -> Catalogue:
        if self._cached is not None and self._clock() - self._cached[0] < CACHE_SECONDS:
            return self._cached[1]
        return await self.fresh()

    async def fresh(self) -> Catalogue:
        """Read now (management screens show what is stored, not a copy)."""
        cursor = self.collection.find({}).sort([("position", ASCENDING), ("_id", ASCENDING)])
        catalogue = Catalogue(tuple([Category.from_doc(doc) async for doc in cursor]))
        self._cached = (self._clock(), catalogue)
        return catalogue

    def forget(self) -> None:
        self._cached = None

    async def seed_defaults(self) -> bool:
        """The default set, only into an empty collection; True if it was seeded.

        Fixed ids make it idempotent across instances starting together: the second
        one's inserts collide with the first one's and change nothing."""
        if await self.collection.find_one({}, {"_id": 1}) is not None:
            return False
        try:
            await self.collection.insert_many([c.to_doc() for c in DEFAULT_CATEGORIES], ordered=False)
        except BulkWriteError as error:
            if any(e.get("code") != DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise
        self.forget()
        return True

    async def add(self, names: dict[str, str]) -> Category:
        """A new category, last in the form; its id is one more than any before it."""
        while True:
            last = await self.collection.find_one({}, {"_id": 1}, sort=[("_id", DESCENDING)])
            bottom = await self.collection.find_one({}, {"position": 1}, sort=[("position", DESCENDING)])
            new_id = int(last["_id"]) + 1 if last else 1
            position = int(bottom.get("position", 0)) + 1 if bottom else 1
            category = Category(new_id, dict(names), position)
            try:
                await self.collection.insert_one(category.to_doc())
            except DuplicateKeyError:
                continue  # another add took this id a moment ago
            self.forget()
            return category

    async def _set(self, category_id: int, changes: dict[str, Any]) -> bool:
        result = await self.collection.update_one({"_id": eq(category_id)}, {"$set": changes})
        self.forget()
        return result.matched_count == 1

    async def rename(self, category_id: int, language: str, name: str) -> bool:
        return await self._set(category_id, {f"names.{language}": name})

    async def set_hint(self, category_id: int, language: str, hint: str | None) -> bool:
        """None removes it. The hints are written whole: nx-27017 ignores `$unset` of a nested field."""
        category = (await self.fresh()).get(category_id)
        if category is None:
            return False
        hints = {lang: text for lang, text in category.hints.items() if lang != language}
        if hint is not None:
            hints[language] = hint
        return await self._set(category_id, {"hints": hints})

    async def set_priority(self, category_id: int, priority: Priority | None) -> bool:
        return await self._set(category_id, {"priority": int(priority) if priority is not None else None})

    async def set_hidden(self, category_id: int, hidden: bool) -> bool:
        return await self._set(category_id, {"hidden": hidden})

    async def move(self, category_id: int, step: int) -> bool:
        """One place up (`step` -1) or down (+1) in the form's order; False at either end.

        The two categories swap positions; the order is renumbered 1..n first, so a gap or a
        tie left by a restore or an older version cannot make a swap a no-op."""
        order = list((await self.fresh()).categories)
        index = next((i for i, c in enumerate(order) if c.id == category_id), None)
        if index is None or not 0 <= index + step < len(order):
            return False
        order[index], order[index + step] = order[index + step], order[index]
        for position, category in enumerate(order, start=1):
            if category.position != position:
                await self.collection.update_one({"_id": eq(category.id)}, {"$set": {"position": position}})
        self.forget()
        return True
