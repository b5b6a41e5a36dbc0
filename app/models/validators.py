"""Form input rules. Each failure carries a code the handler turns into a translated hint.

Every length is counted as Telegram counts it: UTF-16 code units (an emoji is 2).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from app.models.telegram_text import utf16_len

NAME_MIN, NAME_MAX = 2, 100
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
NOTE_MAX = 200
COMMENT_MAX = 1000  # a closing comment (optional)
REASON_MIN, REASON_MAX = 5, 500  # a rejection reason (required)
MEDIA_MAX = 10

_APOSTROPHES = "'’ʼ"
_SPACES = re.compile(r"\s+")
# A name spelled as classes of characters (L: a letter with its accents), then checked as a whole:
# words of letters joined by one space, hyphen or apostrophe; a dot after a letter (initials:
# "Петренко І. В.", "І.В."); " - " between double-barrelled surnames.
_NAME_SHAPE = re.compile(r"L+(?:(?:[ '-]| - |\. ?)L+)*\.?")
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


def _check_length(text: str, minimum: int, maximum: int) -> None:
    # In Telegram's units: the card that shows the text has a limit counted that way.
    if not text:
        raise InvalidInput(InputProblem.EMPTY)
    if utf16_len(text) < minimum:
        raise InvalidInput(InputProblem.TOO_SHORT)
    if utf16_len(text) > maximum:
        raise InvalidInput(InputProblem.TOO_LONG)


def _name_class(char: str, previous: str) -> str:
    """L for a letter of any alphabet (or an accent on one), the separator itself, or "?"."""
    if char in _APOSTROPHES:
        return "'"  # ʼ is a "modifier letter" to Unicode, but in a name it joins two letters
    category = unicodedata.category(char)
    if category.startswith("L"):
        return "L"
    if category.startswith("M") and previous == "L":
        return "L"
    return char if char in " -." else "?"


def full_name(text: str) -> str:
    """2–100 units: letters of any alphabet with their accents (Zoë, Łukasz, Şevket, Олена),
    spaces, hyphens, apostrophes, and dots after initials; no digits or other symbols.
    Stored composed (NFC), so "Zoë" is one spelling however the keyboard typed it."""
    name = unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())
    _check_length(name, NAME_MIN, NAME_MAX)
    shape = ""
    for char in name:
        shape += _name_class(char, shape[-1:])
    if not _NAME_SHAPE.fullmatch(shape):
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


def comment(text: str) -> str:
    """A closing comment; empty means none."""
    value = text.strip()
    if utf16_len(value) > COMMENT_MAX:
        raise InvalidInput(InputProblem.TOO_LONG)
    return value


def reason(text: str) -> str:
    value = text.strip()
    if utf16_len(value) < REASON_MIN:
        raise InvalidInput(InputProblem.TOO_SHORT)
    _check_length(value, REASON_MIN, REASON_MAX)
    return value


def mask_phone(value: str) -> str:
    """For logs: enough to tell numbers apart, not enough to call anyone."""
    return value[:4] + "*" * max(0, len(value) - 6) + value[-2:] if len(value) > 6 else "***"
