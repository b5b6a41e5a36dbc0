"""People: roles, user profiles, and who did something (as shown in cards and history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.USER


@dataclass(frozen=True, slots=True)
class Block:
    """Staff stopped this person from filing tickets and calling the server room (their existing
    tickets still work)."""

    reason: str
    by_id: int
    by_name: str
    at: datetime

    def to_doc(self) -> dict[str, Any]:
        return {"reason": self.reason, "by": {"id": self.by_id, "name": self.by_name}, "at": self.at}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Block:
        by = doc.get("by") or {}
        return cls(str(doc["reason"]), int(by.get("id", 0)), str(by.get("name", "")), doc["at"])


@dataclass(slots=True)
class User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str
    created_at: datetime
    reachable: bool = True
    is_admin: bool = False  # the `admins` list's mark on the profile (app/db/admins.py)
    blocked: Block | None = None
    queue_category: int | None = None  # staff: the queue's category filter while they page through it
    last_search: str | None = None  # what they last searched for; search result pages read it

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> User:
        return cls(
            id=doc["_id"],
            first_name=doc.get("first_name") or "",
            last_name=doc.get("last_name"),
            username=doc.get("username"),
            language=doc.get("language") or "uk",
            created_at=doc["created_at"],
            reachable=doc.get("reachable", True),
            is_admin=doc.get("role") == "admin",
            blocked=Block.from_doc(doc["blocked"]) if doc.get("blocked") else None,
            queue_category=_positive(doc.get("queue_category")),
            last_search=doc["last_search"] if isinstance(doc.get("last_search"), str) else None,
        )


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True, slots=True)
class Person:
    """Who did something, as shown later in cards and history."""

    id: int
    name: str

    def to_doc(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Person:
        return cls(doc["id"], doc["name"])


@dataclass(frozen=True, slots=True)
class Admin:
    """A member of the support staff as the `admins` list holds them (names as last seen)."""

    id: int
    name: str
    username: str | None
    added_by: int | None
    added_at: datetime

    @property
    def label(self) -> str:
        return self.name or str(self.id)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Admin:
        added_by = doc.get("added_by")
        return cls(
            id=int(doc["_id"]),
            name=str(doc.get("name") or ""),
            username=doc.get("username"),
            added_by=added_by if isinstance(added_by, int) else None,
            added_at=doc["added_at"],
        )


@dataclass(frozen=True, slots=True)
class StaffLoad:
    """A staff member and how many tickets they have in work (in progress or waiting)."""

    person: Person
    in_work: int
