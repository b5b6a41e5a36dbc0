"""«🔀 Reassign» on the staff card: pick a staff member (with how many tickets each has in work),
optionally write them a note, and the ticket is theirs; the card it started from is refreshed."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from app.fsm.states import Handover as HandoverState
from app.fsm.transitions import advance, reset
from app.handlers.admin.tickets import delivery_note, refresh_card
from app.keyboards.callback_data import HandoverAction, HandoverCallback
from app.keyboards.handover import candidates_keyboard, note_keyboard
from app.models import validators
from app.models.tickets import Outcome
from app.models.users import Person, Role, User
from app.models.validators import InvalidInput
from app.services.conversation.service import ConversationService
from app.services.tickets.handover import Handover
from app.texts import labels
from app.texts.conversation import choice_expired
from app.texts.handover import cancelled, handed, left_staff, nobody_else, note_prompt, note_too_long, pick_prompt
from app.texts.tickets import refusal
from app.utils.messages import remove_buttons, show


async def list_staff(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: HandoverCallback,
    bot: Bot,
    user: User,
    role: Role,
    handover: Handover,
) -> None:
    checked = await handover.check(callback_data.number, user.id, superadmin=role is Role.SUPERADMIN)
    if not checked.done or checked.ticket is None:
        callback_answer.text, callback_answer.show_alert = refusal(checked.outcome, checked.ticket), True
        return
    staff = await handover.candidates(checked.ticket, callback_data.page)
    if not staff.items:
        callback_answer.text, callback_answer.show_alert = nobody_else(), True
        return
    if callback_data.card:  # a page of the list: turned in place
        await show(
            query,
            pick_prompt(callback_data.number),
            candidates_keyboard(callback_data.number, staff, callback_data.card),
        )
        return
    card = query.message.message_id if query.message is not None else 0
    markup = candidates_keyboard(callback_data.number, staff, card)
    await bot.send_message(user.id, pick_prompt(callback_data.number), reply_markup=markup)


async def pick(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: HandoverCallback,
    user: User,
    role: Role,
    state: FSMContext,
    handover: Handover,
) -> None:
    checked = await handover.check(callback_data.number, user.id, superadmin=role is Role.SUPERADMIN)
    if not checked.done:
        callback_answer.text, callback_answer.show_alert = refusal(checked.outcome, checked.ticket), True
        return
    to = await handover.person(callback_data.to)
    if to is None:
        callback_answer.text, callback_answer.show_alert = left_staff(None), True
        return
    await advance(
        state,
        HandoverState.note,
        fresh=True,
        number=callback_data.number,
        to=to.id,
        to_name=to.name,
        card=callback_data.card,
    )
    await show(query, note_prompt(callback_data.number, to), note_keyboard(callback_data.number))


async def hand_over(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    handover: Handover,
    conversation: ConversationService,
    note: str | None,
) -> None:
    data = await state.get_data()
    await reset(state)
    to = Person(int(data["to"]), str(data["to_name"]))
    actor = Person(user.id, user.display_name)
    result = await handover.hand_over(int(data["number"]), actor, to, note, superadmin=role is Role.SUPERADMIN)
    if result.done:
        said = handed(int(data["number"]), to) + delivery_note(result)
    elif result.outcome is Outcome.NOT_STAFF:
        said = left_staff(to)
    else:
        said = refusal(result.outcome, result.ticket)
    await message.answer(said)
    if result.ticket is not None:
        await refresh_card(message, result.ticket, user, role, {"card": data.get("card") or None}, conversation)


async def skip(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: HandoverCallback,
    user: User,
    role: Role,
    state: FSMContext,
    handover: Handover,
    conversation: ConversationService,
) -> None:
    data = await state.get_data()
    if await state.get_state() != HandoverState.note.state or data.get("number") != callback_data.number:
        callback_answer.text, callback_answer.show_alert = choice_expired(), True
        return
    await remove_buttons(query)
    if isinstance(query.message, Message):
        await hand_over(query.message, state, user, role, handover, conversation, None)


async def got_note(
    message: Message, user: User, role: Role, state: FSMContext, handover: Handover, conversation: ConversationService
) -> None:
    try:
        note = validators.comment(message.text or "")
    except InvalidInput:
        await message.answer(note_too_long(message.text or ""))
        return
    await hand_over(message, state, user, role, handover, conversation, note or None)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() == HandoverState.note.state:
        await reset(state)
    await show(query, cancelled())


async def cancel_typed(message: Message, state: FSMContext) -> None:
    await reset(state)
    await message.answer(cancelled())


def create_router() -> Router:
    router = Router(name="handover")
    action = HandoverCallback.filter
    router.callback_query.register(list_staff, action(F.action == HandoverAction.LIST))
    router.callback_query.register(pick, action(F.action == HandoverAction.PICK))
    router.callback_query.register(skip, action(F.action == HandoverAction.SKIP))
    router.callback_query.register(cancel, action(F.action == HandoverAction.CANCEL))
    router.message.register(cancel_typed, HandoverState.note, F.text == labels.CANCEL)
    router.message.register(cancel_typed, HandoverState.note, Command("cancel"))
    router.message.register(got_note, HandoverState.note, F.text, ~F.text.startswith("/"))
    return router
