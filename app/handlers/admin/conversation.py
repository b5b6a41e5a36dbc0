"""Staff in a ticket's conversation: «💬 Reply» («Take and reply» on a new ticket), «📝 Note»,
«💬 Conversation». What the staff member sends next goes out at once; "delivered" (or why not)
comes back with one-tap Close / Write more."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.fsm.states import StaffCompose
from app.fsm.transitions import advance, reset
from app.keyboards.callback_data import ConversationAction, ConversationCallback
from app.keyboards.conversation import after_reply_keyboard, cancel_keyboard, timeline_keyboard
from app.models.tickets import Outcome
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
    note_ack,
    note_prompt,
    reply_prompt,
    staff_ack,
    timeline,
    waiting_ack,
)
from app.texts.tickets import refusal
from app.utils.debounce import Debouncer
from app.utils.messages import show

EDIT_IN_PLACE = "e"  # the timeline's own arrows re-render it; from a card it comes as a new message


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
    if allowed.took:
        callback_answer.text = _("Ticket #{number} is yours now.").format(number=callback_data.number)
    await advance(state, StaffCompose.reply, fresh=True, number=callback_data.number)
    await bot.send_message(user.id, reply_prompt(callback_data.number), reply_markup=cancel_keyboard())


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
    await bot.send_message(user.id, note_prompt(callback_data.number), reply_markup=cancel_keyboard())


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
    callback_data: ConversationCallback,
    user: User,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    page = await conversation.timeline(callback_data.number, callback_data.page)
    text = timeline(callback_data.number, page)
    markup = timeline_keyboard(callback_data.number, page.number, page.pages)
    if callback_data.ref == EDIT_IN_PLACE:
        await show(query, text, markup)
    else:
        await bot.send_message(user.id, text, reply_markup=markup)


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
    content = content_of(messages)
    if note:
        await conversation.note(allowed.ticket, user, content)
        await bot.send_message(user.id, note_ack(number))
        return
    stored = await conversation.to_employee(allowed.ticket, user, content)
    await bot.send_message(
        user.id, staff_ack(number, stored.delivery), reply_markup=after_reply_keyboard(allowed.ticket, user.id, role)
    )


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
    composing = (StaffCompose.reply, StaffCompose.note)
    for step in composing:
        router.message.register(cancel_compose, step, F.text == labels.CANCEL)
        router.message.register(cancel_compose, step, Command("cancel"))
        router.message.register(composed, step)
    return router
