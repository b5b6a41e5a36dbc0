"""The employee's side of a ticket's conversation.

A message reaches a ticket in one of three ways: a Telegram reply to a bot message of that
ticket; «💬 Add a message» (on the card, under a staff message) and then the message; or a
message written outside any form, after the employee chose the ticket ("Add this to #N?").
Nothing is routed silently to a guessed ticket: the pending message waits in the FSM data
(so it survives a restart) with a token its buttons carry.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from app.db.repositories import Repositories
from app.fsm.states import EmployeeCompose, StaffCompose
from app.fsm.ticket_form import ANSWER_STATES, prompt_for
from app.fsm.transitions import advance, reset
from app.keyboards.callback_data import TicketMessageAction, TicketMessageCallback
from app.keyboards.conversation import cancel_keyboard, choose_ticket_keyboard
from app.models import validators
from app.models.conversation import Content
from app.models.tickets import ChangeNote, Outcome, Ticket, reopen_refusal
from app.models.users import Person, User
from app.models.validators import InvalidInput
from app.services.conversation.content import content_of, is_passable, ticket_media
from app.services.conversation.service import ConversationService
from app.services.tickets.actions import TicketActions
from app.texts.conversation import (
    add_prompt,
    ask_new_ticket,
    ask_which_ticket,
    cancelled,
    cannot_send,
    choice_expired,
    compose_hint,
    is_menu_label,
    ticket_finished,
    ticket_takes_no_messages,
)
from app.texts.feedback import feedback_refusal
from app.texts.tickets import refusal
from app.utils.debounce import Debouncer
from app.utils.messages import remove_buttons
from config import Settings

CANCELLABLE = (None, StaffCompose.reply.state, StaffCompose.note.state, EmployeeCompose.message.state)


async def passable(message: Message, i18n: I18n) -> bool:
    """Something to pass on, not a command or a menu button's label (those keep their meaning)."""
    return is_passable(message) and not (message.text is not None and is_menu_label(message.text, i18n))


async def ask(
    bot: Bot,
    user: User,
    state: FSMContext,
    content: Content,
    text: str,
    tickets: list[Ticket],
    reopen: int | None = None,
) -> None:
    """Keep the message pending and ask where it goes."""
    ref = secrets.token_hex(4)
    await advance(state, None, fresh=True, pending={"ref": ref, "content": content.to_doc()})
    await bot.send_message(user.id, text, reply_markup=choose_ticket_keyboard(tickets, ref, reopen))


async def ask_about_finished(
    bot: Bot, user: User, state: FSMContext, content: Content, ticket: Ticket, settings: Settings
) -> None:
    """A message for a finished ticket: reopen it with the message (within REOPEN_DAYS) or a new ticket."""
    reopenable = reopen_refusal(ticket, user.id, datetime.now(UTC), settings.reopen_days) is None
    text = ticket_finished(ticket, reopenable=reopenable)
    await ask(bot, user, state, content, text, [], ticket.number if reopenable else None)


async def route(
    messages: Sequence[Message],
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
    settings: Settings,
) -> None:
    """A message (or album) written outside any form: to the ticket it replies to, or ask."""
    content = content_of(messages)
    replied = next((m for m in messages if m.reply_to_message is not None), None)
    ticket = await conversation.ticket_replied_to(user, replied) if replied is not None else None
    if ticket is not None and ticket.status.is_active:
        await conversation.to_staff(ticket, user, content)
    elif ticket is not None:
        await ask_about_finished(bot, user, state, content, ticket, settings)
    else:
        active = await conversation.active_of(user)
        await ask(bot, user, state, content, ask_which_ticket(active) if active else ask_new_ticket(), active)


def _on_album_complete(
    message: Message,
    album_replies: Debouncer,
    conversation: ConversationService,
    then: Callable[[Sequence[Message]], Awaitable[None]],
) -> None:
    """Albums arrive as one update per item: `then` gets them all once the album is complete."""
    key, _first = conversation.collect(message)

    async def complete() -> None:
        items = conversation.album(key)
        if items:
            await then(items)

    album_replies.call_later(key, complete)


async def free_message(
    message: Message,
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
    album_replies: Debouncer,
    settings: Settings,
) -> None:
    if message.media_group_id is None:
        await route([message], bot, user, state, conversation, settings)
        return

    async def then(items: Sequence[Message]) -> None:
        await route(items, bot, user, state, conversation, settings)

    _on_album_complete(message, album_replies, conversation, then)


async def composed(
    message: Message,
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
    album_replies: Debouncer,
    i18n: I18n,
    settings: Settings,
) -> None:
    """The message after «💬 Add a message»."""
    number = int((await state.get_data()).get("number", 0))
    if message.text is not None and (message.text.startswith("/") or is_menu_label(message.text, i18n)):
        await message.answer(compose_hint(number))
        return
    if not is_passable(message):
        await message.answer(cannot_send(message))
        return

    async def then(items: Sequence[Message]) -> None:
        if await state.get_state() != EmployeeCompose.message.state:
            return
        await reset(state)
        content = content_of(items)
        ticket = await conversation.writable(user, number)
        if ticket is None:
            await bot.send_message(user.id, refusal(Outcome.NOT_FOUND, None))
        elif ticket.status.is_active:
            await conversation.to_staff(ticket, user, content)
        else:
            await ask_about_finished(bot, user, state, content, ticket, settings)

    if message.media_group_id is None:
        await then([message])
    else:
        _on_album_complete(message, album_replies, conversation, then)


async def start_adding(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
) -> None:
    ticket = await conversation.owned(user, callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = refusal(Outcome.NOT_FOUND, None), True
        return
    if not ticket.status.is_active:
        callback_answer.text, callback_answer.show_alert = ticket_takes_no_messages(ticket), True
        return
    await advance(state, EmployeeCompose.message, fresh=True, number=ticket.number)
    prompt = await bot.send_message(user.id, add_prompt(ticket.number), reply_markup=cancel_keyboard())
    await conversation.remember(user.id, [prompt.message_id], ticket.number)


async def _pending(state: FSMContext, ref: str, answer: CallbackAnswer) -> Content | None:
    pending = (await state.get_data()).get("pending") or {}
    if await state.get_state() is not None or pending.get("ref") != ref:
        answer.text, answer.show_alert = choice_expired(), True
        return None
    return Content.from_doc(pending["content"])


async def pick_ticket(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
) -> None:
    content = await _pending(state, callback_data.ref, callback_answer)
    if content is None:
        return
    ticket = await conversation.writable(user, callback_data.number)
    if ticket is None or not ticket.status.is_active:
        callback_answer.text = ticket_takes_no_messages(ticket) if ticket else refusal(Outcome.NOT_FOUND, None)
        callback_answer.show_alert = True
        return
    await _send_pending(query, state, conversation, ticket, user, content)


async def _send_pending(
    query: CallbackQuery,
    state: FSMContext,
    conversation: ConversationService,
    ticket: Ticket,
    user: User,
    content: Content,
) -> None:
    """The choice is made: the pending message goes to `ticket`, the question's buttons go."""
    await reset(state)
    await remove_buttons(query)
    await conversation.to_staff(ticket, user, content)


async def reopen_with_it(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
    conversation: ConversationService,
    ticket_actions: TicketActions,
    settings: Settings,
) -> None:
    """«🔁 Reopen #N»: the finished ticket is open again and the pending message goes to it."""
    content = await _pending(state, callback_data.ref, callback_answer)
    if content is None:
        return
    employee = Person(user.id, user.display_name)
    result = await ticket_actions.reopen(callback_data.number, employee, ChangeNote.WROTE_AGAIN)
    if not result.done or result.ticket is None:
        callback_answer.text = feedback_refusal(result.outcome, result.ticket, settings.reopen_days)
        callback_answer.show_alert = True
        return
    await _send_pending(query, state, conversation, result.ticket, user, content)


async def new_ticket_with_it(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: TicketMessageCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
    repos: Repositories,
) -> None:
    """The ticket form, with the message kept as the description and its attachments attached."""
    content = await _pending(state, callback_data.ref, callback_answer)
    if content is None:
        return
    draft: dict[str, object] = {"media": [m.to_doc() for m in ticket_media(content, validators.MEDIA_MAX)]}
    try:
        draft["description"] = validators.description(content.text)
        draft["prefilled"] = True
    except InvalidInput:
        pass  # too short or too long for a description: the form asks for one
    await remove_buttons(query)
    data = await advance(state, ANSWER_STATES[0], fresh=True, **draft)
    text, keyboard = await prompt_for(ANSWER_STATES[0], data, repos, user.id)
    await bot.send_message(user.id, text, reply_markup=keyboard)


async def cancel(
    query: CallbackQuery, callback_answer: CallbackAnswer, bot: Bot, user: User, state: FSMContext
) -> None:
    if await state.get_state() not in CANCELLABLE:
        callback_answer.text, callback_answer.show_alert = choice_expired(), True
        return
    await reset(state)
    await remove_buttons(query)
    await bot.send_message(user.id, cancelled())


async def edited(message: Message, user: User, conversation: ConversationService) -> None:
    """An employee or staff member edited a message they had sent into a conversation."""
    text = message.text if message.text is not None else (message.caption or "")
    await conversation.edited(user, message.chat.id, message.message_id, text)


def create_router() -> Router:
    router = Router(name="conversation")
    action = TicketMessageCallback.filter
    router.callback_query.register(start_adding, action(F.action == TicketMessageAction.ADD))
    router.callback_query.register(pick_ticket, action(F.action == TicketMessageAction.PICK))
    router.callback_query.register(new_ticket_with_it, action(F.action == TicketMessageAction.NEW))
    router.callback_query.register(reopen_with_it, action(F.action == TicketMessageAction.REOPEN))
    router.callback_query.register(cancel, action(F.action == TicketMessageAction.CANCEL))
    router.message.register(composed, EmployeeCompose.message)
    router.message.register(free_message, StateFilter(None), passable)
    # Both sides' edits (staff are users too); any state: an edit is no step of a dialogue.
    router.edited_message.register(edited)
    return router
