"""Attachments, kept as Telegram file_ids with their type (files are never downloaded)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Media:
    kind: MediaKind
    file_id: str

    def to_doc(self) -> dict[str, str]:
        return {"kind": self.kind.value, "file_id": self.file_id}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Media:
        return cls(MediaKind(doc["kind"]), doc["file_id"])
