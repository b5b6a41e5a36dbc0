"""Staff in a ticket's conversation: «💬 Reply» («Take and reply» on a new ticket), «📝 Note»,
«💬 Conversation». What the staff member sends next goes out at once; "delivered" (or why not)
comes back with one-tap Close / Write more.

Outside any dialogue, a Telegram reply to a bot message of a ticket (a notice, a card, an
employee's message, "delivered") is that reply, with the same rules as «💬 Reply»: the assignee
or the super-admin, never a ticket nobody has taken (that is refused with «Take and reply»
offered: taking stays one deliberate tap). The staff-side messages of a ticket are remembered
for it, so replying to any of them works."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.filters.replied_ticket import RepliedTicket
from app.fsm.states import StaffCompose
from app.fsm.transitions import advance, reset
from app.handlers.admin.tickets import card_view, remember_card, shown_before
from app.handlers.timeline_views import show_entry, show_page
from app.keyboards.callback_data import EDIT_IN_PLACE, ConversationAction, ConversationCallback
from app.keyboards.conversation import (
    UNDER_COPY,
    after_reply_keyboard,
    cancel_keyboard,
    card_view_of,
    incoming_keyboard,
    timeline_keyboard,
)
from app.models.conversation import DeliveryState
from app.models.tickets import Outcome, Ticket, TicketStatus
from app.models.users import Person, Role, User
from app.services.conversation.content import content_of, is_passable
from app.services.conversation.service import ConversationService
from app.services.tickets.actions import TicketActions
from app.texts import labels
from app.texts.conversation import (
    cancelled,
    cannot_send,
    compose_hint,
    is_menu_label,
    not_sent,
    note_ack,
    note_prompt,
    reply_prompt,
    staff_ack,
    timeline,
    waiting_ack,
)
from app.texts.tickets import refusal
from app.utils.debounce import Debouncer
from app.utils.messages import show, update_buttons


async def start_reply(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ConversationCallback,
    state: FSMContext,
    user: User,
    role: Role,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    allowed = await conversation.may_reply(callback_data.number, user, superadmin=role is Role.SUPERADMIN, take=True)
    if allowed.outcome is not None:
        callback_answer.text, callback_answer.show_alert = refusal(allowed.outcome, allowed.ticket), True
        return
    if allowed.took and allowed.ticket is not None:
        callback_answer.text = _("Ticket #{number} is yours now.").format(number=callback_data.number)
        await refresh_after_take(query, callback_data, allowed.ticket, user, role, conversation)
    await advance(state, StaffCompose.reply, fresh=True, number=callback_data.number)
    prompt = await bot.send_message(user.id, reply_prompt(callback_data.number), reply_markup=cancel_keyboard())
    await conversation.remember(user.id, [prompt.message_id], callback_data.number)


async def refresh_after_take(
    query: CallbackQuery,
    callback_data: ConversationCallback,
    ticket: Ticket,
    user: User,
    role: Role,
    conversation: ConversationService,
) -> None:
    """The message «Take and reply» was on, as «Take» leaves it: a card (or notice) becomes the
    card of the taken ticket; under an employee's message only the buttons change."""
    view = card_view_of(callback_data.ref)
    if view is not None:
        shown = await show(query, *(await card_view(ticket, user, role, view, callback_data.page, conversation)))
        await remember_card(conversation, user, shown, ticket.number, was=shown_before(query))
    elif callback_data.ref == UNDER_COPY:
        await update_buttons(query, incoming_keyboard(ticket))


async def start_note(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ConversationCallback,
    state: FSMContext,
    user: User,
    role: Role,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    allowed = await conversation.may_note(callback_data.number, user, superadmin=role is Role.SUPERADMIN)
    if allowed.outcome is not None:
        callback_answer.text, callback_answer.show_alert = refusal(allowed.outcome, allowed.ticket), True
        return
    await advance(state, StaffCompose.note, fresh=True, number=callback_data.number)
    prompt = await bot.send_message(user.id, note_prompt(callback_data.number), reply_markup=cancel_keyboard())
    await conversation.remember(user.id, [prompt.message_id], callback_data.number)


async def wait_for_answer(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ConversationCallback,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
) -> None:
    actor = Person(user.id, user.display_name)
    result = await ticket_actions.wait(callback_data.number, actor, superadmin=role is Role.SUPERADMIN)
    if not result.done:
        callback_answer.text, callback_answer.show_alert = refusal(result.outcome, result.ticket), True
        return
    callback_answer.text = waiting_ack(callback_data.number)


async def show_timeline(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ConversationCallback,
    user: User,
    repos: Repositories,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = refusal(Outcome.NOT_FOUND, None), True
        return
    page = await conversation.timeline(ticket, callback_data.page, notes=True)
    view = timeline(ticket.number, page), timeline_keyboard(ticket.number, page)
    await show_page(query, bot, conversation, ticket.number, view, in_place=callback_data.ref == EDIT_IN_PLACE)


async def show_message(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: ConversationCallback,
    user: User,
    repos: Repositories,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    """«📄 n» / «📎 n» on a timeline page: that message's whole text, or its attachments again."""
    ticket = await repos.tickets.get(callback_data.number)
    message = await conversation.message_of(ticket, callback_data.ref, notes=True) if ticket else None
    whole = callback_data.action is ConversationAction.FULL_TEXT
    await show_entry(callback_answer, bot, user.id, conversation, message, whole=whole)


async def send_now(
    messages: Sequence[Message], state: FSMContext, user: User, role: Role, conversation: ConversationService, bot: Bot
) -> None:
    """The staff member's message (or album) to the ticket in their compose step, sent at once."""
    data = await state.get_data()
    note = await state.get_state() == StaffCompose.note.state
    number = int(data.get("number", 0))
    superadmin = role is Role.SUPERADMIN
    if note:
        allowed = await conversation.may_note(number, user, superadmin=superadmin)
    else:
        allowed = await conversation.may_send_reply(number, user, superadmin=superadmin)
    await reset(state)
    if allowed.outcome is not None or allowed.ticket is None:
        await bot.send_message(user.id, refusal(allowed.outcome or Outcome.NOT_FOUND, allowed.ticket))
        return
    if note:
        await conversation.note(allowed.ticket, user, content_of(messages))
        ack = await bot.send_message(user.id, note_ack(number))
        await conversation.remember(user.id, [ack.message_id], number)
        return
    await deliver_reply(messages, allowed.ticket, user, role, conversation, bot)


async def deliver_reply(
    messages: Sequence[Message], ticket: Ticket, user: User, role: Role, conversation: ConversationService, bot: Bot
) -> None:
    """Send it, then say whether it arrived, with what comes next (Close, Write more, Wait)."""

    async def acknowledge(delivery: DeliveryState) -> list[int]:
        markup = after_reply_keyboard(ticket, user.id, role)
        return [(await bot.send_message(user.id, staff_ack(ticket.number, delivery), reply_markup=markup)).message_id]

    await conversation.to_employee(ticket, user, content_of(messages), acknowledge)


async def replied(
    message: Message,
    replied_ticket: Ticket,
    user: User,
    role: Role,
    conversation: ConversationService,
    bot: Bot,
    album_replies: Debouncer,
) -> None:
    """A Telegram reply to a message of a ticket (RepliedTicket found which): as if after «💬 Reply»."""
    number = replied_ticket.number

    async def answer(items: Sequence[Message]) -> None:
        # Checked when the message (or the whole album) is here: the ticket may have moved on.
        allowed = await conversation.may_reply(number, user, superadmin=role is Role.SUPERADMIN, take=False)
        if allowed.outcome is None and allowed.ticket is not None:
            await deliver_reply(items, allowed.ticket, user, role, conversation, bot)
            return
        ticket = allowed.ticket
        offer_take = ticket is not None and ticket.status is TicketStatus.NEW
        refused = await bot.send_message(
            user.id,
            not_sent(refusal(allowed.outcome or Outcome.NOT_FOUND, ticket)),
            reply_markup=incoming_keyboard(ticket) if ticket is not None and offer_take else None,
        )
        if ticket is not None:
            await conversation.remember(user.id, [refused.message_id], number)

    if message.media_group_id is None:
        await answer([message])
        return
    key, _first = conversation.collect(message)

    async def album_complete() -> None:
        items = conversation.album(key)
        if items:
            await answer(items)

    album_replies.call_later(key, album_complete)


async def composed(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    conversation: ConversationService,
    bot: Bot,
    album_replies: Debouncer,
    i18n: I18n,
) -> None:
    if message.text is not None and (message.text.startswith("/") or is_menu_label(message.text, i18n)):
        await message.answer(compose_hint(int((await state.get_data()).get("number", 0))))
        return
    if not is_passable(message):
        await message.answer(cannot_send(message))
        return
    if message.media_group_id is None:
        await send_now([message], state, user, role, conversation, bot)
        return
    key, _first = conversation.collect(message)

    async def album_complete() -> None:
        items = conversation.album(key)
        if items and await state.get_state() in (StaffCompose.reply.state, StaffCompose.note.state):
            await send_now(items, state, user, role, conversation, bot)

    album_replies.call_later(key, album_complete)


async def cancel_compose(message: Message, state: FSMContext) -> None:
    await reset(state)
    await message.answer(cancelled())


def create_router() -> Router:
    router = Router(name="admin_conversation")
    action = ConversationCallback.filter
    router.callback_query.register(start_reply, action(F.action == ConversationAction.REPLY))
    router.callback_query.register(start_note, action(F.action == ConversationAction.NOTE))
    router.callback_query.register(wait_for_answer, action(F.action == ConversationAction.WAIT))
    router.callback_query.register(show_timeline, action(F.action == ConversationAction.TIMELINE))
    router.callback_query.register(
        show_message, action(F.action.in_({ConversationAction.FULL_TEXT, ConversationAction.MEDIA}))
    )
    # Before the employee's routing (app/handlers/user/conversation.py): a reply the filter does
    # not claim (no ticket's message, the staff member's own ticket) goes on to it unchanged.
    router.message.register(replied, StateFilter(None), RepliedTicket())
    composing = (StaffCompose.reply, StaffCompose.note)
    for step in composing:
        router.message.register(cancel_compose, step, F.text == labels.CANCEL)
        router.message.register(cancel_compose, step, Command("cancel"))
        router.message.register(composed, step)
    return router
