"""Form input rules. Each failure carries a code the handler turns into a translated hint."""

from __future__ import annotations

import re
from enum import StrEnum

NAME_MIN, NAME_MAX = 2, 100
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
NOTE_MAX = 200
MEDIA_MAX = 10

_APOSTROPHES = "'’ʼ"
_LETTER = "A-Za-zА-Яа-яЁёІіЇїЄєҐґ"
_NAME = re.compile(rf"^[{_LETTER}](?:[{_LETTER}{_APOSTROPHES} -]*[{_LETTER}])?$")
_SPACES = re.compile(r"\s+")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class InputProblem(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_CHARACTERS = "bad_characters"
    BAD_PHONE = "bad_phone"


class InvalidInput(ValueError):
    def __init__(self, problem: InputProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (most emoji are two)."""
    return len(text.encode("utf-16-le")) // 2


def _check_length(text: str, minimum: int, maximum: int) -> None:
    # In Telegram's units: the card that shows the text has a limit counted that way.
    if not text:
        raise InvalidInput(InputProblem.EMPTY)
    if units(text) < minimum:
        raise InvalidInput(InputProblem.TOO_SHORT)
    if units(text) > maximum:
        raise InvalidInput(InputProblem.TOO_LONG)


def full_name(text: str) -> str:
    """2–100 characters: Latin/Cyrillic letters (incl. і ї є ґ), spaces, hyphens, apostrophes."""
    name = _SPACES.sub(" ", text).strip()
    _check_length(name, NAME_MIN, NAME_MAX)
    if not _NAME.match(name):
        raise InvalidInput(InputProblem.BAD_CHARACTERS)
    return name


def phone(text: str) -> str:
    """Typed phone → E.164. Ukrainian numbers may be typed as 0XXXXXXXXX, 380… or +380…;
    other countries need the international form with '+'."""
    raw = _PHONE_SEPARATORS.sub("", text.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if re.fullmatch(r"0\d{9}", raw):
        candidate = "+38" + raw
    elif re.fullmatch(r"380\d{9}", raw):
        candidate = "+" + raw
    else:
        candidate = raw
    if candidate.startswith("+380") and len(candidate) != 13:
        raise InvalidInput(InputProblem.BAD_PHONE)
    if not _E164.match(candidate):
        raise InvalidInput(InputProblem.BAD_PHONE)
    return candidate


def contact_phone(number: str) -> str:
    """A number from a shared contact (Telegram verified it); it may arrive without '+'."""
    digits = re.sub(r"\D", "", number)
    candidate = "+" + digits
    if not _E164.match(candidate):
        raise InvalidInput(InputProblem.BAD_PHONE)
    return candidate


def description(text: str) -> str:
    value = text.strip()
    _check_length(value, DESCRIPTION_MIN, DESCRIPTION_MAX)
    return value


def note(text: str) -> str:
    value = text.strip()
    _check_length(value, 1, NOTE_MAX)
    return value


def mask_phone(value: str) -> str:
    """For logs: enough to tell numbers apart, not enough to call anyone."""
    return value[:4] + "*" * max(0, len(value) - 6) + value[-2:] if len(value) > 6 else "***"
