"""Messages the bot sends on its own initiative: to staff about new work, to owners about status."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n

from app.db.repositories import Repositories
from app.keyboards.conversation import add_message_keyboard, incoming_keyboard, new_ticket_keyboard
from app.keyboards.feedback import solved_keyboard
from app.keyboards.tickets import open_ticket_keyboard, staff_card_keyboard
from app.models.sla import Clock
from app.models.tickets import ChangeNote, QueueView, StatusChange, Ticket, TicketStatus
from app.models.timeline import RECENT_ON_CARD
from app.models.users import Person, Role, User
from app.services.delivery import Delivered, deliver
from app.texts.feedback import low_rating_alert, reopened_staff
from app.texts.handover import handed_away, handed_to_you
from app.texts.notices import (
    answered_notice,
    auto_closed_owner,
    auto_closed_staff,
    new_ticket_notice,
    server_room_notice,
    status_notice,
    waiting_reminder,
)
from app.texts.sla import clock_lines
from app.texts.sla import reminder as sla_reminder_text
from app.texts.tickets import staff_card
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

    async def is_staff(self, user_id: int) -> bool:
        """The super-admin or an admin: one read by id, not the whole list."""
        return user_id == self.settings.superadmin_id or await self.repos.admins.get(user_id) is not None

    async def language_of(self, user_id: int) -> str:
        user = await self.repos.users.get(user_id)
        return user.language if user else self.settings.default_language

    async def deliver(
        self, chat_id: int, render: Render, language: str | None = None, *, ticket: int | None = None
    ) -> bool:
        """Send one message rendered in the recipient's language; False if it could not be delivered.

        A recipient who blocked the bot is marked unreachable; one failure never stops
        a loop over several recipients. With `ticket`, the message is remembered as belonging
        to that ticket (a Telegram reply to it is added to the ticket's conversation).
        """
        sent = await self._send(chat_id, render, language)
        if ticket is not None and sent:
            await self.repos.ticket_messages.remember(chat_id, sent, ticket)
        return bool(sent)

    async def _send(self, chat_id: int, render: Render, language: str | None = None) -> list[int]:
        """`deliver` without remembering: the id of the message sent; none if it was not delivered."""
        if language is None:
            language = await self.language_of(chat_id)
        with self.i18n.context(), self.i18n.use_locale(language):
            text, markup = render()
        sent: list[int] = []

        async def send() -> None:
            sent.append((await self.bot.send_message(chat_id, text, reply_markup=markup)).message_id)

        delivery = await deliver(send, what=f"Notice to {chat_id}")
        if delivery.state is Delivered.BLOCKED:
            await self.repos.users.mark_unreachable(chat_id)
        return sent if delivery.sent else []

    async def to_staff(self, render: Render, *, ticket: int | None = None) -> Reach:
        staff = await self.staff_ids()
        languages = await self.repos.users.languages(staff)  # one query for everyone's language
        delivered, notices = 0, []
        for staff_id in staff:
            sent = await self._send(staff_id, render, languages.get(staff_id, self.settings.default_language))
            delivered += bool(sent)
            notices += [(staff_id, message_id) for message_id in sent]
        if ticket is not None and notices:  # one write for everyone's notice: staff answer it by reply
            await self.repos.ticket_messages.remember_all(notices, ticket)
        return Reach(delivered, len(staff))

    async def new_ticket(self, ticket: Ticket) -> Reach:
        category = (await self.repos.categories.catalogue()).get(ticket.category)
        render: Render = lambda: (new_ticket_notice(ticket, category), new_ticket_keyboard(ticket.number))  # noqa: E731
        return await self.to_staff(render, ticket=ticket.number)

    async def server_room_call(self, user: User, phone: str | None, note: str | None) -> Reach:
        return await self.to_staff(lambda: (server_room_notice(user, phone, note), None))

    async def status_changed(self, ticket: Ticket, change: StatusChange) -> bool:
        """Tell the ticket's owner, in their language; False if they could not be reached.
        A closing notice asks whether the problem is solved."""

        def render() -> tuple[str, InlineKeyboardMarkup | None]:
            closed = change.to_status is TicketStatus.CLOSED
            return status_notice(ticket, change), solved_keyboard(ticket.number) if closed else None

        return await self.deliver(ticket.user_id, render, ticket=ticket.number)

    async def answered(self, ticket: Ticket) -> bool:
        """Tell the assignee the employee answered their waiting ticket."""
        if ticket.assignee is None:
            return False
        render: Render = lambda: (answered_notice(ticket), incoming_keyboard(ticket))  # noqa: E731
        return await self.deliver(ticket.assignee.id, render, ticket=ticket.number)

    async def waiting_reminder(self, ticket: Ticket) -> bool:
        render: Render = lambda: (waiting_reminder(ticket), add_message_keyboard(ticket.number))  # noqa: E731
        return await self.deliver(ticket.user_id, render, ticket=ticket.number)

    async def auto_closed(self, ticket: Ticket, days: int) -> None:
        """Both sides of a ticket closed for want of an answer."""
        render: Render = lambda: (auto_closed_owner(ticket, days), solved_keyboard(ticket.number))  # noqa: E731
        await self.deliver(ticket.user_id, render, ticket=ticket.number)
        if ticket.assignee is not None:
            await self.deliver(
                ticket.assignee.id, lambda: (auto_closed_staff(ticket, days), None), ticket=ticket.number
            )

    async def reopened(self, ticket: Ticket, note: ChangeNote) -> None:
        """The employee reopened their ticket: its assignee is told, or all staff when it is back
        in the queue (nobody is assigned any more)."""
        if ticket.status is TicketStatus.NEW or ticket.assignee is None:
            await self.to_staff(
                lambda: (reopened_staff(ticket, note), new_ticket_keyboard(ticket.number)), ticket=ticket.number
            )
            return
        render: Render = lambda: (reopened_staff(ticket, note), incoming_keyboard(ticket))  # noqa: E731
        await self.deliver(ticket.assignee.id, render, ticket=ticket.number)

    async def low_rating(self, ticket: Ticket) -> None:
        """A rating of LOW_RATING or less (with its comment, when it comes): to the assignee and
        the super-admin."""
        recipients = [self.settings.superadmin_id]
        if ticket.assignee is not None and ticket.assignee.id not in recipients:
            recipients.insert(0, ticket.assignee.id)
        for staff_id in recipients:
            render: Render = lambda: (low_rating_alert(ticket), open_ticket_keyboard(ticket.number))  # noqa: E731
            await self.deliver(staff_id, render, ticket=ticket.number)

    async def handed_over(self, ticket: Ticket, change: StatusChange, previous: Person | None) -> bool:
        """A hand-over: the new assignee gets the note and the card, the previous one (unless they
        did it) and the owner are told. Returns whether the owner could be told."""
        to, by = change.assignee, change.by
        assert to is not None and by is not None
        note = handed_to_you(ticket, by, change.comment)
        await self.deliver(to.id, lambda: (note, None), ticket=ticket.number)
        recent = await self.repos.ticket_messages.latest(ticket.number, RECENT_ON_CARD, notes=True)
        category = (await self.repos.categories.catalogue()).get(ticket.category)
        role = Role.SUPERADMIN if to.id == self.settings.superadmin_id else Role.ADMIN

        def card() -> tuple[str, InlineKeyboardMarkup]:
            clocks = clock_lines(self.settings.sla.clocks(ticket, datetime.now(UTC)))
            fitted = staff_card(ticket, category, recent, clocks)
            return fitted.text, staff_card_keyboard(ticket, to.id, role, QueueView.MINE, full_text=fitted.shortened)

        await self.deliver(to.id, card, ticket=ticket.number)
        if previous is not None and previous.id not in (by.id, to.id):
            render: Render = lambda: (handed_away(ticket, to, by), open_ticket_keyboard(ticket.number))  # noqa: E731
            await self.deliver(previous.id, render, ticket=ticket.number)
        return await self.status_changed(ticket, change)

    async def sla_reminder(self, ticket: Ticket, clock: Clock, recipients: list[int]) -> None:
        languages = await self.repos.users.languages(recipients)
        render: Render = lambda: (sla_reminder_text(ticket, clock), incoming_keyboard(ticket))  # noqa: E731
        for staff_id in recipients:
            await self.deliver(staff_id, render, languages.get(staff_id), ticket=ticket.number)
