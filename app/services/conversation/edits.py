"""An edit of a conversation message someone already sent: the other side's copy follows.

The stored message takes the new text and keeps the earlier ones with their times. Each
recipient's copy is edited in place (`editMessageText`, same header and buttons) when it was
one text message and the new text still fits one; otherwise — a media message, a text that
needed several messages, or an edit Telegram refuses (a copy older than 48 h) — the new text
follows as a short "✏️ edited:" message. A note is only stored: it was sent to nobody.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from app.db.repositories import Repositories
from app.keyboards.conversation import add_message_keyboard, incoming_keyboard
from app.models.conversation import Content, Direction, TicketMessage
from app.models.tickets import Ticket
from app.models.users import User
from app.services.conversation.send import send_content, text_messages
from app.services.delivery import Delivered, deliver
from app.texts.conversation import edited_mark, employee_header, staff_header

NOT_MODIFIED = "message is not modified"


class EditRelay:
    def __init__(self, bot: Bot, repos: Repositories, i18n: I18n) -> None:
        self.bot = bot
        self.repos = repos
        self.i18n = i18n

    async def edited(self, author: User, chat_id: int, message_id: int, text: str) -> TicketMessage | None:
        """`author` changed their message `message_id` to `text`; None if it is no conversation message."""
        stored = await self.repos.ticket_messages.by_source(chat_id, message_id)
        if stored is None or stored.id is None or stored.author_id != author.id:
            return None
        if text == stored.content.text:
            return stored
        at = datetime.now(UTC)
        await self.repos.ticket_messages.edited(stored.id, stored.content.text, at, text)
        stored.edits.append((stored.content.text, at))
        if stored.direction is Direction.NOTE or not stored.copies:
            return stored
        ticket = await self.repos.tickets.get(stored.number)
        if ticket is None:
            return stored
        chats = list(dict.fromkeys(chat for chat, _ in stored.copies))
        languages = await self.repos.users.languages(chats)
        for chat in chats:
            with self.i18n.context(), self.i18n.use_locale(languages.get(chat, self.i18n.default_locale)):
                header, markup = self._view(ticket, stored)
                mark = edited_mark()
            copies = [m for c, m in stored.copies if c == chat]
            if not await self._edit_in_place(chat, copies, stored, header, text, markup):
                sent = await send_content(self.bot, chat, f"{header}\n{mark}", Content(text=text))
                await self.repos.ticket_messages.remember(chat, sent.message_ids, stored.number)
        return stored

    @staticmethod
    def _view(ticket: Ticket, stored: TicketMessage) -> tuple[str, InlineKeyboardMarkup | None]:
        """The header and buttons the copy was sent with (in the recipient's language)."""
        if stored.direction is Direction.OUT:
            markup = None if stored.content.is_album else add_message_keyboard(ticket.number)
            return staff_header(ticket.number, stored.author_name), markup
        return employee_header(ticket, stored.author_name), incoming_keyboard(ticket)

    async def _edit_in_place(
        self,
        chat: int,
        copies: list[int],
        stored: TicketMessage,
        header: str,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> bool:
        texts = text_messages(header, text)
        if stored.content.parts or len(copies) != 1 or len(texts) != 1:
            return False
        delivery = await deliver(
            lambda: self.bot.edit_message_text(texts[0], chat_id=chat, message_id=copies[0], reply_markup=markup),
            what=f"Edit of ticket message in {chat}",
        )
        # Blocked: a follow-up would not reach them either.
        return delivery.state is not Delivered.FAILED or NOT_MODIFIED in (delivery.error or "")
