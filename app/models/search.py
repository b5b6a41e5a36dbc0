"""Ticket search: the terms a ticket is found by, and the terms a typed query asks for.

Both sides go through the same normaliser, so matching is an exact comparison of terms, which
an index answers on both engines (app/db/ticket_search.py says why the terms are documents of
their own rather than an array on the ticket).

Terms of a ticket:
- its number twice: `#123` (only the number) and `123` (the bare digits, shared with the
  Telegram id and with numbers written in the text: typing 123 finds any of them);
- the employee's Telegram id as digits, `@username` lowercased, the phone in E.164 (`+380…`);
- words of the name: each from its first PREFIX_MIN letters up to STEM letters
  (`пет`, `петр`, `петре`, `петрен` for «Петренко»): a name is found by how it starts;
- words of the description, cut to STEM letters («принтера» → `принте`): a word is found
  with any ending (принтер, принтера, принтером), without a term per prefix — descriptions
  are long, and each term is an index entry.
A query word is cut to STEM letters the same way, so it matches a name that starts with it,
or a description word that starts with the same STEM letters (or equals it, when shorter).

Words are compared lowercased (casefold), composed (NFC), without apostrophes (’ ' ʼ `, so
«п’ять» and «п'ять» are one word) and, in a word that mixes scripts, with Latin letters that
look Cyrillic read as Cyrillic: «Олiйник» typed with a Latin «i» is «Олійник».
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.models import validators

PREFIX_MIN = 3  # shorter name prefixes would match half the staff list
STEM = 6  # letters of a word that matter; the rest is mostly an ending in Ukrainian
WORD_MIN = 2  # single letters (initials, «і», «a») find nothing useful
QUERY_TERMS_MAX = 8  # a pasted paragraph is not a search: its first words are
QUERY_MAX = 200  # characters of a query kept (and echoed back)

APOSTROPHES = "'’ʼ`‘"
_NO_APOSTROPHES = str.maketrans("", "", APOSTROPHES)
_WORD = re.compile(r"[^\W_]+")
# Latin letters a Ukrainian keyboard user substitutes for the Cyrillic look-alikes.
_LATIN_TO_CYRILLIC = str.maketrans("aceiopxyk", "асеіорхук")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_TICKET_NUMBER = re.compile(r"#\s*(\d{1,15})")
_USERNAME = re.compile(r"@([A-Za-z0-9_]{1,64})")
_PHONE_START = re.compile(r"^[\s(]*(?:\+|00|0|380)")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str  # as typed, trimmed to QUERY_MAX
    terms: tuple[str, ...]  # all must match; empty: nothing searchable was typed


def fold(text: str) -> str:
    """Lowercased, composed, without apostrophes: the form both sides are compared in."""
    return unicodedata.normalize("NFC", text).casefold().translate(_NO_APOSTROPHES)


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (repeats kept)."""
    found = []
    for word in _WORD.findall(fold(text)):
        if _CYRILLIC.search(word) and _LATIN.search(word):
            word = word.translate(_LATIN_TO_CYRILLIC)
        found.append(word)
    return found


def _stem(word: str) -> str:
    """A word as stored and looked up: digits whole (0042 is 42, like a ticket number), letters cut."""
    if word.isdigit():
        return str(int(word)) if len(word) <= 18 else word
    return word[:STEM]


def name_terms(name: str) -> set[str]:
    terms: set[str] = set()
    for word in words(name):
        if len(word) < WORD_MIN:
            continue
        terms.add(_stem(word))
        terms.update(word[:length] for length in range(PREFIX_MIN, min(len(word), STEM)))
    return terms


def text_terms(text: str) -> set[str]:
    return {_stem(word) for word in words(text) if len(word) >= WORD_MIN}


def ticket_terms(
    number: int, user_id: int, username: str | None, phone: str, full_name: str, description: str
) -> set[str]:
    """Every term the ticket is found by (see the module's docstring)."""
    terms = {f"#{number}", str(number), str(user_id), phone, *name_terms(full_name), *text_terms(description)}
    if username:
        terms.add("@" + username.casefold())
    return terms


def parse_query(text: str) -> SearchQuery:
    """What a typed query asks for. A whole query that reads as a phone number is one;
    `#N` and `@name` are exact keys; anything else is words, all of which must match."""
    typed = " ".join(text.split())[:QUERY_MAX]
    phone = _as_phone(typed)
    if phone is not None:
        return SearchQuery(typed, (phone,))
    terms = [f"#{int(match.group(1))}" for match in _TICKET_NUMBER.finditer(typed)]
    rest = _TICKET_NUMBER.sub(" ", typed)
    terms += ["@" + match.group(1).casefold() for match in _USERNAME.finditer(rest)]
    rest = _USERNAME.sub(" ", rest)
    # A lone digit is a ticket number or an id; a lone letter is nothing to look for.
    terms += [_stem(word) for word in words(rest) if word.isdigit() or len(word) >= WORD_MIN]
    return SearchQuery(typed, tuple(dict.fromkeys(terms))[:QUERY_TERMS_MAX])


def _as_phone(text: str) -> str | None:
    """The query as an E.164 number, if it is one (0XXXXXXXXX, 380…, +…; separators allowed).
    A bare Telegram id never starts like that, so it stays an id."""
    if not _PHONE_START.match(text) or not re.fullmatch(r"[\d\s\-().+]+", text):
        return None
    try:
        return validators.phone(text)
    except validators.InvalidInput:
        return None
