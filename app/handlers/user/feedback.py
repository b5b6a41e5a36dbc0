"""The employee's answer to "Did this solve your problem?" under the closing notice:
«👍 Yes» → a rating 1–5 → an optional comment; «👎 No, reopen» → the ticket is open again.

Buttons can be forged or pressed late: every step checks the ticket is the presser's own and
still closed and unanswered (app/services/tickets/feedback.py, TicketActions.reopen)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from app.fsm.states import RateTicket
from app.fsm.transitions import advance, reset
from app.keyboards.callback_data import FeedbackAction, FeedbackCallback
from app.keyboards.conversation import add_message_keyboard
from app.keyboards.feedback import rating_keyboard, skip_comment_keyboard
from app.models import validators
from app.models.tickets import ChangeNote
from app.models.users import Person, User
from app.models.validators import InvalidInput
from app.services.conversation.service import ConversationService
from app.services.tickets.actions import ActionResult, TicketActions
from app.services.tickets.feedback import FeedbackService
from app.texts.conversation import choice_expired, is_menu_label
from app.texts.feedback import (
    comment_hint,
    comment_prompt,
    feedback_refusal,
    rate_prompt,
    rated,
    reopened_owner,
    thanks,
)
from app.texts.tickets import comment_too_long
from app.utils.messages import remove_buttons, show
from config import Settings


def _refused(result: ActionResult, answer: CallbackAnswer, settings: Settings) -> bool:
    if result.done:
        return False
    answer.text = feedback_refusal(result.outcome, result.ticket, settings.reopen_days)
    answer.show_alert = True
    return True


async def solved(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: FeedbackCallback,
    bot: Bot,
    user: User,
    feedback: FeedbackService,
    settings: Settings,
) -> None:
    result = await feedback.solved(callback_data.number, user)
    if _refused(result, callback_answer, settings):
        return
    await remove_buttons(query)
    await bot.send_message(
        user.id, rate_prompt(callback_data.number), reply_markup=rating_keyboard(callback_data.number)
    )


async def not_solved(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: FeedbackCallback,
    bot: Bot,
    user: User,
    conversation: ConversationService,
    ticket_actions: TicketActions,
    settings: Settings,
) -> None:
    employee = Person(user.id, user.display_name)
    result = await ticket_actions.reopen(callback_data.number, employee, ChangeNote.NOT_SOLVED)
    if _refused(result, callback_answer, settings) or result.ticket is None:
        return
    await remove_buttons(query)
    number = result.ticket.number
    told = await bot.send_message(user.id, reopened_owner(result.ticket), reply_markup=add_message_keyboard(number))
    await conversation.remember(user.id, [told.message_id], number)


async def rate(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: FeedbackCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
    feedback: FeedbackService,
    settings: Settings,
) -> None:
    result = await feedback.rate(callback_data.number, user, callback_data.rating)
    if _refused(result, callback_answer, settings):
        return
    await show(query, rated(callback_data.rating))
    await advance(state, RateTicket.comment, fresh=True, number=callback_data.number)
    await bot.send_message(user.id, comment_prompt(), reply_markup=skip_comment_keyboard(callback_data.number))


async def skip(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: FeedbackCallback,
    bot: Bot,
    user: User,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    if await state.get_state() != RateTicket.comment.state or data.get("number") != callback_data.number:
        callback_answer.text, callback_answer.show_alert = choice_expired(), True
        return
    await reset(state)
    await remove_buttons(query)
    await bot.send_message(user.id, thanks())


async def comment(message: Message, user: User, state: FSMContext, feedback: FeedbackService, i18n: I18n) -> None:
    text = message.text
    if text is None or text.startswith("/") or is_menu_label(text, i18n):
        await message.answer(comment_hint())
        return
    try:
        checked = validators.comment(text)
    except InvalidInput:
        await message.answer(comment_too_long(text))
        return
    number = int((await state.get_data()).get("number", 0))
    await reset(state)
    if checked:
        await feedback.comment(number, user, checked)  # refused only if the ticket was reopened meanwhile
    await message.answer(thanks())


def create_router() -> Router:
    router = Router(name="feedback")
    action = FeedbackCallback.filter
    router.callback_query.register(solved, action(F.action == FeedbackAction.SOLVED))
    router.callback_query.register(not_solved, action(F.action == FeedbackAction.NOT_SOLVED))
    router.callback_query.register(rate, action(F.action == FeedbackAction.RATE))
    router.callback_query.register(skip, action(F.action == FeedbackAction.SKIP))
    router.message.register(comment, RateTicket.comment)
    return router
