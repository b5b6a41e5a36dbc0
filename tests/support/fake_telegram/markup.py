"""Strict checks of what the bot puts in a message: HTML text, lengths and keyboards.

Telegram measures lengths in UTF-16 code units after entity parsing, and rejects
markup it cannot parse instead of guessing; the fake does the same so a bot bug
shows up in tests rather than in production.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .models import JsonDict, TelegramAPIError, bad_request

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200  # the notification text of answerCallbackQuery
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
INLINE_BUTTON_LIMIT = 100

# tag -> entity type; None means "handled specially" (a, code in pre, span, tg-emoji).
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
_SUPPORTED_TAGS = {*_SIMPLE_TAGS, "a", "span", "tg-emoji"}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_START_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_ATTR_RE = re.compile(r"\s+([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_TAG_CLOSE_RE = re.compile(r"\s*>")
_END_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REPLY_BUTTON_REQUESTS = (
    "request_contact",
    "request_location",
    "request_users",
    "request_chat",
    "request_poll",
    "web_app",
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ParsedText:
    plain: str
    entities: list[JsonDict]


@dataclass
class _OpenTag:
    tag: str
    start: int  # UTF-16 offset in the plain text
    entity: JsonDict | None


def _parse_error(reason: str) -> TelegramAPIError:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int]:
    """Decode the entity starting at text[index] == "&"; return (char, index after it)."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        raise _parse_error(
            f"Character entity expected at byte offset {_byte_offset(text, index)}; escape a bare '&' as &amp;"
        )
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _parse_error(f"Invalid character entity at byte offset {_byte_offset(text, index)}")
    return chr(code), match.end()


def _unescape_attr(value: str) -> str:
    """Attribute values (URLs) are decoded leniently: a bare '&' in an href stays as is."""
    if value[:1] in "\"'" and len(value) >= 2:
        value = value[1:-1]
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(0), 0)[0], value)


def _start_entity(tag: str, attrs: dict[str, str], stack: list[_OpenTag]) -> JsonDict | None:
    """Entity for an opening tag, or None when the tag adds no entity of its own."""
    if tag == "a":
        href = attrs.get("href")
        if not href:
            return None
        return {"type": "text_link", "url": href}
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _parse_error('Unsupported start tag "span": only class="tg-spoiler" is allowed')
        return {"type": "spoiler"}
    if tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            raise _parse_error('Tag "tg-emoji" must have attribute "emoji-id"')
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    if tag == "code" and stack and stack[-1].tag == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attrs.get("class", "")
        if language.startswith("language-") and stack[-1].entity is not None:
            stack[-1].entity["language"] = language.removeprefix("language-")
        return None
    if tag == "blockquote":
        if any(open_tag.tag == "blockquote" for open_tag in stack):
            raise _parse_error("Blockquote entities can't be nested")
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    return {"type": _SIMPLE_TAGS[tag]}


def parse_html(text: str) -> ParsedText:
    """Parse Telegram-flavoured HTML strictly; raise 400 "can't parse entities" like Telegram."""
    out: list[str] = []
    offset = 0  # UTF-16 length of out
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end_match = _END_RE.match(text, i)
            if end_match:
                tag = end_match.group(1).lower()
                if not stack:
                    raise _parse_error(f'Unexpected end tag "{tag}" at byte offset {_byte_offset(text, i)}')
                if stack[-1].tag != tag:
                    raise _parse_error(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)},"
                        f' expected "</{stack[-1].tag}>", found "</{tag}>"'
                    )
                opened = stack.pop()
                if opened.entity is not None and offset > opened.start:
                    entities.append({**opened.entity, "offset": opened.start, "length": offset - opened.start})
                i = end_match.end()
                continue
            start_match = _START_RE.match(text, i)
            if start_match is None:
                raise _parse_error(f"Unexpected '<' at byte offset {_byte_offset(text, i)}; escape it as &lt;")
            tag = start_match.group(1).lower()
            if tag not in _SUPPORTED_TAGS:
                raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, i)}')
            attrs: dict[str, str] = {}
            j = start_match.end()
            while attr := _ATTR_RE.match(text, j):
                attrs[attr.group(1).lower()] = _unescape_attr(attr.group(2) or "")
                j = attr.end()
            close = _TAG_CLOSE_RE.match(text, j)
            if close is None:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
            stack.append(_OpenTag(tag, offset, _start_entity(tag, attrs, stack)))
            i = close.end()
            continue
        if char == "&":
            char, i = _decode_entity(text, i)
        else:
            i += 1
        out.append(char)
        offset += utf16_len(char)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _trim("".join(out), entities)


def _trim(plain: str, entities: list[JsonDict]) -> ParsedText:
    """Telegram strips surrounding whitespace; keep entity offsets pointing at the same text."""
    stripped = plain.strip()
    lead = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    total = utf16_len(stripped)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(stripped, kept)


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    if parse_mode is None or parse_mode == "":
        return _trim(text, [])
    if parse_mode.lower() == "html":
        return parse_html(text)
    if parse_mode.lower() in ("markdown", "markdownv2"):
        # The project uses HTML only; Markdown is accepted but not validated.
        return _trim(text, [])
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def check_text(text: Any, parse_mode: str | None) -> ParsedText:
    """Validate a message text (1..4096 after parsing)."""
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    parsed = parse_text(str(text), parse_mode)
    if not parsed.plain:
        raise bad_request("message text is empty")
    if utf16_len(parsed.plain) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return parsed


def check_caption(caption: Any, parse_mode: str | None) -> ParsedText | None:
    """Validate an optional caption (0..1024 after parsing)."""
    if caption is None or caption == "":
        return None
    parsed = parse_text(str(caption), parse_mode)
    if utf16_len(parsed.plain) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return parsed if parsed.plain else None


def check_callback_answer(text: str | None) -> None:
    """An answerCallbackQuery notification: 0..200 characters, no parsing."""
    if text is not None and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton expected")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [name for name in _INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(f"can't parse inline keyboard button: exactly one action expected, got {actions}")
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = str(button["url"])
        if not re.match(r"(https?|tg)://\S+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_reply_button(button: Any) -> None:
    if isinstance(button, str):
        if not button:
            raise bad_request("can't parse keyboard button: Text must be non-empty")
        return
    if not isinstance(button, dict):
        raise bad_request("can't parse keyboard button: KeyboardButton expected")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("can't parse keyboard button: Text must be non-empty")
    requests = [name for name in _REPLY_BUTTON_REQUESTS if button.get(name)]
    if len(requests) > 1:
        raise bad_request(f"can't parse keyboard button: only one of {requests} is allowed")
    request_users = button.get("request_users")
    if request_users is not None and not isinstance((request_users or {}).get("request_id"), int):
        raise bad_request("can't parse keyboard button: request_users.request_id must be int")


def _rows(markup: JsonDict, key: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f"can't parse reply keyboard markup JSON object: {key} must be Array of Array")
    return rows


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> JsonDict | None:
    """Validate reply_markup (dict or its JSON string); return it as a dict."""
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        if sum(len(row) for row in rows) > INLINE_BUTTON_LIMIT:
            raise bad_request("reply markup is too long")
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        for row in _rows(markup, "keyboard"):
            for button in row:
                _check_reply_button(button)
        return markup
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object: remove_keyboard must be true")
        return markup
    if "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object: force_reply must be true")
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_button_text(button: Any) -> str:
    return button if isinstance(button, str) else str(button["text"])
