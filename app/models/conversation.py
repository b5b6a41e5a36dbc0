"""A ticket's conversation: messages between staff and the employee, and staff-only notes.

Content is kept as Telegram file_ids with their kind (never the files) plus the text; every
copy the bot sent is remembered as (chat_id, message_id), so a Telegram reply to any of them
is routed back to its ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bson import ObjectId

from app.models.tickets import Outcome, Ticket, TicketStatus

ALBUM_MAX = 10
PICK_MAX = 5  # active tickets offered for a message written outside any form


class Direction(StrEnum):
    IN = "in"  # from the employee to staff
    OUT = "out"  # from staff to the employee
    NOTE = "note"  # staff only: never sent to the employee


class DeliveryState(StrEnum):
    PENDING = "pending"  # stored, not yet (or never, if the bot stopped) confirmed by Telegram
    SENT = "sent"
    BLOCKED = "blocked"  # the recipient has blocked the bot
    FAILED = "failed"
    KEPT = "kept"  # a note: stored, shown to staff, sent to nobody


class PartKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    VOICE = "voice"


@dataclass(frozen=True, slots=True)
class Part:
    kind: PartKind
    file_id: str

    def to_doc(self) -> dict[str, str]:
        return {"kind": self.kind.value, "file_id": self.file_id}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Part:
        return cls(PartKind(doc["kind"]), str(doc["file_id"]))


@dataclass(frozen=True, slots=True)
class Content:
    """What someone sent: a text, one attachment (with its caption), or an album.

    `source` is where it came from, (chat_id, message_ids), for copying it on."""

    text: str = ""
    parts: tuple[Part, ...] = ()
    source_chat: int = 0
    source_ids: tuple[int, ...] = ()

    @property
    def is_album(self) -> bool:
        return len(self.parts) > 1

    def to_doc(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "parts": [p.to_doc() for p in self.parts],
            "source_chat": self.source_chat,
            "source_ids": list(self.source_ids),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Content:
        return cls(
            text=str(doc.get("text") or ""),
            parts=tuple(Part.from_doc(p) for p in doc.get("parts") or []),
            source_chat=int(doc.get("source_chat") or 0),
            source_ids=tuple(int(i) for i in doc.get("source_ids") or []),
        )


@dataclass(slots=True)
class TicketMessage:
    number: int
    direction: Direction
    author_id: int
    author_name: str
    content: Content
    created_at: datetime
    delivery: DeliveryState
    copies: list[tuple[int, int]] = field(default_factory=list)  # (chat_id, message_id) the bot sent
    error: str | None = None
    edits: list[tuple[str, datetime]] = field(default_factory=list)  # earlier texts, oldest first, and when replaced
    id: ObjectId | None = None

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "number": self.number,
            "direction": self.direction.value,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "text": self.content.text,
            "media": [p.to_doc() for p in self.content.parts],
            "source": {"chat_id": self.content.source_chat, "message_ids": list(self.content.source_ids)},
            "copies": [{"chat_id": c, "message_id": m} for c, m in self.copies],
            "created_at": self.created_at,
            "delivery": self.delivery.value,
            "error": self.error,
            "edits": [{"text": text, "at": at} for text, at in self.edits],
        }
        if self.id is not None:
            doc["_id"] = self.id
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TicketMessage:
        source = doc.get("source") or {}
        return cls(
            id=doc.get("_id"),
            number=int(doc["number"]),
            direction=Direction(doc["direction"]),
            author_id=int(doc["author_id"]),
            author_name=str(doc.get("author_name") or ""),
            content=Content(
                text=str(doc.get("text") or ""),
                parts=tuple(Part.from_doc(p) for p in doc.get("media") or []),
                source_chat=int(source.get("chat_id") or 0),
                source_ids=tuple(int(i) for i in source.get("message_ids") or []),
            ),
            created_at=doc["created_at"],
            delivery=DeliveryState(doc.get("delivery") or DeliveryState.SENT.value),
            copies=[(int(c["chat_id"]), int(c["message_id"])) for c in doc.get("copies") or []],
            error=doc.get("error"),
            edits=[(str(e["text"]), e["at"]) for e in doc.get("edits") or []],
        )


def reply_refusal(ticket: Ticket, actor_id: int, *, superadmin: bool) -> Outcome | None:
    """Why `actor_id` may not write to the employee (or add a note) on `ticket` now; None: they may.

    The assignee of an in-progress ticket and the super-admin may; a `new` ticket is taken
    first ("Take and reply"), so here it is refused; finished tickets take no more messages."""
    if not ticket.status.is_active:
        return Outcome.WRONG_STATE
    if ticket.status is TicketStatus.NEW:
        return Outcome.WRONG_STATE
    assigned = ticket.assignee is not None and ticket.assignee.id == actor_id
    return None if assigned or superadmin else Outcome.NOT_ASSIGNEE


def note_refusal(ticket: Ticket, actor_id: int, *, superadmin: bool) -> Outcome | None:
    """Notes: any staff member on a ticket nobody has taken yet; afterwards as replies."""
    if ticket.status is TicketStatus.NEW:
        return None
    return reply_refusal(ticket, actor_id, superadmin=superadmin)
