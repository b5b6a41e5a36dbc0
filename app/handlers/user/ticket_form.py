"""The new-ticket form: category → name → phone → description → attachments → priority → summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import TicketForm
from app.fsm.ticket_form import (
    ANSWER_STATES,
    PREVIOUS,
    STEPS,
    go_to,
    next_state,
    previous_answers,
    previous_state,
    step_of,
    wrong_input_hint,
)
from app.fsm.transitions import reset
from app.keyboards import reply
from app.models import validators
from app.models.categories import Category
from app.models.tickets import Draft, Priority, Ticket
from app.models.users import Role, User
from app.models.validators import InvalidInput
from app.services.conversation.service import ConversationService
from app.services.delivery import Delivered, deliver
from app.services.notifications import Notifier
from app.services.tickets.service import TicketService
from app.texts import form, labels
from app.texts.sla import back_at
from app.texts.tickets import created_line, ticket_card
from config import Settings


async def start_form(message: Message, state: FSMContext, repos: Repositories, user: User) -> None:
    previous = await previous_answers(repos, user.id)
    await go_to(ANSWER_STATES[0], message, state, repos, fresh=True, changes={PREVIOUS: previous})


async def back_from_edit_menu(message: Message, state: FSMContext, repos: Repositories) -> None:
    await go_to(TicketForm.confirm, message, state, repos)


async def back(message: Message, state: FSMContext, repos: Repositories, raw_state: str | None) -> None:
    current = next(s for s in (*ANSWER_STATES, TicketForm.confirm) if s.state == raw_state)
    editing = bool((await state.get_data()).get("editing"))
    target = TicketForm.confirm if editing else previous_state(current)
    changes = {"editing": False} if editing else None
    await go_to(target or ANSWER_STATES[0], message, state, repos, changes=changes)


async def answered(
    message: Message, state: FSMContext, repos: Repositories, step: State, note: str | None = None, **values: Any
) -> None:
    """Go on from an accepted answer; `note` (the step's word on it) comes above the next prompt."""
    data = {**await state.get_data(), **values}
    target = next_state(step, data)
    if target == TicketForm.confirm and data.get("editing"):
        values["editing"] = False
    await go_to(target, message, state, repos, note, changes=values)


async def got_text(message: Message, state: FSMContext, repos: Repositories, raw_state: str | None) -> None:
    """A typed answer (or a tapped button) to a step that reads text: all but the contact and attachments."""
    step = step_of(raw_state)
    assert step is not None and step.read is not None and step.hint is not None and message.text is not None
    try:
        value = await step.read(message.text, repos)
    except InvalidInput as error:
        await go_to(step.state, message, state, repos, hint=step.hint(error.problem, message.text))
        return
    note = await step.echo(value, repos) if step.echo is not None else None
    await answered(message, state, repos, step.state, note, **{step.field: value})


async def got_contact(message: Message, state: FSMContext, repos: Repositories) -> None:
    assert message.contact is not None and message.from_user is not None
    if message.contact.user_id != message.from_user.id:
        hint = _("That is someone else's contact. Share your own with the button, or type your number.")
        await go_to(TicketForm.phone, message, state, repos, hint=hint)
        return
    try:
        phone = validators.contact_phone(message.contact.phone_number)
    except InvalidInput:
        hint = _("Telegram sent a number I cannot use. Please type it, for example +380501234567.")
        await go_to(TicketForm.phone, message, state, repos, hint=hint)
        return
    await answered(message, state, repos, TicketForm.phone, phone=phone)


async def media_finished(message: Message, state: FSMContext, repos: Repositories) -> None:
    """Done or Skip: both go on with what is attached (Skip never deletes)."""
    await answered(message, state, repos, TicketForm.media)


async def remove_media(message: Message, state: FSMContext, repos: Repositories) -> None:
    changes = {"media": [], "media_rejected": 0}
    await go_to(TicketForm.media, message, state, repos, hint=form.media_removed(), changes=changes)


async def edit(message: Message, state: FSMContext, repos: Repositories) -> None:
    await go_to(TicketForm.choose_edit, message, state, repos)


async def choose_edit(message: Message, state: FSMContext, repos: Repositories) -> None:
    target = next((step.state for step in STEPS if step.edit_label == message.text), None)
    if target is None:
        await go_to(TicketForm.choose_edit, message, state, repos, hint=form.choose_a_button())
        return
    await go_to(target, message, state, repos, changes={"editing": True})


async def submit(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    repos: Repositories,
    tickets: TicketService,
    notifier: Notifier,
    conversation: ConversationService,
    settings: Settings,
) -> None:
    draft = Draft.from_fsm(await state.get_data())
    ticket = await tickets.create(user, draft)
    await reset(state)
    # The ticket exists from here on: the user learns its number and the staff hear of it,
    # whatever happens to either message.
    category = (await repos.categories.catalogue()).get(ticket.category)
    # Outside working hours the employee learns when staff are back (critical ones alert staff anyway).
    opening = None if ticket.priority is Priority.CRITICAL else settings.sla.working.next_opening(ticket.created_at)
    try:
        sent = await tell_created(message, ticket, category, role, opening)
        await conversation.remember(message.chat.id, sent, ticket.number)  # a reply to it goes to the ticket
    finally:
        await notifier.new_ticket(ticket)


async def tell_created(
    message: Message, ticket: Ticket, category: Category | None, role: Role, opening: datetime | None = None
) -> list[int]:
    """The owner's confirmation (with when staff are back, `opening`, outside working hours);
    returns the ids of what was sent."""
    created = created_line(ticket.number) + (f"\n{back_at(opening)}" if opening is not None else "")
    menu = reply.main_menu(role)
    card = ticket_card(ticket, category, lead=created).text
    what = f"Ticket #{ticket.number} created: the owner's card"
    sent: list[int] = []

    async def answer(text: str) -> None:
        sent.append((await message.answer(text, reply_markup=menu)).message_id)

    delivery = await deliver(lambda: answer(card), what=what)
    if delivery.state is Delivered.FAILED:  # the number alone, then: it is what they need to follow it up
        await deliver(lambda: answer(created), what=f"Ticket #{ticket.number} created")
    return sent


async def wrong_input(message: Message, state: FSMContext, repos: Repositories, raw_state: str | None) -> None:
    step = next(s for s in TicketForm.__states__ if s.state == raw_state)
    await go_to(step, message, state, repos, hint=wrong_input_hint(raw_state, message))


def create_router() -> Router:
    router = Router(name="ticket_form")
    router.message.register(start_form, StateFilter(None), F.text == labels.NEW_TICKET)
    router.message.register(start_form, StateFilter(None), Command("new"))
    router.message.register(back_from_edit_menu, F.text == labels.BACK, TicketForm.choose_edit)
    router.message.register(back, F.text == labels.BACK, StateFilter(*ANSWER_STATES, TicketForm.confirm))
    router.message.register(got_contact, TicketForm.phone, F.contact)
    typed = [step.state for step in STEPS if step.read is not None]
    router.message.register(got_text, StateFilter(*typed), F.text, ~F.text.startswith("/"))
    router.message.register(
        media_finished, TicketForm.media, (F.text == labels.MEDIA_DONE) | (F.text == labels.MEDIA_SKIP)
    )
    router.message.register(remove_media, TicketForm.media, F.text == labels.MEDIA_REMOVE)
    router.message.register(edit, TicketForm.confirm, F.text == labels.EDIT)
    router.message.register(choose_edit, TicketForm.choose_edit, F.text)
    router.message.register(submit, TicketForm.confirm, F.text == labels.SUBMIT)
    router.message.register(wrong_input, StateFilter(TicketForm))
    return router
