"""Everything the fake Telegram knows, and the bookkeeping shared by the API methods.

Bot API methods live in bot_api.py, HTTP and fault injection in server.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

from .markup import ParsedText
from .models import (
    BotMessage,
    CallbackRecord,
    ChatEvent,
    JsonDict,
    StoredFile,
    TelegramAPIError,
    bad_request,
)
from .user import FakeUser

MB = 1024 * 1024
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
# What Telegram delivers when allowed_updates is empty or was never given.
_DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_COMMAND_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
EDIT_WINDOW_SECONDS = 48 * 3600  # a bot edits its own messages for 48 h (shared/TELEGRAM.md)
_EDITABLE_CAPTIONS = ("photo", "video", "document", "audio", "animation", "voice")
_MIME_TYPES = {"video": "video/mp4", "voice": "audio/ogg", "sticker": "image/webp"}


@dataclass
class Upload:
    """A file part of a multipart request."""

    file_name: str
    data: bytes
    content_type: str | None = None


@dataclass
class ApiRequest:
    params: JsonDict
    uploads: dict[str, Upload]


@dataclass
class Poll:
    """A waiting getUpdates; a newer one marks it conflicted."""

    conflicted: bool = False


def as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        reason = f"{name} is empty" if value in (None, "") else f"invalid {name}"
        raise bad_request(reason) from None


def as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def json_param(value: Any) -> Any:
    """Complex fields come JSON-encoded in forms and as objects in JSON bodies."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request("can't parse JSON object") from None
    return value


class BotState:
    """Everything the fake Telegram knows: bot, users, chats, files, updates."""

    def __init__(self, token: str, bot_id: int | None, bot_username: str, bot_first_name: str) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.upload_limit_bytes = 50 * MB
        self.download_limit_bytes = 20 * MB
        self.callback_answer_timeout = 15.0  # Telegram forgets a query after ~15 s
        self.users: dict[int, FakeUser] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.bot_messages: list[BotMessage] = []  # every chat, in send order
        self.pending_updates: list[JsonDict] = []  # unconfirmed, in update_id order
        self.dropped_updates: list[JsonDict] = []  # filtered out by allowed_updates
        self.allowed_updates: list[str] | None = None
        self._next_update_id = 10_000
        self._counter = 0
        self._changed = asyncio.Event()
        self._poll: Poll | None = None
        self._closing = False

    # --- change notification --------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter (long polls and test helpers); they re-check their condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, seconds: float) -> None:
        """Sleep until the next notify() or for `seconds`, whichever comes first."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0))

    def close_polls(self) -> None:
        self._closing = True
        self.notify()

    def next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    # --- pieces shared with FakeUser ------------------------------------------------

    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def new_file(
        self,
        kind: str,
        size: int,
        file_name: str | None = None,
        mime_type: str | None = None,
        data: bytes | None = None,
    ) -> StoredFile:
        unique = self.next_id("U")
        stored = StoredFile(
            file_id=f"fake-{kind}-{unique}-AgADBAAD",
            file_unique_id=unique,
            kind=kind,
            size=size,
            file_name=file_name,
            mime_type=mime_type or _MIME_TYPES.get(kind),
            data=data,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def media_content(stored: StoredFile) -> JsonDict:
        """The Message field describing a file, as Telegram shows it."""
        ids = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.kind == "photo":
            return {"photo": [{**ids, "width": 1280, "height": 960}]}
        if stored.kind == "video":
            return {"video": {**ids, "width": 1280, "height": 720, "duration": 5, "mime_type": stored.mime_type}}
        if stored.kind == "sticker":
            return {
                "sticker": {
                    **ids,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            }
        if stored.kind == "voice":
            return {"voice": {**ids, "duration": 3, "mime_type": stored.mime_type}}
        document = {**ids}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return {"document": document}

    def enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        """Add an update; types the bot did not subscribe to are dropped like Telegram does."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        allowed = self.allowed_updates
        if (kind not in allowed) if allowed else (kind in _DEFAULT_EXCLUDED_UPDATES):
            self.dropped_updates.append(update)
        else:
            self.pending_updates.append(update)
        self.notify()
        return update

    def user_message(self, user: FakeUser, content: JsonDict) -> JsonDict:
        """Record a message written by the user and queue it as an update."""
        # Writing to a bot you blocked means restarting it first, which unblocks it.
        self.blocked.discard(user.id)
        user.chat.started = True
        message_id = user.chat.take_message_id()
        message = {
            "message_id": message_id,
            "from": user.to_dict(),
            "chat": user.chat_dict(),
            "date": int(time.time()),
            **content,
        }
        user.chat.user_messages[message_id] = message
        self.enqueue("message", message)
        return message

    def user_edit(self, user: FakeUser, message_id: int, changes: JsonDict) -> JsonDict:
        """The user edits a message of theirs; the bot hears of it as `edited_message` (if subscribed).

        As Telegram: only one's own message, a text's text or a media message's caption, and a
        client sends nothing when nothing changed."""
        original = user.chat.user_messages.get(message_id)
        if original is None:
            raise AssertionError(f"{user!r}: message {message_id} is not one of this user's messages")
        if "text" in changes and "text" not in original:
            raise AssertionError(f"{user!r}: message {message_id} has no text to edit")
        if "caption" in changes and not any(k in original for k in _EDITABLE_CAPTIONS):
            raise AssertionError(f"{user!r}: message {message_id} has no caption to edit")
        if all(original.get(k) == v for k, v in changes.items()):
            raise AssertionError(f"{user!r}: the edit of {message_id} changes nothing; a client sends nothing")
        dropped = {"entities"} if "text" in changes else {"caption_entities"}
        edited = {k: v for k, v in original.items() if k not in dropped}
        edited.update(changes)
        edited["edit_date"] = int(time.time())
        user.chat.user_messages[message_id] = edited
        self.enqueue("edited_message", edited)
        return edited

    # --- checks ---------------------------------------------------------------------

    def _chat_user(self, chat_id: Any, *, check_blocked: bool = True) -> FakeUser:
        try:
            user = self.users.get(int(chat_id))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise bad_request("chat not found")
        if check_blocked and user.id in self.blocked:
            raise TelegramAPIError(403, "Forbidden: bot was blocked by the user")
        return user

    def _resolve_file(self, value: Any, kind: str, uploads: dict[str, Upload]) -> StoredFile:
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(WRONG_FILE_ID)
            return self.new_file(kind, len(upload.data), upload.file_name, upload.content_type, upload.data)
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")  # the fake has no internet
        stored = self.files.get(value)
        if stored is None:
            raise bad_request(WRONG_FILE_ID)
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _find_bot_message(self, request: ApiRequest, reason: str) -> tuple[FakeUser, BotMessage]:
        params = request.params
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake")
        user = self._chat_user(params.get("chat_id"))
        message_id = as_int(params.get("message_id"), "message_id")
        message = user.chat.messages_by_id.get(message_id)
        if message is None or message.deleted:
            if message_id in user.chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request(reason)
        if time.time() - message.date > EDIT_WINDOW_SECONDS:
            raise bad_request("message can't be edited")
        return user, message

    def scope_key(self, scope: Any, language_code: Any, *, bot_call: bool = False) -> tuple[str, str]:
        """`bot_call`: a chat scope for a person who never wrote fails, as in Telegram."""
        scope = json_param(scope) if scope else {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("wrong bot command scope type specified")
        normalized: JsonDict = {"type": scope["type"]}
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            chat_user = self._chat_user(scope.get("chat_id"), check_blocked=False)
            if bot_call and not chat_user.chat.started:
                raise bad_request("chat not found")
            normalized["chat_id"] = chat_user.id
        if scope["type"] == "chat_member":
            normalized["user_id"] = as_int(scope.get("user_id"), "user_id")
        return json.dumps(normalized, sort_keys=True), str(language_code or "")

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path and f.file_path == file_path), None)

    # --- recording bot messages -----------------------------------------------------

    def _record(
        self,
        user: FakeUser,
        kind: str,
        content: JsonDict,
        *,
        reply_markup: JsonDict | None = None,
        raw_text: str | None = None,
        raw_caption: str | None = None,
        parse_mode: str | None = None,
        media: StoredFile | None = None,
        media_group_id: str | None = None,
    ) -> BotMessage:
        chat = user.chat
        raw: JsonDict = {
            "message_id": chat.take_message_id(),
            "from": self.bot_user(),
            "chat": user.chat_dict(),
            "date": int(time.time()),
            **content,
        }
        if media_group_id:
            raw["media_group_id"] = media_group_id
        # Telegram echoes only inline keyboards back in the Message object.
        if reply_markup and "inline_keyboard" in reply_markup:
            raw["reply_markup"] = reply_markup
        message = BotMessage(
            message_id=raw["message_id"],
            chat_id=user.id,
            kind=kind,
            date=raw["date"],
            text=content.get("text"),
            raw_text=raw_text,
            caption=content.get("caption"),
            raw_caption=raw_caption,
            media_type=media.kind if media else None,
            file_id=media.file_id if media else None,
            media_group_id=media_group_id,
            reply_markup=reply_markup,
            entities=list(content.get("entities") or content.get("caption_entities") or []),
            parse_mode=parse_mode,
            raw=raw,
        )
        chat.bot_messages.append(message)
        self.bot_messages.append(message)
        chat.messages_by_id[message.message_id] = message
        chat.events.append(ChatEvent("message", message.snapshot()))
        if reply_markup and "keyboard" in reply_markup:
            chat.reply_keyboard = reply_markup
        elif reply_markup and "remove_keyboard" in reply_markup:
            chat.reply_keyboard = None
        self.notify()
        return message

    @staticmethod
    def _text_content(parsed: ParsedText) -> JsonDict:
        content: JsonDict = {"text": parsed.plain}
        if parsed.entities:
            content["entities"] = parsed.entities
        return content

    @staticmethod
    def _caption_content(parsed: ParsedText | None) -> JsonDict:
        if parsed is None:
            return {}
        content: JsonDict = {"caption": parsed.plain}
        if parsed.entities:
            content["caption_entities"] = parsed.entities
        return content
