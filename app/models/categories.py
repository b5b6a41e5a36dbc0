"""The service catalogue: what a ticket is about, chosen first in the form.

A category's names and hints are data the super-admin edits in Telegram, one text per
language; tickets keep only the category's `id` (a small stable integer, never reused), so a
rename shows on every old ticket and search and stats group by a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.models.telegram_text import utf16_len
from app.models.tickets import Priority
from app.models.validators import InputProblem, InvalidInput


class Language(StrEnum):
    """The app's languages (config.SUPPORTED_LANGUAGES): every name is asked in each, in this order."""

    UK = "uk"
    EN = "en"


LANGUAGES = tuple(language.value for language in Language)
MAX_CATEGORIES = 30  # one tap in the form (a reply keyboard of two columns), one screen to manage
# A reply button holds the whole name on a phone's screen, and a card line stays one line.
NAME_MIN, NAME_MAX = 2, 40
HINT_MAX = 200  # one line under the category when an employee picks it
_SPACES = re.compile(r"\s+")


class CategoryOutcome(StrEnum):
    """What came of a change to the catalogue (app/services/categories.py)."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NAME_TAKEN = "name_taken"  # another category has this name in that language
    TOO_MANY = "too_many"
    LAST_VISIBLE = "last_visible"  # the form would have nothing to offer
    AT_EDGE = "at_edge"  # already first (or last)


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    names: dict[str, str]
    position: int  # the form's order: ascending
    hidden: bool = False  # not offered in the form; its tickets keep it
    priority: Priority | None = None  # offered first at the priority step
    hints: dict[str, str] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return self.names.get(language) or next((self.names[lang] for lang in LANGUAGES if self.names.get(lang)), "?")

    def hint(self, language: str) -> str | None:
        return self.hints.get(language) or None

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "names": dict(self.names),
            "position": self.position,
            "hidden": self.hidden,
            "priority": int(self.priority) if self.priority is not None else None,
            "hints": dict(self.hints),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Category:
        priority = doc.get("priority")
        return cls(
            id=int(doc["_id"]),
            names={str(k): str(v) for k, v in (doc.get("names") or {}).items()},
            position=int(doc.get("position", doc["_id"])),
            hidden=doc.get("hidden") is True,
            priority=Priority(priority) if priority else None,
            hints={str(k): str(v) for k, v in (doc.get("hints") or {}).items() if v},
        )


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every category, in the form's order (hidden ones too: their tickets still name them)."""

    categories: tuple[Category, ...] = ()

    def get(self, category_id: int | None) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None) if category_id else None

    @property
    def visible(self) -> list[Category]:
        return [c for c in self.categories if not c.hidden]

    def chosen(self, text: str) -> Category | None:
        """The visible category whose name (in any language) is `text`: what a form button sends."""
        wanted = clean(text).casefold()
        return next((c for c in self.visible if wanted in {n.casefold() for n in c.names.values()}), None)

    def taken(self, name: str, language: str, except_id: int = 0) -> bool:
        """Another category has this name in `language` already (the form could not tell them apart)."""
        wanted = clean(name).casefold()
        return any(c.id != except_id and c.names.get(language, "").casefold() == wanted for c in self.categories)


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def category_name(text: str) -> str:
    """A name typed by the super-admin, made one line; raises InvalidInput."""
    name = clean(text)
    if not name:
        raise InvalidInput(InputProblem.EMPTY)
    if utf16_len(name) < NAME_MIN:
        raise InvalidInput(InputProblem.TOO_SHORT)
    if utf16_len(name) > NAME_MAX:
        raise InvalidInput(InputProblem.TOO_LONG)
    if name.startswith("/"):  # a form button sending it would read as a command
        raise InvalidInput(InputProblem.BAD_CHARACTERS)
    return name


def category_hint(text: str) -> str:
    hint = clean(text)
    if not hint:
        raise InvalidInput(InputProblem.EMPTY)
    if utf16_len(hint) > HINT_MAX:
        raise InvalidInput(InputProblem.TOO_LONG)
    return hint


# Seeded when the collection is empty (ids 1–6): what most IT departments file under.
DEFAULT_CATEGORIES = (
    Category(
        1,
        {"uk": "Обладнання", "en": "Hardware"},
        1,
        hints={
            "uk": "Комп'ютер, ноутбук, монітор, клавіатура чи миша: напишіть, який саме і де він стоїть.",
            "en": "Computer, laptop, monitor, keyboard or mouse: say which one and where it is.",
        },
    ),
    Category(
        2,
        {"uk": "Програмне забезпечення", "en": "Software"},
        2,
        hints={
            "uk": "Назвіть програму й додайте знімок екрана з помилкою, якщо вона є.",
            "en": "Name the program and attach a screenshot of the error, if there is one.",
        },
    ),
    Category(
        3,
        {"uk": "Мережа / Інтернет", "en": "Network / Internet"},
        3,
        hints={
            "uk": "Напишіть, чи немає зв'язку лише у вас чи в усіх поруч, і з якого часу.",
            "en": "Say whether only you or everyone nearby is offline, and since when.",
        },
    ),
    Category(
        4,
        {"uk": "Облікові записи й доступ", "en": "Accounts & access"},
        4,
        hints={
            "uk": "Пошта, пароль, VPN чи доступ до папки або системи. Паролів не надсилайте.",
            "en": "E-mail, password, VPN or access to a folder or system. Never send passwords.",
        },
    ),
    Category(
        5,
        {"uk": "Принтери", "en": "Printers"},
        5,
        hints={
            "uk": "Напишіть, де стоїть принтер і що показує його екран.",
            "en": "Say where the printer is and what its screen shows.",
        },
    ),
    Category(6, {"uk": "Інше", "en": "Other"}, 6),
)
