"""Messages the bot sends on its own initiative: to staff about new work, to owners about status."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.keyboards.tickets import open_ticket_keyboard
from app.models.tickets import StatusChange, Ticket, TicketStatus
from app.models.users import User
from app.services.delivery import Delivered, deliver
from app.texts.formatting import short, telegram_link
from app.texts.tickets import priority_label
from config import Settings

logger = logging.getLogger(__name__)

Render = Callable[[], tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]]


@dataclass(frozen=True, slots=True)
class Reach:
    """How many of the staff (`total`) a notice was delivered to."""

    reached: int
    total: int


class Notifier:
    def __init__(self, bot: Bot, repos: Repositories, i18n: I18n, settings: Settings) -> None:
        self.bot = bot
        self.repos = repos
        self.i18n = i18n
        self.settings = settings

    async def staff_ids(self) -> list[int]:
        ids = [self.settings.superadmin_id]
        async for admin_id in self.repos.admins.ids():
            if admin_id not in ids:
                ids.append(admin_id)
        return ids

    async def language_of(self, user_id: int) -> str:
        user = await self.repos.users.get(user_id)
        return user.language if user else self.settings.default_language

    async def deliver(self, chat_id: int, render: Render, language: str | None = None) -> bool:
        """Send one message rendered in the recipient's language; False if it could not be delivered.

        A recipient who blocked the bot is marked unreachable; one failure never stops
        a loop over several recipients.
        """
        if language is None:
            language = await self.language_of(chat_id)
        with self.i18n.context(), self.i18n.use_locale(language):
            text, markup = render()
        delivery = await deliver(
            lambda: self.bot.send_message(chat_id, text, reply_markup=markup), what=f"Notice to {chat_id}"
        )
        if delivery.state is Delivered.BLOCKED:
            await self.repos.users.mark_unreachable(chat_id)
        return delivery.sent

    async def to_staff(self, render: Render) -> Reach:
        staff = await self.staff_ids()
        languages = await self.repos.users.languages(staff)  # one query for everyone's language
        delivered = 0
        for staff_id in staff:
            delivered += await self.deliver(staff_id, render, languages.get(staff_id, self.settings.default_language))
        return Reach(delivered, len(staff))

    async def new_ticket(self, ticket: Ticket) -> Reach:
        def render() -> tuple[str, InlineKeyboardMarkup | None]:
            text = _("🆕 <b>New ticket #{number}</b> · {priority}\n<b>From:</b> {name}\n{description}").format(
                number=ticket.number,
                priority=priority_label(ticket.priority),
                name=escape(ticket.full_name),
                description=escape(short(ticket.description, 300)),
            )
            return text, open_ticket_keyboard(ticket.number)

        return await self.to_staff(render)

    async def server_room_call(self, user: User, phone: str | None, note: str | None) -> Reach:
        def render() -> tuple[str, InlineKeyboardMarkup | None]:
            lines = [
                _("🚨 <b>Call to the server room!</b>"),
                _("<b>From:</b> {name}").format(name=escape(user.display_name)),
                _("<b>Phone:</b> {phone}").format(phone=escape(phone) if phone else _("unknown")),
                _("<b>Telegram:</b> {who}").format(who=telegram_link(user.id, user.username)),
            ]
            if note:
                lines.append(_("<b>Note:</b> {note}").format(note=escape(note)))
            return "\n".join(lines), None

        return await self.to_staff(render)

    async def status_changed(self, ticket: Ticket, change: StatusChange) -> bool:
        """Tell the ticket's owner, in their language; False if they could not be reached."""

        def render() -> tuple[str, InlineKeyboardMarkup | None]:
            who = escape(change.by.name) if change.by else _("support")
            comment = escape(change.comment) if change.comment else ""
            if change.to_status is TicketStatus.IN_PROGRESS:
                text = _("🛠 Your ticket #{number} was taken into work by {who}.")
            elif change.to_status is TicketStatus.CLOSED:
                text = _("✅ Your ticket #{number} was closed.")
                if comment:
                    text += "\n" + _("<b>Comment:</b> {comment}")
            elif change.to_status is TicketStatus.REJECTED:
                text = _("⛔ Your ticket #{number} was rejected.")
                if comment:
                    text += "\n" + _("<b>Reason:</b> {comment}")
            else:
                text = _("🆕 Your ticket #{number} is back in the queue.")
            return text.format(number=ticket.number, who=who, comment=comment), None

        return await self.deliver(ticket.user_id, render)
