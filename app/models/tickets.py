"""Tickets: priorities, statuses, status changes and the ticket itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from bson import ObjectId

from app.models.media import Media
from app.models.users import Person


class Priority(IntEnum):
    """Stored as its number so the queue index sorts critical first."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    CRITICAL = 4


class TicketStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # staff asked and wait for the employee's answer; still active work
    CLOSED = "closed"
    REJECTED = "rejected"

    @property
    def is_active(self) -> bool:
        return self in (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING)


class QueueView(StrEnum):
    """The staff queue's filters (the short values travel in callback data)."""

    NEW = "n"
    MINE = "m"
    IN_WORK = "w"
    FINISHED = "f"
    SEARCH = "s"  # the viewer's last search results (a card opened from them comes back to them)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def finished_stamp(status: TicketStatus, at: datetime) -> dict[str, int]:
    """`finished_ts` (epoch ms) is on closed and rejected tickets only: the "Finished" view's
    time window is a number range on its own index (app/db/tickets.py says why not a date)."""
    return {"finished_ts": epoch_ms(at)} if not status.is_active else {}


def waiting_stamp(status: TicketStatus, at: datetime) -> dict[str, Any]:
    """A waiting ticket carries when it started waiting (epoch ms, like `finished_ts`: no dates in
    filters) and whether the employee was reminded yet (set once, atomically, by the reminder job)."""
    return {"waiting_ts": epoch_ms(at), "waiting_reminded": False} if status is TicketStatus.WAITING else {}


def first_response_ts(history: list[StatusChange]) -> int | None:
    """When staff first took the ticket (epoch ms), from its history; None if never."""
    taken = [change.at for change in history if change.to_status is TicketStatus.IN_PROGRESS]
    return epoch_ms(min(taken)) if taken else None


def is_reopen(change: StatusChange) -> bool:
    """A finished ticket back in work: the employee said «not solved» or wrote again."""
    return change.from_status is not None and not change.from_status.is_active and change.to_status.is_active


def reopen_stamps(history: list[StatusChange]) -> dict[str, Any]:
    """`reopens`: when the ticket was reopened (epoch ms, each time); `reopened_ts`: the latest, 0
    if never. A report counts the reopens of a period from these numbers: the scalar, on its own
    index, finds the few tickets reopened since the period began (nx-27017 serves no range over
    an array from an index), the list says which of their reopens fall in it."""
    reopens = [epoch_ms(change.at) for change in history if is_reopen(change)]
    return {"reopened_ts": max(reopens, default=0), "reopens": reopens}


ACTIVE_STATUSES = [TicketStatus.NEW.value, TicketStatus.IN_PROGRESS.value, TicketStatus.WAITING.value]
# Taken into work: an assignee has it, whether they are on it or waiting for the employee.
WORKED_STATUSES = [TicketStatus.IN_PROGRESS.value, TicketStatus.WAITING.value]
FINISHED_STATUSES = [TicketStatus.CLOSED.value, TicketStatus.REJECTED.value]


class ChangeNote(StrEnum):
    """Why the bot itself changed a ticket: stored as this code, worded in the reader's language."""

    ASSIGNEE_LEFT = "assignee_left"  # the assignee was removed from the support staff
    NO_ANSWER = "no_answer"  # a waiting ticket's employee did not answer in time: closed by the bot
    NOT_SOLVED = "not_solved"  # the employee answered «👎 No, reopen» to the closing notice
    WROTE_AGAIN = "wrote_again"  # the employee wrote to the finished ticket and chose to reopen it
    REASSIGNED = "reassigned"  # handed to another staff member (`assignee` of the change)


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: datetime
    by: Person | None
    from_status: TicketStatus | None
    to_status: TicketStatus
    comment: str | None = None  # what a person wrote (close comment, reject reason), as written
    note: ChangeNote | None = None
    assignee: Person | None = None  # who the ticket was handed to (REASSIGNED)

    def to_doc(self) -> dict[str, Any]:
        doc = {
            "at": self.at,
            "by": self.by.to_doc() if self.by else None,
            "from": self.from_status.value if self.from_status else None,
            "to": self.to_status.value,
            "comment": self.comment,
        }
        if self.note is not None:
            doc["note"] = self.note.value
        if self.assignee is not None:
            doc["assignee"] = self.assignee.to_doc()
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> StatusChange:
        return cls(
            at=doc["at"],
            by=Person.from_doc(doc["by"]) if doc.get("by") else None,
            from_status=TicketStatus(doc["from"]) if doc.get("from") else None,
            to_status=TicketStatus(doc["to"]),
            comment=doc.get("comment"),
            note=ChangeNote(doc["note"]) if doc.get("note") in ChangeNote._value2member_map_ else None,
            assignee=Person.from_doc(doc["assignee"]) if doc.get("assignee") else None,
        )


RATING_MIN, RATING_MAX = 1, 5
LOW_RATING = 2  # this or lower goes to the assignee and the super-admin


@dataclass(slots=True)
class Feedback:
    """The employee's word on how their closed ticket was solved (cleared when it is reopened)."""

    solved: bool
    at: datetime
    rating: int | None = None  # RATING_MIN..RATING_MAX; None: not rated (yet, or skipped)
    comment: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return {"solved": self.solved, "at": self.at, "rating": self.rating, "comment": self.comment}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Feedback:
        return cls(solved=doc["solved"], at=doc["at"], rating=doc.get("rating"), comment=doc.get("comment"))


@dataclass(slots=True)
class Ticket:
    number: int
    user_id: int
    username: str | None
    full_name: str
    phone: str
    description: str
    priority: Priority
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    media: list[Media] = field(default_factory=list)
    assignee: Person | None = None
    history: list[StatusChange] = field(default_factory=list)
    awaiting_staff: bool = False  # the employee wrote last in the conversation; staff have not replied
    feedback: Feedback | None = None
    category: int | None = None  # the catalogue's id (app/models/categories.py); None on older tickets
    sla_overdue: bool = False  # a running SLA clock is past its target (kept by the SLA watch)
    sla_met: bool | None = None  # a finished ticket: were both its targets met (None: not judged)
    id: ObjectId | None = None

    @property
    def last_comment(self) -> str | None:
        return self.history[-1].comment if self.history else None

    @property
    def finished_at(self) -> datetime:
        """When a closed or rejected ticket was finished (its last status change)."""
        return self.history[-1].at if self.history else self.updated_at

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "number": self.number,
            "user_id": self.user_id,
            "username": self.username,
            "full_name": self.full_name,
            "phone": self.phone,
            "description": self.description,
            "priority": int(self.priority),
            "status": self.status.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_ts": epoch_ms(self.created_at),
            **({"response_ts": response} if (response := first_response_ts(self.history)) is not None else {}),
            **reopen_stamps(self.history),
            **finished_stamp(self.status, self.updated_at),
            **waiting_stamp(self.status, self.updated_at),
            "media": [m.to_doc() for m in self.media],
            "assignee": self.assignee.to_doc() if self.assignee else None,
            "history": [h.to_doc() for h in self.history],
            "awaiting_staff": self.awaiting_staff,
            "category": self.category,
        }
        if self.feedback is not None:
            doc["feedback"] = self.feedback.to_doc()
        if self.sla_met is not None:
            doc["sla_met"] = self.sla_met
        if self.id is not None:
            doc["_id"] = self.id
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Ticket:
        return cls(
            id=doc.get("_id"),
            number=doc["number"],
            user_id=doc["user_id"],
            username=doc.get("username"),
            full_name=doc["full_name"],
            phone=doc["phone"],
            description=doc["description"],
            priority=Priority(doc["priority"]),
            status=TicketStatus(doc["status"]),
            created_at=doc["created_at"],
            updated_at=doc.get("updated_at", doc["created_at"]),
            media=[Media.from_doc(m) for m in doc.get("media", [])],
            assignee=Person.from_doc(doc["assignee"]) if doc.get("assignee") else None,
            history=[StatusChange.from_doc(h) for h in doc.get("history", [])],
            awaiting_staff=doc.get("awaiting_staff") is True,
            feedback=Feedback.from_doc(doc["feedback"]) if doc.get("feedback") else None,
            sla_overdue=doc.get("sla_overdue") is True,
            sla_met=doc["sla_met"] if isinstance(doc.get("sla_met"), bool) else None,
            category=_category_id(doc.get("category")),
        )


def _category_id(value: Any) -> int | None:
    """Tickets filed before the catalogue have none; anything but a positive id reads as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    ALREADY_TAKEN = "already_taken"
    ALREADY_YOURS = "already_yours"  # taken by the very person asking
    NOT_ASSIGNEE = "not_assignee"
    WRONG_STATE = "wrong_state"
    NOT_STAFF = "not_staff"  # the actor lost the staff role while acting
    TOO_LATE = "too_late"  # finished longer ago than REOPEN_DAYS: a new ticket instead
    ANSWERED = "answered"  # the employee already gave this feedback


def finish_refusal(ticket: Ticket, actor_id: int, *, superadmin: bool, to: TicketStatus) -> Outcome | None:
    """Why `actor_id` may not close/reject `ticket` now (None: they may).

    The one place this rule lives; the card's buttons and the close/reject dialogue ask it too.
    Who may: the assignee of an in-progress ticket, the super-admin for any open ticket, and
    (reject only) any staff member for a ticket nobody has taken yet.
    """
    if not ticket.status.is_active:
        return Outcome.WRONG_STATE
    if ticket.status is TicketStatus.NEW:
        return Outcome.WRONG_STATE if to is TicketStatus.CLOSED and not superadmin else None
    assigned = ticket.assignee is not None and ticket.assignee.id == actor_id
    return None if assigned or superadmin else Outcome.NOT_ASSIGNEE


def reassign_refusal(ticket: Ticket, actor_id: int, *, superadmin: bool) -> Outcome | None:
    """Why `actor_id` may not hand `ticket` to someone else (None: they may): a ticket in work,
    by its assignee or the super-admin."""
    if ticket.status not in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING):
        return Outcome.WRONG_STATE
    assigned = ticket.assignee is not None and ticket.assignee.id == actor_id
    return None if assigned or superadmin else Outcome.NOT_ASSIGNEE


def reopen_refusal(ticket: Ticket, user_id: int, now: datetime, days: int) -> Outcome | None:
    """Why `user_id` may not reopen `ticket` now (None: they may): only its owner, only a
    finished ticket, only within `days` of its finishing."""
    if ticket.user_id != user_id:
        return Outcome.NOT_FOUND
    if ticket.status.is_active:
        return Outcome.WRONG_STATE
    return Outcome.TOO_LATE if now - ticket.finished_at > timedelta(days=days) else None


@dataclass(slots=True)
class Draft:
    """The ticket form's answers as kept in FSM data between steps."""

    full_name: str = ""
    phone: str = ""
    description: str = ""
    media: list[Media] = field(default_factory=list)
    priority: Priority | None = None
    category: int | None = None

    @classmethod
    def from_fsm(cls, data: dict[str, Any]) -> Draft:
        priority = data.get("priority")
        return cls(
            category=_category_id(data.get("category")),
            full_name=data.get("full_name", ""),
            phone=data.get("phone", ""),
            description=data.get("description", ""),
            media=[Media.from_doc(m) for m in data.get("media", [])],
            priority=Priority(priority) if priority else None,
        )
