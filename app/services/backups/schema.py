"""What a restore may put into the database: the app's collections, each document readable by the app.

A backup holds the app's collections only. A restore refuses any other collection and any
document the app could not read back, before it changes anything: each document of a
collection the restore loads goes through the app's own model (`from_doc`, as the
repositories read it) and through type checks for the fields the app filters and sorts on,
so a ticket with `priority: "urgent"` (every admin's queue would fail on it), a user without
`created_at` (locked out on their next message) or a ticket `number` of `{"$gt": 0}` (an
operator where the app expects a number) never reaches the database.

KEEP_ON_RESTORE collections are in every backup but never loaded (see restore.py), so their
documents are only parsed, not judged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

from app.db.admins import ADMINS_COLLECTION
from app.db.audit import AUDIT_COLLECTION
from app.db.backup_state import STATE_COLLECTION
from app.db.broadcast_deliveries import DELIVERIES_COLLECTION
from app.db.broadcasts import BROADCASTS_COLLECTION
from app.db.categories import CATEGORIES_COLLECTION
from app.db.counters import COUNTERS_COLLECTION
from app.db.leases import LEASES_COLLECTION
from app.db.reports import REPORT_STATE_COLLECTION
from app.db.repositories import FSM_COLLECTION
from app.db.server_calls import SERVER_CALLS_COLLECTION
from app.db.tickets import TICKETS_COLLECTION
from app.db.ticket_messages import MESSAGES_COLLECTION, REFS_COLLECTION
from app.db.users import USERS_COLLECTION
from app.models.backups import BackupInvalid, BackupProblem
from app.models.categories import HINT_MAX, LANGUAGES, NAME_MAX, Category
from app.models.conversation import Direction, TicketMessage
from app.models.media import Media
from app.models.tickets import RATING_MAX, RATING_MIN, Priority, Ticket, TicketStatus
from app.models.users import Admin, Person, User
from app.services.backups.stream import Checks

KEEP_ON_RESTORE = frozenset(
    {
        AUDIT_COLLECTION,
        STATE_COLLECTION,
        FSM_COLLECTION,
        BROADCASTS_COLLECTION,
        DELIVERIES_COLLECTION,
        LEASES_COLLECTION,
        REPORT_STATE_COLLECTION,
    }
)


class Unusable(Exception):
    """One document's problem, in words (becomes the refusal's detail)."""


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def need(doc: dict[str, Any], field: str, kind: type | tuple[type, ...], *, optional: bool = False) -> None:
    if field not in doc:
        if optional:
            return
        raise Unusable(f"{field} is missing")
    value = doc[field]
    if optional and value is None:
        return
    # bool is an int to Python, never to the app: `number: true` is as wrong as a string.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise Unusable(f"{field} must be {_names(kind)}, not bool")
    if not isinstance(value, kind):
        raise Unusable(f"{field} must be {_names(kind)}, not {_kind(value)}")


def _names(kind: type | tuple[type, ...]) -> str:
    words = {int: "an integer", str: "text", datetime: "a date", bool: "true or false", dict: "an object", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def one_of(doc: dict[str, Any], field: str, allowed: type[Enum]) -> None:
    values = [member.value for member in allowed]
    if doc.get(field) not in values or isinstance(doc.get(field), bool):
        shown = ", ".join(str(v) for v in values)
        raise Unusable(f"{field} must be one of {shown}, not {doc.get(field)!r}"[:200])


def _media(doc: dict[str, Any], field: str) -> None:
    need(doc, field, list, optional=True)
    for item in doc.get(field) or []:
        if not isinstance(item, dict):
            raise Unusable(f"{field} must hold objects")
        need(item, "file_id", str)
        Media.from_doc(item)


def check_user(doc: dict[str, Any]) -> None:
    need(doc, "_id", int)
    need(doc, "created_at", datetime)
    for field in ("first_name", "last_name", "username", "language", "role", "last_search"):
        need(doc, field, str, optional=True)
    need(doc, "reachable", bool, optional=True)
    if doc.get("blocked") is not None:
        need(doc, "blocked", dict)
        need(doc["blocked"], "reason", str)
        need(doc["blocked"], "at", datetime)
    User.from_doc(doc)


def check_ticket(doc: dict[str, Any]) -> None:
    for field in ("number", "user_id"):
        need(doc, field, int)
    one_of(doc, "priority", Priority)
    one_of(doc, "status", TicketStatus)
    for field in ("full_name", "phone", "description"):
        need(doc, field, str)
    need(doc, "username", str, optional=True)
    need(doc, "category", int, optional=True)
    need(doc, "created_at", datetime)
    need(doc, "updated_at", datetime, optional=True)
    if doc["number"] < 1:
        raise Unusable("number must be 1 or more")
    if doc.get("assignee") is not None:
        need(doc, "assignee", dict)
        need(doc["assignee"], "id", int)
        need(doc["assignee"], "name", str)
    _media(doc, "media")
    need(doc, "history", list, optional=True)
    for change in doc.get("history") or []:
        if not isinstance(change, dict):
            raise Unusable("history must hold objects")
        need(change, "at", datetime)
        if change.get("by") is not None:
            need(change, "by", dict)
            Person.from_doc(change["by"])
    if doc.get("feedback") is not None:
        _feedback(doc["feedback"])
    Ticket.from_doc(doc)


def _feedback(feedback: Any) -> None:
    if not isinstance(feedback, dict):
        raise Unusable("feedback must be an object")
    need(feedback, "solved", bool)
    need(feedback, "at", datetime)
    need(feedback, "rating", int, optional=True)
    need(feedback, "comment", str, optional=True)
    rating = feedback.get("rating")
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise Unusable(f"feedback.rating must be from {RATING_MIN} to {RATING_MAX}, not {rating}")


def check_admin(doc: dict[str, Any]) -> None:
    need(doc, "_id", int)
    need(doc, "added_at", datetime)
    need(doc, "name", str, optional=True)
    need(doc, "username", str, optional=True)
    Admin.from_doc(doc)


def check_counter(doc: dict[str, Any]) -> None:
    need(doc, "_id", str)
    need(doc, "value", int)
    if doc["value"] < 0:
        raise Unusable("value must be 0 or more")


def check_server_call(doc: dict[str, Any]) -> None:
    need(doc, "_id", int)
    need(doc, "last_call_at", datetime)
    need(doc, "count", int, optional=True)


def check_category(doc: dict[str, Any]) -> None:
    need(doc, "_id", int)
    need(doc, "position", int)
    need(doc, "hidden", bool, optional=True)
    if doc["_id"] < 1:
        raise Unusable("_id must be 1 or more")
    if doc.get("priority") is not None:
        one_of(doc, "priority", Priority)
    for field, longest in (("names", NAME_MAX), ("hints", HINT_MAX)):
        need(doc, field, dict, optional=field == "hints")
        for language, text in (doc.get(field) or {}).items():
            if language not in LANGUAGES or not isinstance(text, str) or len(text) > longest:
                raise Unusable(f"{field}.{language} must be text of at most {longest} characters"[:200])
    if not any(doc["names"].get(language) for language in LANGUAGES):
        raise Unusable("names must hold a name")
    Category.from_doc(doc)


def check_ticket_message(doc: dict[str, Any]) -> None:
    need(doc, "number", int)
    need(doc, "author_id", int)
    need(doc, "created_at", datetime)
    need(doc, "text", str, optional=True)
    one_of(doc, "direction", Direction)
    _chat_messages(doc, "refs")  # filtered on by reply routing; messages stored before it have none
    TicketMessage.from_doc(doc)


def _chat_messages(doc: dict[str, Any], field: str) -> None:
    need(doc, field, list, optional=True)
    for item in doc.get(field) or []:
        if not isinstance(item, dict):
            raise Unusable(f"{field} must hold objects")
        need(item, "chat_id", int)
        need(item, "message_id", int)


def check_message_ref(doc: dict[str, Any]) -> None:
    need(doc, "chat_id", int)
    need(doc, "message_id", int)
    need(doc, "number", int)


RESTORED: dict[str, Callable[[dict[str, Any]], None]] = {
    USERS_COLLECTION: check_user,
    TICKETS_COLLECTION: check_ticket,
    ADMINS_COLLECTION: check_admin,
    COUNTERS_COLLECTION: check_counter,
    SERVER_CALLS_COLLECTION: check_server_call,
    MESSAGES_COLLECTION: check_ticket_message,
    REFS_COLLECTION: check_message_ref,
    CATEGORIES_COLLECTION: check_category,
}
APP_COLLECTIONS = frozenset(RESTORED) | KEEP_ON_RESTORE


def check_collection(name: str) -> None:
    if name not in APP_COLLECTIONS:
        raise BackupInvalid(BackupProblem.UNKNOWN_COLLECTION, name[:60])


def _field_names(doc: dict[str, Any]) -> None:
    """No operator-like or NUL field names at any depth: MongoDB reads them as operators or refuses them."""
    pending: list[Any] = [doc]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key.startswith("$") or "\x00" in key:
                    raise Unusable(f"field name {key[:40]!r} is not allowed")
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)


def check_document(collection: str, index: int, doc: dict[str, Any]) -> None:
    check = RESTORED.get(collection)
    if check is None:
        return  # kept as it is on restore: never loaded
    try:
        check(doc)
        _field_names(doc)
    except Unusable as problem:
        reason = str(problem)
    except KeyError as error:
        reason = f"{error.args[0]} is missing"
    except (ValueError, TypeError, AttributeError) as error:
        reason = str(error)
    else:
        return
    raise BackupInvalid(BackupProblem.BAD_DOCUMENT, f"{collection}, record {index}: {reason[:200]}")


APP_CHECKS = Checks(check_collection, check_document)
