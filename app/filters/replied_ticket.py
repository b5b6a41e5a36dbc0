"""A staff member's Telegram reply to a bot message of a ticket: the ticket, for the handler.

Only a message there is something to pass on (not a command or a menu label), replying to a
message remembered as the ticket's (app/db/ticket_messages.py), of a ticket that is not the
staff member's own: their own tickets they write to as an employee (app/handlers/user).
Anything else fails the filter and goes on to the other routers unchanged.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from app.models.users import User
from app.services.conversation.content import is_passable
from app.services.conversation.service import ConversationService
from app.texts.conversation import is_menu_label


class RepliedTicket(Filter):
    """Adds `replied_ticket`."""

    async def __call__(
        self, message: Message, user: User, conversation: ConversationService, i18n: I18n, **_: Any
    ) -> bool | dict[str, Any]:
        if message.reply_to_message is None or not is_passable(message):
            return False
        if message.text is not None and is_menu_label(message.text, i18n):
            return False
        ticket = await conversation.ticket_of_reply(message)
        if ticket is None or ticket.user_id == user.id:
            return False
        return {"replied_ticket": ticket}
