"""admins: support staff, `_id` = Telegram user id. The super-admin comes from config, not from here.

The staff list lives here; each admin's user profile also carries `role: "admin"`, so the
one read every update makes of the sender's profile answers "who is this?" and "may they
act as staff?" together. This repository is the only writer of that mark and keeps it in
step with the list: the list is the truth, the mark follows it (and is rebuilt from it on
start-up and after a restore, see `sync_role_marks`). Someone made an admin before they ever
wrote to the bot gets a profile holding just the mark (`reachable: false`: Telegram would
refuse messages to them until they write); their first message completes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from app.db.shapes import count
from app.db.users import USERS_COLLECTION
from app.models.paging import Page, clamp_page
from app.models.users import Admin

ADMINS_COLLECTION = "admins"
ADMIN_MARK = {"role": "admin"}
ORDER = [("added_at", ASCENDING), ("_id", ASCENDING)]


class AdminRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = db[ADMINS_COLLECTION]
        self.users = db[USERS_COLLECTION]

    async def ids(self) -> AsyncIterator[int]:
        async for doc in self.collection.find({}, {"_id": 1}):
            yield int(doc["_id"])

    async def page(self, page: int, per_page: int) -> Page[Admin]:
        """Oldest first; a page past the end (the list shrank under the buttons) becomes the last one."""
        total = await count(self.collection, {})
        page = clamp_page(page, total, per_page)
        cursor = self.collection.find({}).sort(ORDER).skip(page * per_page).limit(per_page)
        return Page([Admin.from_doc(doc) async for doc in cursor], page, total, per_page)

    async def get(self, user_id: int) -> Admin | None:
        doc = await self.collection.find_one({"_id": user_id})
        return Admin.from_doc(doc) if doc else None

    async def add(self, user_id: int, *, name: str, username: str | None, added_by: int, added_at: datetime) -> bool:
        """False when this person is already an admin."""
        try:
            await self.collection.insert_one(
                {"_id": user_id, "name": name, "username": username, "added_by": added_by, "added_at": added_at}
            )
        except DuplicateKeyError:
            return False
        await self._mark(user_id, added_at)
        return True

    async def _mark(self, user_id: int, now: datetime) -> None:
        for _attempt in range(2):
            if (await self.users.update_one({"_id": user_id}, {"$set": ADMIN_MARK})).matched_count:
                return
            try:
                await self.users.insert_one({"_id": user_id, **ADMIN_MARK, "reachable": False, "created_at": now})
            except DuplicateKeyError:
                continue  # they wrote to the bot this very moment: mark the profile just made
            return
        raise RuntimeError(f"could not mark user {user_id} as an admin")

    async def remove(self, user_id: int) -> Admin | None:
        doc = await self.collection.find_one_and_delete({"_id": user_id})
        removed = Admin.from_doc(doc) if doc else None
        await self.users.update_one({"_id": user_id, **ADMIN_MARK}, {"$unset": {"role": ""}})
        await self.users.delete_one({"_id": user_id, "language": {"$exists": False}})  # a profile of just the mark
        return removed

    async def sync_role_marks(self) -> None:
        """Make the profiles' marks match the list: after a restore (older backups have no
        marks), or when the list was edited by hand in the database."""
        staff = [admin_id async for admin_id in self.ids()]
        await self.users.update_many({**ADMIN_MARK, "_id": {"$nin": staff}}, {"$unset": {"role": ""}})
        if not staff:
            return
        await self.users.update_many({"_id": {"$in": staff}}, {"$set": ADMIN_MARK})
        with_profile = {doc["_id"] async for doc in self.users.find({"_id": {"$in": staff}}, {"_id": 1})}
        now = datetime.now(UTC)
        for admin_id in staff:
            if admin_id not in with_profile:
                await self._mark(admin_id, now)

    async def refresh_names(self, user_id: int, name: str, username: str | None) -> None:
        await self.collection.update_one({"_id": user_id}, {"$set": {"name": name, "username": username}})
