"""Staff actions on one ticket: open the card, show media, take, close (optional comment),
reject (mandatory reason). Every action re-checks the ticket's current state."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import CloseTicket, RejectTicket
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards.callback_data import StaffTicketAction, StaffTicketCallback
from app.keyboards.tickets import staff_card_keyboard
from app.models.tickets import Outcome, QueueView, Ticket, TicketStatus, finish_refusal
from app.models.users import Person, Role, User
from app.models.validators import units
from app.services.media import send_ticket_media
from app.services.tickets.actions import COMMENT_MAX, REASON_MAX, REASON_MIN, ActionResult, TicketActions
from app.texts import labels
from app.texts.tickets import staff_card
from app.utils.messages import show, show_at


def refusal(result: ActionResult) -> str:
    ticket = result.ticket
    if result.outcome is Outcome.NOT_STAFF:
        return _("You are no longer on the support staff.")
    if result.outcome is Outcome.NOT_FOUND or ticket is None:
        return _("Ticket not found.")
    if result.outcome is Outcome.ALREADY_YOURS:
        return _("Ticket #{number} is already yours.").format(number=ticket.number)
    if result.outcome is Outcome.ALREADY_TAKEN and ticket.assignee is not None:
        return _("Ticket #{number} is already taken by {name}.").format(number=ticket.number, name=ticket.assignee.name)
    if result.outcome is Outcome.NOT_ASSIGNEE:
        return _("Only the assignee or the super-admin can do this with ticket #{number}.").format(number=ticket.number)
    if ticket.status is TicketStatus.NEW:
        return _("Take ticket #{number} into work first.").format(number=ticket.number)
    if ticket.status is TicketStatus.CLOSED:
        return _("Ticket #{number} is already closed.").format(number=ticket.number)
    return _("Ticket #{number} is already rejected.").format(number=ticket.number)


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
) -> None:
    ticket = await repos.tickets.get(callback_data.number)
    if ticket is None:
        callback_answer.text, callback_answer.show_alert = _("Ticket not found."), True
        return
    await show(
        query, staff_card(ticket), staff_card_keyboard(ticket, user.id, role, callback_data.view, callback_data.page)
    )


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
) -> None:
    actor = Person(user.id, user.display_name)
    result = await ticket_actions.take(callback_data.number, actor, superadmin=role is Role.SUPERADMIN)
    if result.ticket is not None:
        await show(
            query,
            staff_card(result.ticket),
            staff_card_keyboard(result.ticket, user.id, role, callback_data.view, callback_data.page),
        )
    if not result.done:
        callback_answer.text, callback_answer.show_alert = refusal(result), True
        return
    callback_answer.text = _("Ticket #{number} is yours now.").format(number=callback_data.number)
    if not result.owner_notified and isinstance(query.message, Message):
        await query.message.answer(delivery_note(result).strip())


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
    refused = finish_refusal(ticket, user.id, superadmin=role is Role.SUPERADMIN, to=to)
    if refused is not None:
        callback_answer.text, callback_answer.show_alert = refusal(ActionResult(refused, ticket)), True
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
        ).format(number=ticket.number, min=REASON_MIN, max=REASON_MAX)
        keyboard = reply.cancel_only()
    await query.bot.send_message(query.from_user.id, prompt, reply_markup=keyboard)  # type: ignore[union-attr]


async def report(message: Message, result: ActionResult, user: User, role: Role, data: dict[str, Any]) -> None:
    if result.done and result.ticket is not None:
        ticket: Ticket = result.ticket
        done = (
            _("✅ Ticket #{number} closed.")
            if ticket.status is TicketStatus.CLOSED
            else _("⛔ Ticket #{number} rejected.")
        )
        await message.answer(
            done.format(number=ticket.number) + delivery_note(result), reply_markup=reply.main_menu(role)
        )
    else:
        await message.answer(refusal(result), reply_markup=reply.main_menu(role))
    if result.ticket is not None:
        await refresh_card(message, result.ticket, user, role, data)


async def refresh_card(message: Message, ticket: Ticket, user: User, role: Role, data: dict[str, Any]) -> None:
    """The card the dialogue started from, re-rendered where it is."""
    view, page = QueueView(data.get("view", QueueView.NEW)), int(data.get("page", 0))
    card = data.get("card")
    markup = staff_card_keyboard(ticket, user.id, role, view, page)
    if message.bot is not None:
        await show_at(message.bot, message.chat.id, card if isinstance(card, int) else None, staff_card(ticket), markup)


async def finish_with(
    message: Message, state: FSMContext, user: User, role: Role, ticket_actions: TicketActions, text: str | None
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
    await report(message, result, user, role, data)


async def got_comment(
    message: Message, state: FSMContext, user: User, role: Role, ticket_actions: TicketActions
) -> None:
    text = (message.text or "").strip()
    if units(text) > COMMENT_MAX:
        await message.answer(_("The comment is too long: at most {max} characters.").format(max=COMMENT_MAX))
        return
    await finish_with(message, state, user, role, ticket_actions, text or None)


async def skip_comment(
    message: Message, state: FSMContext, user: User, role: Role, ticket_actions: TicketActions
) -> None:
    await finish_with(message, state, user, role, ticket_actions, None)


async def got_reason(
    message: Message, state: FSMContext, user: User, role: Role, ticket_actions: TicketActions
) -> None:
    reason = (message.text or "").strip()
    if not REASON_MIN <= units(reason) <= REASON_MAX:
        await message.answer(
            _("The reason must be {min}–{max} characters long; yours has {n}.").format(
                min=REASON_MIN, max=REASON_MAX, n=units(reason)
            )
        )
        return
    await finish_with(message, state, user, role, ticket_actions, reason)


async def wrong_finish_input(message: Message, state: FSMContext) -> None:
    if await state.get_state() == RejectTicket.reason.state:
        hint = _("A reason is required: write it as text ({min}–{max} characters), or tap «{cancel}».").format(
            min=REASON_MIN, max=REASON_MAX, cancel=labels.CANCEL
        )
    else:
        hint = _("Write the comment as text, tap «{skip}» or «{cancel}».").format(
            skip=labels.SKIP_COMMENT, cancel=labels.CANCEL
        )
    await message.answer(hint)


async def cancel_finish(message: Message, state: FSMContext, user: User, role: Role, repos: Repositories) -> None:
    data = await state.get_data()
    await reset(state)
    await message.answer(_("Cancelled. The ticket was not changed."), reply_markup=reply.main_menu(role))
    ticket = await repos.tickets.get(int(data.get("number", 0)))
    if ticket is not None:
        await refresh_card(message, ticket, user, role, data)


def create_router() -> Router:
    router = Router(name="admin_tickets")
    action = StaffTicketCallback.filter
    router.callback_query.register(open_ticket, action(F.action == StaffTicketAction.OPEN))
    router.callback_query.register(show_media, action(F.action == StaffTicketAction.MEDIA))
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
