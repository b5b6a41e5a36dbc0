"""The human side of a private chat: what a test's user does and sees."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .markup import reply_button_text
from .models import BotMessage, CallbackRecord, ChatState, JsonDict

if TYPE_CHECKING:
    from .state import BotState

_DEFAULT_SIZES = {"photo": 48_213, "video": 1_204_551, "document": 23_517, "sticker": 18_112, "voice": 9_731}


class FakeUser:
    """A Telegram user in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        fake: BotState,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat = ChatState()

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    def to_dict(self) -> JsonDict:
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_dict(self) -> JsonDict:
        chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # --- writing to the bot ---------------------------------------------------------------

    async def _send(self, content: JsonDict, reply_to: BotMessage | int | None = None) -> JsonDict:
        if reply_to is not None:
            content = {**content, "reply_to_message": self.replied(reply_to)}
        message = self._fake.user_message(self, content)
        await asyncio.sleep(0)  # let a waiting long poll pick it up
        return message

    def replied(self, target: BotMessage | int) -> JsonDict:
        """The message a reply quotes, as Telegram embeds it: a message of this chat only, in its
        current state, without its own reply_to_message (Telegram nests one level)."""
        message_id = target if isinstance(target, int) else target.message_id
        bot_message = self.chat.messages_by_id.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            found = bot_message.raw
        elif message_id in self.chat.user_messages:
            found = self.chat.user_messages[message_id]
        else:
            raise AssertionError(f"{self!r}: there is no message {message_id} in this chat to reply to")
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    async def send_text(self, text: str, *, reply_to: BotMessage | int | None = None) -> JsonDict:
        """Write `text`; `reply_to`: as a Telegram reply to that message of this chat."""
        content: JsonDict = {"text": text}
        if text.startswith("/"):
            # Clients mark a leading /command as a bot_command entity.
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
            ]
        return await self._send(content, reply_to)

    async def edit_text(self, message: JsonDict, text: str) -> JsonDict:
        """Edit a text message this user sent earlier (the bot gets `edited_message`)."""
        edited = self._fake.user_edit(self, int(message["message_id"]), {"text": text})
        await asyncio.sleep(0)
        return edited

    async def edit_caption(self, message: JsonDict, caption: str) -> JsonDict:
        """Edit the caption of a photo, video or document this user sent earlier."""
        edited = self._fake.user_edit(self, int(message["message_id"]), {"caption": caption})
        await asyncio.sleep(0)
        return edited

    def age_bot_message(self, message_id: int, seconds: int) -> None:
        """Make a bot message of this chat `seconds` older (for Telegram's time limits)."""
        message = self.chat.messages_by_id[message_id]
        message.date -= seconds
        message.raw["date"] = message.date

    async def send_command(self, command: str = "/start") -> JsonDict:
        assert command.startswith("/"), f"a command starts with '/': {command!r}"
        return await self.send_text(command)

    async def send_contact(
        self,
        phone: str,
        *,
        own: bool = True,
        user_id: int | None = None,
        first_name: str | None = None,
    ) -> JsonDict:
        """Send a contact; own=True is "share my phone", else someone else's (user_id or none)."""
        contact: JsonDict = {
            "phone_number": phone,
            "first_name": first_name or (self.first_name if own else "Contact"),
        }
        if own and self.last_name:
            contact["last_name"] = self.last_name
        contact_user_id = self.id if own else user_id
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return await self._send({"contact": contact})

    async def share_contact(self, phone: str) -> JsonDict:
        """Press the keyboard's request_contact button and confirm sharing the own phone."""
        self._reply_button(lambda b: isinstance(b, dict) and bool(b.get("request_contact")), "a request_contact button")
        return await self.send_contact(phone, own=True)

    async def share_users(self, button_text: str, user_ids: Sequence[int]) -> JsonDict:
        """Press a request_users button and pick the given users."""
        button = self._reply_button(
            lambda b: reply_button_text(b) == button_text and isinstance(b, dict) and bool(b.get("request_users")),
            f"a request_users button {button_text!r}",
        )
        request_id = button["request_users"]["request_id"]
        users = [{"user_id": user_id} for user_id in user_ids]
        return await self._send({"users_shared": {"request_id": request_id, "users": users}})

    async def tap(self, button_text: str) -> JsonDict:
        """Press a reply keyboard button: the client sends its text."""
        button = self._reply_button(lambda b: reply_button_text(b) == button_text, f"a button {button_text!r}")
        if isinstance(button, dict) and any(
            button.get(k)
            for k in ("request_contact", "request_users", "request_chat", "request_location", "request_poll", "web_app")
        ):
            raise AssertionError(f"{button_text!r} does not send text; use share_contact/share_users")
        return await self.send_text(button_text)

    def _reply_button(self, matches: Callable[[Any], bool], wanted: str) -> Any:
        markup = self.chat.reply_keyboard
        for row in (markup or {}).get("keyboard") or []:
            for button in row:
                if matches(button):
                    return button
        raise AssertionError(f"{self!r}: current reply keyboard has no {wanted}; keyboard: {self.reply_keyboard}")

    async def _send_file(
        self,
        kind: str,
        caption: str | None,
        file_size: int | None,
        reply_to: BotMessage | int | None = None,
        **file_args: Any,
    ) -> JsonDict:
        stored = self._fake.new_file(kind, file_size or _DEFAULT_SIZES[kind], **file_args)
        content = self._fake.media_content(stored)
        if caption:
            content["caption"] = caption
        return await self._send(content, reply_to)

    async def send_photo(
        self, caption: str | None = None, *, file_size: int | None = None, reply_to: BotMessage | int | None = None
    ) -> JsonDict:
        return await self._send_file("photo", caption, file_size, reply_to)

    async def send_video(
        self, caption: str | None = None, *, file_size: int | None = None, reply_to: BotMessage | int | None = None
    ) -> JsonDict:
        return await self._send_file("video", caption, file_size, reply_to)

    async def send_document(
        self,
        file_name: str = "report.pdf",
        caption: str | None = None,
        *,
        mime_type: str = "application/pdf",
        file_size: int | None = None,
        reply_to: BotMessage | int | None = None,
    ) -> JsonDict:
        return await self._send_file("document", caption, file_size, reply_to, file_name=file_name, mime_type=mime_type)

    async def send_sticker(self) -> JsonDict:
        return await self._send_file("sticker", None, None)

    async def send_voice(self, *, reply_to: BotMessage | int | None = None) -> JsonDict:
        return await self._send_file("voice", None, None, reply_to)

    async def send_album(
        self,
        kinds: Sequence[str] = ("photo", "photo", "video"),
        caption: str | None = None,
        *,
        reply_to: BotMessage | int | None = None,
    ) -> list[JsonDict]:
        """Send an album: one message update per item, sharing a media_group_id."""
        group_id = self._fake.next_id("1500")
        messages = []
        for index, kind in enumerate(kinds):
            is_document = kind == "document"
            stored = self._fake.new_file(
                kind,
                _DEFAULT_SIZES[kind],
                file_name=f"file{index + 1}.pdf" if is_document else None,
                mime_type="application/pdf" if is_document else None,
            )
            content = {**self._fake.media_content(stored), "media_group_id": group_id}
            if caption and index == 0:
                content["caption"] = caption
            if reply_to is not None:  # every item of an album sent as a reply carries it
                content["reply_to_message"] = self.replied(reply_to)
            messages.append(self._fake.user_message(self, content))
        await asyncio.sleep(0)
        return messages

    # --- inline buttons -----------------------------------------------------------------------

    async def click(self, button_text: str, message: BotMessage | int | None = None) -> str:
        """Press an inline button by text on the newest bot message having it (or `message`)."""
        if message is None:
            candidates = list(reversed(self.messages))
        else:
            message_id = message if isinstance(message, int) else message.message_id
            candidates = [m for m in self.messages if m.message_id == message_id]
        for candidate in candidates:
            for row in candidate.inline_buttons:
                for text, data in row:
                    if text != button_text:
                        continue
                    if data is None:
                        raise AssertionError(f"inline button {button_text!r} has no callback_data")
                    return await self._press(data, candidate.raw)
        available = [m.button_texts() for m in candidates if m.inline_buttons]
        raise AssertionError(
            f"{self!r}: no inline button {button_text!r}; inline keyboards (newest first): {available}"
        )

    async def press_data(self, data: str, message_id: int | None = None) -> str:
        """Send a callback query with arbitrary (possibly forged) data."""
        if message_id is None:
            last = self.last_message
            if last is None:
                raise AssertionError(f"{self!r}: no bot message to attach the callback to")
            return await self._press(data, last.raw)
        found = self.chat.messages_by_id.get(message_id)
        if found is None or found.deleted:
            # A message the bot can no longer see arrives as InaccessibleMessage.
            return await self._press(data, {"chat": self.chat_dict(), "message_id": message_id, "date": 0})
        return await self._press(data, found.raw)

    async def _press(self, data: str, message: JsonDict) -> str:
        fake = self._fake
        fake.blocked.discard(self.id)
        query_id = fake.next_id("4000")
        fake.callbacks[query_id] = CallbackRecord(
            query_id=query_id,
            user_id=self.id,
            data=data,
            message_id=message.get("message_id"),
            created=time.monotonic(),
        )
        fake.enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": self.to_dict(),
                "message": message,
                "chat_instance": f"ci{self.id}",
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    async def wait_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,
    ) -> tuple[str | None, bool]:
        """Wait until the bot answers the query; return (text, show_alert)."""
        record = self._fake.callbacks[query_id]
        await self._wait_for(
            lambda: record.answered, timeout, f"callback query {query_id} (data={record.data!r}) was not answered"
        )
        return record.text, record.show_alert

    # --- reading what the bot sent ----------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in this chat, oldest first, in their current (edited) state."""
        return [m for m in self.chat.bot_messages if not m.deleted]

    @property
    def last_message(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        markup = self.chat.reply_keyboard
        if markup is None:
            return None
        return [[reply_button_text(b) for b in row] for row in markup.get("keyboard") or []]

    def drain(self) -> None:
        """Mark every bot message and edit so far as seen by wait_message / wait_edit."""
        self.chat.message_cursor = len(self.chat.bot_messages)
        self.chat.edit_cursor = len(self.chat.events)

    async def _wait_for(self, condition: Callable[[], bool], seconds: float, failure: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self!r}: {failure} within {seconds}s")
            await self._fake.wait_changed(remaining)

    def _recent(self) -> str:
        return (
            "; ".join(
                f"#{m.message_id} {m.kind}: {(m.text or m.caption or '')[:80]!r}" for m in self.chat.bot_messages[-5:]
            )
            or "none"
        )

    async def wait_message(
        self,
        timeout: float = 5.0,
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Next bot message not returned by an earlier wait_message.

        With a predicate, non-matching messages before the match are skipped (consumed).
        """
        chat = self.chat
        found: list[BotMessage] = []

        def arrived() -> bool:
            while chat.message_cursor < len(chat.bot_messages):
                message = chat.bot_messages[chat.message_cursor]
                chat.message_cursor += 1
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        await self._wait_for(arrived, timeout, f"no new bot message; last ones: {self._recent()}")
        return found[0]

    async def wait_edit(
        self,
        message_id: int | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """Next edit (of message_id, if given) not returned by an earlier wait_edit."""
        chat = self.chat
        found: list[BotMessage] = []

        def arrived() -> bool:
            while chat.edit_cursor < len(chat.events):
                event = chat.events[chat.edit_cursor]
                chat.edit_cursor += 1
                if event.kind == "edit" and message_id in (None, event.message.message_id):
                    found.append(event.message)
                    return True
            return False

        await self._wait_for(arrived, timeout, f"no edit of message {message_id}")
        return found[0]

    async def expect_no_message(self, within: float = 0.5) -> None:
        """Assert that no unseen bot message exists or arrives within `within` seconds."""
        chat = self.chat
        deadline = time.monotonic() + within
        while True:
            if chat.message_cursor < len(chat.bot_messages):
                unexpected = chat.bot_messages[chat.message_cursor]
                raise AssertionError(f"{self!r}: unexpected bot message {unexpected}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            await self._fake.wait_changed(remaining)
