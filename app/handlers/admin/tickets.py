"""Staff actions on one ticket: open the card, show media, take, close (optional comment),
reject (mandatory reason). Every action re-checks the ticket's current state. The card, the
prompts and the outcome are remembered as the ticket's: a Telegram reply to them goes to
its employee (app/handlers/admin/conversation.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import CloseTicket, RejectTicket
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards.callback_data import StaffTicketAction, StaffTicketCallback
from app.keyboards.tickets import staff_card_keyboard
from app.models import validators
from app.models.tickets import QueueView, Ticket, TicketStatus, finish_refusal
from app.models.users import Person, Role, User
from app.models.validators import InvalidInput
from app.services.conversation.service import ConversationService
from app.services.media import send_ticket_media
from app.services.tickets.actions import ActionResult, TicketActions
from app.texts import labels
from app.texts.formatting import counted_length
from app.texts.sla import clock_lines
from app.texts.tickets import comment_too_long, full_text_messages, refusal, staff_card
from app.utils.messages import send_texts, show, show_at


async def card_view(
    ticket: Ticket, user: User, role: Role, view: QueueView, page: int, conversation: ConversationService
) -> tuple[str, InlineKeyboardMarkup]:
    """The staff card with the conversation's latest entries, and its buttons («📄 Full text» when
    the card had to shorten something)."""
    category = (await conversation.repos.categories.catalogue()).get(ticket.category)
    clocks = clock_lines(conversation.notifier.settings.sla.clocks(ticket, datetime.now(UTC)))
    card = staff_card(ticket, category, await conversation.recent(ticket.number, notes=True), clocks)
    return card.text, staff_card_keyboard(ticket, user.id, role, view, page, full_text=card.shortened)


def shown_before(query: CallbackQuery) -> int | None:
    """The message the tapped button is on."""
    return query.message.message_id if query.message is not None else None


async def remember_card(
    conversation: ConversationService, user: User, shown: int, number: int, *, was: int | None
) -> None:
    """A card re-rendered where it was is remembered already (since it was opened or sent);
    one that had to come as a fresh message is not yet."""
    if shown != was:
        await conversation.remember(user.id, [shown], number)


def delivery_note(result: ActionResult) -> str:
    if result.owner_notified:
        return ""
    return "\n" + _("⚠️ The owner could not be notified: they have blocked the bot.")


async def open_ticket(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffTicketCallback,
    repos: Repositories,
    user: User,
    role: Role,
    conversation: ConversationService,
    bot: Bot,
) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    text, markup = await card_view(ticket, user, role, callback_data.view, callback_data.page, conversation)
    if callback_data.action is StaffTicketAction.OPEN_NEW:
        shown = (await bot.send_message(user.id, text, reply_markup=markup)).message_id
    else:
        shown = await show(query, text, markup)
    await conversation.remember(user.id, [shown], ticket.number)


async def show_full_text(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffTicketCallback,
    repos: Repositories,
    bot: Bot,
) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    await send_texts(bot, query.from_user.id, full_text_messages(ticket, staff=True))


async def show_media(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffTicketCallback,
    repos: Repositories,
    bot: Bot,
) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    await send_ticket_media(bot, query.from_user.id, ticket, callback_answer)


async def take(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffTicketCallback,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
    conversation: ConversationService,
) -> None:
    actor = Person(user.id, user.display_name)
    result = await ticket_actions.take(callback_data.number, actor, superadmin=role is Role.SUPERADMIN)
    if result.ticket is not None:
        shown = await show(
            query, *(await card_view(result.ticket, user, role, callback_data.view, callback_data.page, conversation))
        )
        await remember_card(conversation, user, shown, result.ticket.number, was=shown_before(query))
    if not result.done:
        callback_answer.text, callback_answer.show_alert = refusal(result.outcome, result.ticket), True
        return
    callback_answer.text = _("Ticket #{number} is yours now.").format(number=callback_data.number)
    if not result.owner_notified and isinstance(query.message, Message):
        note = await query.message.answer(delivery_note(result).strip())
        await conversation.remember(user.id, [note.message_id], callback_data.number)


async def ask_finish(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: StaffTicketCallback,
    state: FSMContext,
    user: User,
    role: Role,
    repos: Repositories,
) -> None:
    """Close or reject: check who may, then ask for the comment / reason."""
    ticket = await repos.tickets.get(callback_data.number)
    closing = callback_data.action is StaffTicketAction.CLOSE
    to = TicketStatus.CLOSED if closing else TicketStatus.REJECTED
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    outcome = finish_refusal(ticket, user.id, superadmin=role is Role.SUPERADMIN, to=to)
    if outcome is not None:
        callback_answer.text, callback_answer.show_alert = refusal(outcome, ticket), True
        return
    await advance(
        state,
        CloseTicket.comment if closing else RejectTicket.reason,
        number=ticket.number,
        view=callback_data.view.value,
        page=callback_data.page,
        card=query.message.message_id if isinstance(query.message, Message) else None,
    )
    if closing:
        prompt = _("Closing ticket #{number}. Write a comment for the user, or tap «{skip}».").format(
            number=ticket.number, skip=labels.SKIP_COMMENT
        )
        keyboard = reply.form_step(str(labels.SKIP_COMMENT), back=False)
    else:
        prompt = _(
            "Rejecting ticket #{number}. Write the reason ({min}–{max} characters); the user will see it."
        ).format(number=ticket.number, min=validators.REASON_MIN, max=validators.REASON_MAX)
        keyboard = reply.cancel_only()
    await query.bot.send_message(query.from_user.id, prompt, reply_markup=keyboard)  # type: ignore[union-attr]


async def report(
    message: Message,
    result: ActionResult,
    user: User,
    role: Role,
    data: dict[str, Any],
    conversation: ConversationService,
) -> None:
    if result.done and result.ticket is not None:
        ticket: Ticket = result.ticket
        done = (
            _("✅ Ticket #{number} closed.")
            if ticket.status is TicketStatus.CLOSED
            else _("⛔ Ticket #{number} rejected.")
        )
        said = await message.answer(
            done.format(number=ticket.number) + delivery_note(result), reply_markup=reply.main_menu(role)
        )
    else:
        said = await message.answer(refusal(result.outcome, result.ticket), reply_markup=reply.main_menu(role))
    if result.ticket is not None:
        await conversation.remember(user.id, [said.message_id], result.ticket.number)
        await refresh_card(message, result.ticket, user, role, data, conversation)


async def refresh_card(
    message: Message, ticket: Ticket, user: User, role: Role, data: dict[str, Any], conversation: ConversationService
) -> None:
    """The card the dialogue started from, re-rendered where it is."""
    view, page = QueueView(data.get("view", QueueView.NEW)), int(data.get("page", 0))
    card = data.get("card")
    text, markup = await card_view(ticket, user, role, view, page, conversation)
    if message.bot is not None:
        card = card if isinstance(card, int) else None
        shown = await show_at(message.bot, message.chat.id, card, text, markup)
        await remember_card(conversation, user, shown, ticket.number, was=card)


async def finish_with(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
    conversation: ConversationService,
    text: str | None,
) -> None:
    data = await state.get_data()
    closing = await state.get_state() == CloseTicket.comment.state
    await reset(state)
    actor = Person(user.id, user.display_name)
    superadmin = role is Role.SUPERADMIN
    if closing:
        result = await ticket_actions.close(data["number"], actor, superadmin=superadmin, comment=text)
    else:
        result = await ticket_actions.reject(data["number"], actor, superadmin=superadmin, reason=text or "")
    await report(message, result, user, role, data, conversation)


async def got_comment(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
    conversation: ConversationService,
) -> None:
    try:
        comment = validators.comment(message.text or "")
    except InvalidInput:
        await message.answer(comment_too_long(message.text or ""))
        return
    await finish_with(message, state, user, role, ticket_actions, conversation, comment or None)


async def skip_comment(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
    conversation: ConversationService,
) -> None:
    await finish_with(message, state, user, role, ticket_actions, conversation, None)


async def got_reason(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    ticket_actions: TicketActions,
    conversation: ConversationService,
) -> None:
    try:
        reason = validators.reason(message.text or "")
    except InvalidInput:
        await message.answer(
            _("The reason must be {min}–{max} characters long; yours has {n}.").format(
                min=validators.REASON_MIN,
                max=validators.REASON_MAX,
                n=counted_length((message.text or "").strip()),
            )
        )
        return
    await finish_with(message, state, user, role, ticket_actions, conversation, reason)


async def wrong_finish_input(message: Message, state: FSMContext) -> None:
    if await state.get_state() == RejectTicket.reason.state:
        hint = _("A reason is required: write it as text ({min}–{max} characters), or tap «{cancel}».").format(
            min=validators.REASON_MIN, max=validators.REASON_MAX, cancel=labels.CANCEL
        )
    else:
        hint = _("Write the comment as text, tap «{skip}» or «{cancel}».").format(
            skip=labels.SKIP_COMMENT, cancel=labels.CANCEL
        )
    await message.answer(hint)


async def cancel_finish(
    message: Message, state: FSMContext, user: User, role: Role, repos: Repositories, conversation: ConversationService
) -> None:
    data = await state.get_data()
    await reset(state)
    await message.answer(_("Cancelled. The ticket was not changed."), reply_markup=reply.main_menu(role))
    ticket = await repos.tickets.get(int(data.get("number", 0)))
    if ticket is not None:
        await refresh_card(message, ticket, user, role, data, conversation)


def create_router() -> Router:
    router = Router(name="admin_tickets")
    action = StaffTicketCallback.filter
    router.callback_query.register(
        open_ticket, action(F.action.in_({StaffTicketAction.OPEN, StaffTicketAction.OPEN_NEW}))
    )
    router.callback_query.register(show_media, action(F.action == StaffTicketAction.MEDIA))
    router.callback_query.register(show_full_text, action(F.action == StaffTicketAction.FULL_TEXT))
    router.callback_query.register(take, action(F.action == StaffTicketAction.TAKE))
    router.callback_query.register(
        ask_finish, action(F.action.in_({StaffTicketAction.CLOSE, StaffTicketAction.REJECT}))
    )
    finishing = (CloseTicket.comment, RejectTicket.reason)
    for step in finishing:
        router.message.register(cancel_finish, step, F.text == labels.CANCEL)
        router.message.register(cancel_finish, step, Command("cancel"))
    router.message.register(skip_comment, CloseTicket.comment, F.text == labels.SKIP_COMMENT)
    router.message.register(got_comment, CloseTicket.comment, F.text, ~F.text.startswith("/"))
    router.message.register(got_reason, RejectTicket.reason, F.text, ~F.text.startswith("/"))
    for step in finishing:
        router.message.register(wrong_finish_input, step)
    return router
