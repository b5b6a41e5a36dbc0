"""The Bot API methods the fake implements.

Every method takes the decoded request parameters and returns the "result"
object, or raises TelegramAPIError with Telegram's wording.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .markup import ParsedText, check_callback_answer, check_caption, check_reply_markup, check_text
from .models import (
    CONFLICT,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    BotMessage,
    ChatEvent,
    JsonDict,
    StoredFile,
    TelegramAPIError,
    bad_request,
)
from .state import ApiRequest, BotState, Poll, as_bool, as_int, json_param, opt_str
from .user import FakeUser

_MEDIA_KINDS = ("photo", "video", "document")


def _canonical(markup: JsonDict | None) -> str | None:
    return None if markup is None else json.dumps(markup, sort_keys=True)


class BotApi(BotState):
    """The implemented Bot API methods, by Telegram name in `handlers`."""

    def __init__(self, token: str, bot_id: int | None, bot_username: str, bot_first_name: str) -> None:
        super().__init__(token, bot_id, bot_username, bot_first_name)
        self.handlers: dict[str, Callable[[ApiRequest], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendVideo": self._send_video,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
        }

    # --- bot and updates ------------------------------------------------------------

    async def _get_me(self, request: ApiRequest) -> JsonDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _delete_webhook(self, request: ApiRequest) -> bool:
        if as_bool(request.params.get("drop_pending_updates")):
            self.pending_updates.clear()
        return True

    async def _get_webhook_info(self, request: ApiRequest) -> JsonDict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.pending_updates)}

    async def _get_updates(self, request: ApiRequest) -> list[JsonDict]:
        params = request.params
        offset = params.get("offset")
        limit = as_int(params.get("limit") or 100, "limit")
        limit = 100 if limit <= 0 else min(limit, 100)  # Telegram clamps instead of failing
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(json_param(params["allowed_updates"])) or None
        if offset is not None:
            self._confirm(as_int(offset, "offset"))
        # Only one poller per token: the one already waiting is told to go away.
        if self._poll is not None:
            self._poll.conflicted = True
            self.notify()
        poll = self._poll = Poll()
        deadline = time.monotonic() + timeout
        try:
            while True:
                if poll.conflicted:
                    raise TelegramAPIError(409, CONFLICT)
                remaining = deadline - time.monotonic()
                if self.pending_updates or remaining <= 0 or self._closing:
                    return self.pending_updates[:limit]
                await self.wait_changed(remaining)
        finally:
            if self._poll is poll:
                self._poll = None

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            del self.pending_updates[: max(len(self.pending_updates) + offset, 0)]
        else:
            self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]

    # --- sending --------------------------------------------------------------------

    async def _send_message(self, request: ApiRequest) -> JsonDict:
        params = request.params
        user = self._chat_user(params.get("chat_id"))
        parse_mode = opt_str(params.get("parse_mode"))
        parsed = check_text(params.get("text"), parse_mode)
        markup = check_reply_markup(params.get("reply_markup"))
        message = self._record(
            user,
            "text",
            self._text_content(parsed),
            reply_markup=markup,
            raw_text=str(params["text"]),
            parse_mode=parse_mode,
        )
        return message.raw

    async def _send_media(self, request: ApiRequest, kind: str) -> JsonDict:
        params = request.params
        user = self._chat_user(params.get("chat_id"))
        parse_mode = opt_str(params.get("parse_mode"))
        caption = check_caption(params.get("caption"), parse_mode)
        markup = check_reply_markup(params.get("reply_markup"))
        stored = self._resolve_file(params.get(kind), kind, request.uploads)
        content = {**self.media_content(stored), **self._caption_content(caption)}
        message = self._record(
            user,
            kind,
            content,
            reply_markup=markup,
            media=stored,
            raw_caption=opt_str(params.get("caption")),
            parse_mode=parse_mode,
        )
        return message.raw

    async def _send_photo(self, request: ApiRequest) -> JsonDict:
        return await self._send_media(request, "photo")

    async def _send_video(self, request: ApiRequest) -> JsonDict:
        return await self._send_media(request, "video")

    async def _send_document(self, request: ApiRequest) -> JsonDict:
        return await self._send_media(request, "document")

    async def _send_media_group(self, request: ApiRequest) -> list[JsonDict]:
        params = request.params
        user = self._chat_user(params.get("chat_id"))
        items = json_param(params.get("media"))
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise bad_request("media group must contain 2-10 items")
        if not all(isinstance(item, dict) for item in items):
            raise bad_request("can't parse InputMedia JSON object")
        types = {item.get("type") for item in items}
        if len(types) != 1 and ({"document", "audio"} & types):
            raise bad_request("documents and audio can't be mixed with other media types")
        if not types <= {"photo", "video", "document"}:
            raise bad_request(f"unsupported media type in the media group: {sorted(map(str, types))}")
        # Validate every item before recording any, so a bad album sends nothing.
        prepared: list[tuple[StoredFile, ParsedText | None, str | None, str | None]] = []
        for item in items:
            parse_mode = opt_str(item.get("parse_mode"))
            caption = check_caption(item.get("caption"), parse_mode)
            stored = self._resolve_file(item.get("media"), item["type"], request.uploads)
            prepared.append((stored, caption, opt_str(item.get("caption")), parse_mode))
        group_id = self.next_id("1300")
        return [
            self._record(
                user,
                "media_group_item",
                {**self.media_content(stored), **self._caption_content(caption)},
                media=stored,
                media_group_id=group_id,
                raw_caption=raw_caption,
                parse_mode=parse_mode,
            ).raw
            for stored, caption, raw_caption, parse_mode in prepared
        ]

    async def _copy_message(self, request: ApiRequest) -> JsonDict:
        params = request.params
        user = self._chat_user(params.get("chat_id"))
        source_chat = self._chat_user(params.get("from_chat_id"), check_blocked=False).chat
        source_id = as_int(params.get("message_id"), "message_id")
        bot_source = source_chat.messages_by_id.get(source_id)
        source = bot_source.raw if bot_source and not bot_source.deleted else source_chat.user_messages.get(source_id)
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            k: v
            for k, v in source.items()
            if k
            not in (
                "message_id",
                "from",
                "chat",
                "date",
                "edit_date",
                "reply_markup",
                "media_group_id",
                "forward_origin",
                "reply_to_message",
            )
        }
        parse_mode = opt_str(params.get("parse_mode"))
        raw_caption = None
        if params.get("caption") is not None:
            raw_caption = str(params["caption"])
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_content(check_caption(raw_caption, parse_mode)))
        kind = next((k for k in ("text", *_MEDIA_KINDS, "sticker", "voice", "contact") if k in content), "other")
        file_id = None
        if kind in _MEDIA_KINDS:
            media = content[kind]
            file_id = (media[-1] if isinstance(media, list) else media)["file_id"]
        message = self._record(
            user,
            kind,
            content,
            reply_markup=check_reply_markup(params.get("reply_markup")),
            media=self.files.get(file_id or ""),
            raw_caption=raw_caption,
            raw_text=content.get("text"),
            parse_mode=parse_mode,
        )
        return {"message_id": message.message_id}

    async def _send_chat_action(self, request: ApiRequest) -> bool:
        self._chat_user(request.params.get("chat_id"))
        return True

    # --- editing --------------------------------------------------------------------

    def _apply_edit(
        self,
        user: FakeUser,
        message: BotMessage,
        content: JsonDict,
        markup: JsonDict | None,
    ) -> JsonDict:
        old_markup = message.reply_markup if "inline_keyboard" in (message.reply_markup or {}) else None
        old = {k: message.raw.get(k) for k in content}
        if old == content and _canonical(old_markup) == _canonical(markup):
            raise bad_request(NOT_MODIFIED)
        # Without reply_markup an edit removes the inline keyboard, as in Telegram.
        message.raw.update(content)
        message.raw = {k: v for k, v in message.raw.items() if v is not None}
        message.raw.pop("reply_markup", None)
        if markup is not None:
            message.raw["reply_markup"] = markup
        message.raw["edit_date"] = int(time.time())
        message.reply_markup = markup
        if "text" in content:
            message.text = content["text"]
            message.entities = list(content.get("entities") or [])
        if "caption" in content:
            message.caption = content["caption"]
            message.entities = list(content.get("caption_entities") or [])
        message.edit_count += 1
        user.chat.events.append(ChatEvent("edit", message.snapshot()))
        self.notify()
        return message.raw

    async def _edit_message_text(self, request: ApiRequest) -> JsonDict:
        params = request.params
        user, message = self._find_bot_message(request, "message to edit not found")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        parse_mode = opt_str(params.get("parse_mode"))
        parsed = check_text(params.get("text"), parse_mode)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        content = {"text": parsed.plain, "entities": parsed.entities or None}
        result = self._apply_edit(user, message, content, markup)
        message.raw_text = str(params["text"])
        message.parse_mode = parse_mode
        return result

    async def _edit_message_caption(self, request: ApiRequest) -> JsonDict:
        params = request.params
        user, message = self._find_bot_message(request, "message to edit not found")
        if message.media_type is None:
            raise bad_request("there is no caption in the message to edit")
        parse_mode = opt_str(params.get("parse_mode"))
        parsed = check_caption(params.get("caption"), parse_mode)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        content = {
            "caption": parsed.plain if parsed else None,
            "caption_entities": (parsed.entities or None) if parsed else None,
        }
        result = self._apply_edit(user, message, content, markup)
        message.raw_caption = opt_str(params.get("caption"))
        return result

    async def _edit_message_reply_markup(self, request: ApiRequest) -> JsonDict:
        user, message = self._find_bot_message(request, "message to edit not found")
        markup = check_reply_markup(request.params.get("reply_markup"), inline_only=True)
        return self._apply_edit(user, message, {}, markup)

    async def _delete_message(self, request: ApiRequest) -> bool:
        params = request.params
        user = self._chat_user(params.get("chat_id"), check_blocked=False)
        message_id = as_int(params.get("message_id"), "message_id")
        message = user.chat.messages_by_id.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            user.chat.events.append(ChatEvent("delete", message.snapshot()))
        elif user.chat.user_messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self.notify()
        return True

    # --- callbacks, commands, files -------------------------------------------------

    async def _answer_callback_query(self, request: ApiRequest) -> bool:
        params = request.params
        record = self.callbacks.get(str(params.get("callback_query_id")))
        if record is None or record.answered or time.monotonic() - record.created > self.callback_answer_timeout:
            raise bad_request(QUERY_TOO_OLD)
        text = opt_str(params.get("text"))
        check_callback_answer(text)
        record.answered = True
        record.text = text
        record.show_alert = as_bool(params.get("show_alert"))
        record.url = opt_str(params.get("url"))
        self.notify()
        return True

    async def _set_my_commands(self, request: ApiRequest) -> bool:
        params = request.params
        commands = json_param(params.get("commands"))
        if not isinstance(commands, list):
            raise bad_request("commands must be an array")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = str(command.get("command", ""))
            if not (
                1 <= len(name) <= 32 and name.replace("_", "a").isalnum() and name == name.lower() and name.isascii()
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self.scope_key(params.get("scope"), params.get("language_code"), bot_call=True)
        stored = [{"command": c["command"], "description": c["description"]} for c in commands]
        if stored:
            self.commands[key] = stored
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, request: ApiRequest) -> list[JsonDict]:
        params = request.params
        return self.commands.get(self.scope_key(params.get("scope"), params.get("language_code"), bot_call=True), [])

    async def _delete_my_commands(self, request: ApiRequest) -> bool:
        params = request.params
        self.commands.pop(self.scope_key(params.get("scope"), params.get("language_code"), bot_call=True), None)
        return True

    async def _get_file(self, request: ApiRequest) -> JsonDict:
        stored = self.files.get(str(request.params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > self.download_limit_bytes:
            raise bad_request("file is too big")
        if not stored.file_path:
            extension = (stored.file_name or "").rpartition(".")[2] or {
                "photo": "jpg",
                "video": "mp4",
                "voice": "oga",
                "sticker": "webp",
            }.get(stored.kind, "bin")
            stored.file_path = f"{stored.kind}s/file_{stored.file_unique_id}.{extension}"
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }
