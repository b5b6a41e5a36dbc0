"""Plain data kept by the fake Telegram server and handed to tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

JsonDict = dict[str, Any]

# Methods that deliver a message to a chat: rate limiting and inject_429 apply to them.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendVideo", "sendDocument", "sendMediaGroup", "copyMessage"})

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class TelegramAPIError(Exception):
    """An error answer of the Bot API; the HTTP layer turns it into the JSON body."""

    def __init__(self, error_code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> TelegramAPIError:
    return TelegramAPIError(400, f"Bad Request: {reason}")


class ApiCall(NamedTuple):
    """One request the bot made: outcome is "ok" or the error code it got."""

    method: str
    params: JsonDict
    at: float
    outcome: str | int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo, video, document, sticker, voice
    size: int
    file_name: str | None = None
    mime_type: str | None = None
    data: bytes | None = None  # only for files the bot uploaded or the fake generated
    file_path: str = ""


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (edits update it in place)."""

    message_id: int
    chat_id: int
    kind: str  # text, photo, video, document, media_group_item
    date: int
    text: str | None = None  # plain text, tags stripped and entities unescaped
    raw_text: str | None = None  # exactly as the bot sent it
    caption: str | None = None  # plain caption
    raw_caption: str | None = None
    media_type: str | None = None  # photo/video/document, also for media_group_item
    file_id: str | None = None
    media_group_id: str | None = None
    reply_markup: JsonDict | None = None
    entities: list[JsonDict] = field(default_factory=list)
    parse_mode: str | None = None
    edit_count: int = 0
    deleted: bool = False
    # The Message object as Telegram returned it to the bot (kept in sync with edits).
    raw: JsonDict = field(default_factory=dict, repr=False)

    @property
    def body(self) -> str:
        """The plain text of a text message, for a test that expects one.

        `text` stays `str | None` (a photo or a document has none); reading `body` of such a
        message fails the test with what arrived instead, rather than a TypeError on None.
        """
        if self.text is None:
            raise AssertionError(
                f"expected a text message, got {self.kind} #{self.message_id} in chat {self.chat_id}"
                f" (caption {self.caption!r})"
            )
        return self.text

    @property
    def inline_buttons(self) -> list[list[tuple[str, str | None]]]:
        """Rows of (text, callback_data); callback_data is None for url and other buttons."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]

    def button_texts(self) -> list[str]:
        """Flat list of button texts: inline buttons, or the reply keyboard the message set."""
        markup = self.reply_markup or {}
        if "inline_keyboard" in markup:
            return [text for row in self.inline_buttons for text, _ in row]
        return [b if isinstance(b, str) else b["text"] for row in markup.get("keyboard") or [] for b in row]

    def snapshot(self) -> BotMessage:
        return copy.deepcopy(self)


@dataclass
class ChatEvent:
    """Something that happened in a chat, in order: a new bot message, an edit or a delete."""

    kind: Literal["message", "edit", "delete"]
    message: BotMessage  # snapshot taken when the event happened


@dataclass
class CallbackRecord:
    query_id: str
    user_id: int
    data: str | None
    message_id: int | None
    created: float  # monotonic
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class ChatState:
    """A private chat between the bot and one user (ids are shared by both sides)."""

    next_message_id: int = 1
    bot_messages: list[BotMessage] = field(default_factory=list)  # in send order, incl. deleted
    messages_by_id: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JsonDict] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    reply_keyboard: JsonDict | None = None  # the ReplyKeyboardMarkup currently shown
    started: bool = False  # the user has written to the bot; until then Telegram knows no chat
    message_cursor: int = 0  # index into bot_messages consumed by wait_message
    edit_cursor: int = 0  # index into events consumed by wait_edit

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id
