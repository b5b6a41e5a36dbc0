"""A ticket's conversation: staff write to the employee, the employee writes to staff, staff keep
notes. Every message is stored first (delivery "pending"), then sent, then its real outcome and
the (chat_id, message_id) of every copy are recorded: nothing is reported as sent that was not.

Database commands per routed message, four beside the update's registration and FSM: the ticket
is read by the command that sets or clears its "waiting for staff" mark (`writable`,
`may_send_reply`); the message is stored; the recipients' languages come in one query; and the
outcome, the copies and the pairs a Telegram reply routes back from (the copies and the
employee's acknowledgement, sent before it for that) are one write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from bson import ObjectId

from app.db.repositories import Repositories
from app.keyboards.conversation import add_message_keyboard, incoming_keyboard
from app.models.conversation import (
    PICK_MAX,
    Content,
    DeliveryState,
    Direction,
    TicketMessage,
    note_refusal,
    reply_refusal,
)
from app.models.tickets import ACTIVE_STATUSES, Outcome, Ticket, TicketStatus
from app.models.timeline import RECENT_ON_CARD, TimelinePage, timeline_page
from app.models.users import Person, User
from app.services.conversation.edits import EditRelay
from app.services.conversation.send import Sent, send_content
from app.services.notifications import Notifier
from app.services.tickets.actions import TicketActions
from app.texts.conversation import employee_ack, employee_header, staff_header

TIMELINE_PAGE = 5
# Tells the author how their message went; returns the ids of what it sent.
Acknowledge = Callable[[DeliveryState], Awaitable[list[int]]]


@dataclass(frozen=True, slots=True)
class Permission:
    outcome: Outcome | None  # None: allowed
    ticket: Ticket | None
    took: bool = False  # "Take and reply" took the ticket just now


class ConversationService:
    def __init__(
        self, bot: Bot, repos: Repositories, i18n: I18n, notifier: Notifier, ticket_actions: TicketActions
    ) -> None:
        self.bot = bot
        self.repos = repos
        self.i18n = i18n
        self.notifier = notifier
        self.ticket_actions = ticket_actions
        self._albums: dict[Hashable, list[Message]] = {}
        self._edits = EditRelay(bot, repos, i18n)

    # --- albums: one update per item, answered once the album is complete --------------------

    def collect(self, message: Message) -> tuple[Hashable, bool]:
        """Keep an album item; returns the album's key and whether it is the album's first item."""
        key = (message.chat.id, message.media_group_id)
        items = self._albums.setdefault(key, [])
        items.append(message)
        return key, len(items) == 1

    def album(self, key: Hashable) -> list[Message]:
        return self._albums.pop(key, [])

    # --- who may write ---------------------------------------------------------------------

    async def may_reply(self, number: int, actor: User, *, superadmin: bool, take: bool) -> Permission:
        """The assignee and the super-admin; on a `new` ticket `take` takes it first (atomically)."""
        ticket = await self.repos.tickets.get(number)
        if ticket is None:
            return Permission(Outcome.NOT_FOUND, None)
        if ticket.status is TicketStatus.NEW and take:
            result = await self.ticket_actions.take(number, Person(actor.id, actor.display_name), superadmin=superadmin)
            return Permission(None if result.done else result.outcome, result.ticket, took=result.done)
        return Permission(reply_refusal(ticket, actor.id, superadmin=superadmin), ticket)

    async def may_send_reply(self, number: int, actor: User, *, superadmin: bool) -> Permission:
        """`may_reply` for the reply itself: when allowed, the ticket's 💬 is cleared by the same
        command that reads it (the reply about to be sent answers the employee)."""
        assignee = None if superadmin else actor.id
        ticket = await self.repos.tickets.clear_awaiting_staff(number, assignee)
        if ticket is not None:
            return Permission(None, ticket)
        return await self.may_reply(number, actor, superadmin=superadmin, take=False)  # why not

    async def may_note(self, number: int, actor: User, *, superadmin: bool) -> Permission:
        ticket = await self.repos.tickets.get(number)
        if ticket is None:
            return Permission(Outcome.NOT_FOUND, None)
        return Permission(note_refusal(ticket, actor.id, superadmin=superadmin), ticket)

    # --- writing -----------------------------------------------------------------------------

    async def _store(self, ticket: Ticket, direction: Direction, author: User, content: Content) -> TicketMessage:
        state = DeliveryState.KEPT if direction is Direction.NOTE else DeliveryState.PENDING
        message = TicketMessage(
            number=ticket.number,
            direction=direction,
            author_id=author.id,
            author_name=author.display_name,
            content=content,
            created_at=datetime.now(UTC),
            delivery=state,
        )
        return await self.repos.ticket_messages.insert(message)

    async def to_employee(
        self, ticket: Ticket, author: User, content: Content, acknowledge: Acknowledge | None = None
    ) -> TicketMessage:
        """What staff wrote, copied to the ticket's owner under "#N · name:"; `acknowledge` tells
        the author how it went (its messages route replies to the ticket, written with the outcome).

        `ticket` as `may_send_reply` returned it, its 💬 already cleared; one read otherwise
        still carrying the mark gets it cleared here."""
        stored = await self._store(ticket, Direction.OUT, author, content)
        if ticket.awaiting_staff:
            await self.repos.tickets.set_awaiting_staff(ticket.number, False)
        languages = await self.repos.users.recent_languages([ticket.user_id])
        with self.i18n.context(), self.i18n.use_locale(languages.get(ticket.user_id, self.i18n.default_locale)):
            markup = None if content.is_album else add_message_keyboard(ticket.number)
        sent = await send_content(
            self.bot, ticket.user_id, staff_header(ticket.number, author.display_name), content, markup
        )
        if sent.state is DeliveryState.BLOCKED:
            await self.repos.users.mark_unreachable(ticket.user_id)
        await self._finish(stored, [(ticket.user_id, sent)], acknowledge=acknowledge, author=author)
        return stored

    async def note(self, ticket: Ticket, author: User, content: Content) -> TicketMessage:
        """Kept with the ticket for staff; sent to nobody."""
        return await self._store(ticket, Direction.NOTE, author, content)

    async def writable(self, user: User, number: int) -> Ticket | None:
        """The user's ticket `number`; None if there is no such ticket of theirs. An active one is
        read by the command that marks it as waiting for staff (the message about to be sent
        to it is why); a finished one comes as it is, for saying so."""
        ticket = await self.repos.tickets.mark_awaiting_staff(number, user.id)
        return ticket if ticket is not None else await self.owned(user, number)

    async def to_staff(self, ticket: Ticket, author: User, content: Content) -> TicketMessage:
        """What the employee wrote: to the assignee, or to all staff while nobody has taken the
        ticket; then the employee's acknowledgement.

        `ticket` as `writable` returned it, already marked as waiting for staff; one read
        otherwise (without the mark) gets it marked here."""
        if ticket.status is TicketStatus.WAITING:  # the answer staff waited for: back to work first
            ticket = await self.ticket_actions.answered(ticket, Person(author.id, author.display_name))
        stored = await self._store(ticket, Direction.IN, author, content)
        if not ticket.awaiting_staff:
            await self.repos.tickets.set_awaiting_staff(ticket.number, True)
        if ticket.assignee is not None and ticket.status in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING):
            recipients = [ticket.assignee.id]
        else:
            recipients = await self.notifier.staff_ids()
        languages = await self.repos.users.recent_languages(recipients)
        results: list[tuple[int, Sent]] = []
        for staff_id in recipients:
            if staff_id == author.id:
                continue
            with self.i18n.context(), self.i18n.use_locale(languages.get(staff_id, self.i18n.default_locale)):
                header, markup = employee_header(ticket, author.display_name), incoming_keyboard(ticket)
            sent = await send_content(self.bot, staff_id, header, content, markup)
            if sent.state is DeliveryState.BLOCKED:
                await self.repos.users.mark_unreachable(staff_id)
            results.append((staff_id, sent))
        # Sent before the outcome is written, so that its reply-routing pair goes in the same write;
        # whatever happens to it, the outcome is still written.
        reached = any(sent.message_ids for _, sent in results)
        ack = await send_content(self.bot, author.id, employee_ack(ticket.number, reached=reached), Content())
        if ack.state is DeliveryState.BLOCKED:
            await self.repos.users.mark_unreachable(author.id)
        await self._finish(stored, results, [(author.id, message_id) for message_id in ack.message_ids])
        return stored

    async def _finish(
        self,
        stored: TicketMessage,
        results: list[tuple[int, Sent]],
        notices: list[tuple[int, int]] | None = None,
        *,
        acknowledge: Acknowledge | None = None,
        author: User | None = None,
    ) -> None:
        """The real outcome, the copies and the pairs a Telegram reply routes back from (with the
        author's acknowledgement, sent first): one write, whatever happens to the acknowledgement."""
        assert stored.id is not None
        copies = [(chat_id, message_id) for chat_id, sent in results for message_id in sent.message_ids]
        reached = [sent for _, sent in results if sent.state is DeliveryState.SENT]
        if reached or not results:
            state, error = (DeliveryState.SENT, None) if reached else (DeliveryState.FAILED, "no recipient")
        else:
            state, error = results[0][1].state, results[0][1].error
        stored.delivery, stored.copies, stored.error = state, copies, error
        routes = list(notices or [])
        try:
            if acknowledge is not None and author is not None:
                routes += [(author.id, message_id) for message_id in await acknowledge(state)]
        finally:
            await self.repos.ticket_messages.delivered(stored.id, state, copies, error, routes)

    async def edited(self, author: User, chat_id: int, message_id: int, text: str) -> TicketMessage | None:
        """The author edited a message already in a conversation (see edits.py)."""
        return await self._edits.edited(author, chat_id, message_id, text)

    async def forget(self, chat_id: int, message_id: int) -> None:
        """A bot message that no longer shows a ticket (a card turned back into a list)."""
        await self.repos.ticket_messages.forget(chat_id, message_id)

    async def remember(self, chat_id: int, message_ids: list[int], number: int) -> None:
        """A bot message that belongs to a ticket (a card, a confirmation): replies to it go there."""
        await self.repos.ticket_messages.remember(chat_id, message_ids, number)

    # --- reading -----------------------------------------------------------------------------

    async def ticket_replied_to(self, user: User, message: Message) -> Ticket | None:
        """The user's ticket the message replies to (Telegram's reply), if it replies to one;
        read as `writable` reads it: the message goes there if it is active."""
        replied = message.reply_to_message
        if replied is None:
            return None
        number = await self.repos.ticket_messages.ticket_of(message.chat.id, replied.message_id)
        return None if number is None else await self.writable(user, number)

    async def ticket_of_reply(self, message: Message) -> Ticket | None:
        """The ticket of the bot message `message` replies to, whoever's it is (staff answer by reply)."""
        replied = message.reply_to_message
        number = await self.repos.ticket_messages.ticket_of(message.chat.id, replied.message_id) if replied else None
        return await self.repos.tickets.get(number) if number is not None else None

    async def active_of(self, user: User) -> list[Ticket]:
        """The user's active tickets, newest first, at most PICK_MAX."""
        return (await self.repos.tickets.page_of_user(user.id, ACTIVE_STATUSES, 0, PICK_MAX)).items

    async def owned(self, user: User, number: int) -> Ticket | None:
        ticket = await self.repos.tickets.get(number)
        return ticket if ticket is not None and ticket.user_id == user.id else None

    async def timeline(self, ticket: Ticket, page: int, *, notes: bool) -> TimelinePage:
        """A page of the ticket's messages with its status changes of the same time (no notes for
        the employee)."""
        messages, next_older = await self.repos.ticket_messages.page_of_ticket(
            ticket.number, page, TIMELINE_PAGE, notes=notes
        )
        return timeline_page(ticket.history, messages, next_older)

    async def recent(self, number: int, *, notes: bool) -> list[TicketMessage]:
        """The latest few messages, newest first, for a card (no notes for the employee's)."""
        return await self.repos.ticket_messages.latest(number, RECENT_ON_CARD, notes=notes)

    async def message_of(self, ticket: Ticket, message_id: str, *, notes: bool) -> TicketMessage | None:
        """One message of the ticket's timeline by the id its buttons carry (forged ones: None)."""
        if not ObjectId.is_valid(message_id):
            return None
        message = await self.repos.ticket_messages.get(ObjectId(message_id))
        if message is None or message.number != ticket.number:
            return None
        return None if message.direction is Direction.NOTE and not notes else message
