"""Text lengths as Telegram counts them, and making the bot's HTML fit.

Telegram measures a message in UTF-16 code units of its text after HTML entity parsing: an
emoji is 2, a family emoji 11, a tag 0, "&amp;" 1. Every limit the bot sets on what people
type and every message it renders is counted here, by this one function.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
ELLIPSIS = "…"

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
_ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9A-Fa-f]+);")
_ZWJ = "\u200d"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_len(markup: str) -> int:
    """The length Telegram counts for HTML the bot wrote: tags dropped, entities decoded.

    Telegram also strips surrounding whitespace; counting it errs on the safe side."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))


def _joined(left: str, right: str) -> bool:
    """Would a cut between these two characters split one visible symbol (an accent from its
    letter, a variation selector or skin tone from its emoji, a ZWJ sequence)?"""
    if left == _ZWJ or right == _ZWJ:
        return True
    category = unicodedata.category(right)
    return category in ("Mn", "Mc", "Me") or "\U0001f3fb" <= right <= "\U0001f3ff" or "\ufe00" <= right <= "\ufe0f"


def _cut_index(text: str, units: int) -> int:
    """How many characters of `text` fit in `units`, stepping back to a symbol boundary."""
    used = 0
    index = 0
    for char in text:
        used += utf16_len(char)
        if used > units:
            break
        index += 1
    boundary = index
    while 0 < boundary < len(text) and _joined(text[boundary - 1], text[boundary]):
        boundary -= 1
    return boundary or index  # a text of nothing but joined marks is cut where it must be


def shorten(text: str, limit: int) -> str:
    """Plain text in at most `limit` units (at least "…"), "…" where it was cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _cut_index(text, max(limit, 1) - 1)].rstrip() + ELLIPSIS


def fit_html(markup: str, limit: int) -> str:
    """The bot's HTML with its visible text cut to `limit` units ("…" at the cut, open tags closed).

    A last resort: renderers shorten their long fields first (see `fit`), so a cut never hides
    a field the reader needs; this only guarantees that Telegram accepts the message."""
    if visible_len(markup) <= limit:
        return markup
    room = max(limit, 1) - utf16_len(ELLIPSIS)
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(markup):
        tag = _TAG.match(markup, position)
        if tag is not None:
            closing, name = tag.group(1), tag.group(2).lower()
            if closing and open_tags and open_tags[-1] == name:
                open_tags.pop()
            elif not closing:
                open_tags.append(name)
            out.append(tag.group(0))
            position = tag.end()
            continue
        entity = _ENTITY.match(markup, position)
        piece = entity.group(0) if entity is not None else markup[position]
        size = utf16_len(html.unescape(piece))
        if size > room:
            break
        room -= size
        out.append(piece)
        position += len(piece)
    kept = "".join(out)
    # Step back off a symbol the cut split (an accent, a ZWJ sequence); never into a tag or entity.
    while kept and position < len(markup) and _joined(kept[-1], markup[position]) and kept[-1] not in ">;":
        position -= 1
        kept = kept[:-1]
    return kept + ELLIPSIS + "".join(f"</{name}>" for name in reversed(open_tags))


@dataclass(frozen=True, slots=True)
class Fitted:
    text: str
    shortened: bool  # some field was cut: offer the full text


def fit(render: Callable[[int | None], str], limit: int = TEXT_LIMIT) -> Fitted:
    """Render a message whose long fields give way when it would not fit.

    `render(room)` shortens each long field to at most `room` units (None: whole). The largest
    room that fits is found by bisection, so short fields stay whole and the long ones share
    what is left evenly."""
    whole = render(None)
    if visible_len(whole) <= limit:
        return Fitted(whole, shortened=False)
    low, high = 0, visible_len(whole)
    while low < high:
        middle = (low + high + 1) // 2
        if visible_len(render(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return Fitted(fit_html(render(low), limit), shortened=True)


def split_text(text: str, limit: int) -> list[str]:
    """Plain text in pieces of at most `limit` units, cut at a line break or a space where one is
    near; joined back together they are the text."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        index = max(_cut_index(rest, limit), 1)  # a limit under 2 units still moves on
        for separator in ("\n", " "):
            at = rest.rfind(separator, 0, index)
            if at >= index // 2:
                index = at + 1
                break
        pieces.append(rest[:index])
        rest = rest[index:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces
