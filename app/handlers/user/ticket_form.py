"""The new-ticket form: name → phone → description → attachments → priority → summary."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import TicketForm
from app.fsm.transitions import reset
from app.handlers.user.prompts import STEP_ORDER, go_to, next_step, previous_step
from app.handlers.user.wrong_input import describe_wrong_input
from app.keyboards import labels, reply
from app.models.tickets import Priority
from app.models.users import Role, User
from app.services import validators
from app.services.notifications import Notifier
from app.services.tickets.service import Draft, TicketService
from app.services.validators import InputProblem, InvalidInput
from app.texts.tickets import priority_label, ticket_card


async def start_form(message: Message, state: FSMContext, repos: Repositories) -> None:
    await go_to(TicketForm.full_name, message, state, repos, fresh=True)


async def back_from_edit_menu(message: Message, state: FSMContext, repos: Repositories) -> None:
    await go_to(TicketForm.confirm, message, state, repos)


async def back(message: Message, state: FSMContext, repos: Repositories) -> None:
    current = await state.get_state()
    step = next(s for s in STEP_ORDER if s.state == current)
    editing = bool((await state.get_data()).get("editing"))
    target = TicketForm.confirm if editing else previous_step(step)
    changes = {"editing": False} if editing else None
    await go_to(target or TicketForm.full_name, message, state, repos, changes=changes)


async def answered(message: Message, state: FSMContext, repos: Repositories, step: State, **values: Any) -> None:
    data = {**await state.get_data(), **values}
    target = next_step(step, data)
    if target == TicketForm.confirm and data.get("editing"):
        values["editing"] = False
    await go_to(target, message, state, repos, changes=values)


NAME_HINTS = {
    InputProblem.EMPTY: lambda: _("Please type your full name."),
    InputProblem.TOO_SHORT: lambda: _("The name is too short: at least {min} characters.").format(
        min=validators.NAME_MIN
    ),
    InputProblem.TOO_LONG: lambda: _("The name is too long: at most {max} characters.").format(max=validators.NAME_MAX),
    InputProblem.BAD_CHARACTERS: lambda: _(
        "A name may contain only letters, spaces, hyphens and apostrophes, for example: Олена Коваль-Шевчук."
    ),
}


async def got_name(message: Message, state: FSMContext, repos: Repositories) -> None:
    assert message.text is not None
    try:
        name = validators.full_name(message.text)
    except InvalidInput as error:
        await go_to(TicketForm.full_name, message, state, repos, hint=NAME_HINTS[error.problem]())
        return
    await answered(message, state, repos, TicketForm.full_name, full_name=name)


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


async def got_phone(message: Message, state: FSMContext, repos: Repositories) -> None:
    assert message.text is not None
    try:
        phone = validators.phone(message.text)
    except InvalidInput:
        hint = _(
            "This does not look like a phone number. Examples: +380501234567, 0501234567, "
            "or an international number with '+', like +48221234567."
        )
        await go_to(TicketForm.phone, message, state, repos, hint=hint)
        return
    await answered(message, state, repos, TicketForm.phone, phone=phone)


async def got_description(message: Message, state: FSMContext, repos: Repositories) -> None:
    assert message.text is not None
    try:
        text = validators.description(message.text)
    except InvalidInput as error:
        if error.problem is InputProblem.TOO_LONG:
            hint = _("The description is too long: at most {max} characters, yours has {n}.").format(
                max=validators.DESCRIPTION_MAX, n=len(message.text.strip())
            )
        else:
            hint = _("The description is too short: at least {min} characters, please add details.").format(
                min=validators.DESCRIPTION_MIN
            )
        await go_to(TicketForm.description, message, state, repos, hint=hint)
        return
    await answered(message, state, repos, TicketForm.description, description=text)


async def media_finished(message: Message, state: FSMContext, repos: Repositories) -> None:
    skipped: dict[str, Any] = {"media": []} if message.text == labels.MEDIA_SKIP else {}
    await answered(message, state, repos, TicketForm.media, **skipped)


async def got_priority(message: Message, state: FSMContext, repos: Repositories) -> None:
    chosen = next((p for p in Priority if priority_label(p) == message.text), None)
    if chosen is None:
        await go_to(TicketForm.priority, message, state, repos, hint=_("Please choose one of the buttons."))
        return
    await answered(message, state, repos, TicketForm.priority, priority=int(chosen))


async def edit(message: Message, state: FSMContext, repos: Repositories) -> None:
    await go_to(TicketForm.choose_edit, message, state, repos)


EDIT_TARGETS = [
    (labels.EDIT_NAME, TicketForm.full_name),
    (labels.EDIT_PHONE, TicketForm.phone),
    (labels.EDIT_DESCRIPTION, TicketForm.description),
    (labels.EDIT_MEDIA, TicketForm.media),
    (labels.EDIT_PRIORITY, TicketForm.priority),
]


async def choose_edit(message: Message, state: FSMContext, repos: Repositories) -> None:
    target = next((step for label, step in EDIT_TARGETS if label == message.text), None)
    if target is None:
        await go_to(TicketForm.choose_edit, message, state, repos, hint=_("Please choose one of the buttons."))
        return
    await go_to(target, message, state, repos, changes={"editing": True})


async def submit(
    message: Message,
    state: FSMContext,
    user: User,
    role: Role,
    tickets: TicketService,
    notifier: Notifier,
) -> None:
    draft = Draft.from_fsm(await state.get_data())
    ticket = await tickets.create(user, draft)
    await reset(state)
    await message.answer(
        _("✅ Ticket #{number} created. We will let you know when its status changes.").format(number=ticket.number)
        + "\n\n"
        + ticket_card(ticket),
        reply_markup=reply.main_menu(role),
    )
    await notifier.new_ticket(ticket)


async def wrong_input(message: Message, state: FSMContext, repos: Repositories) -> None:
    current = await state.get_state()
    step = next(s for s in TicketForm.__states__ if s.state == current)
    await go_to(step, message, state, repos, hint=describe_wrong_input(message, step))


def create_router() -> Router:
    router = Router(name="ticket_form")
    router.message.register(start_form, StateFilter(None), F.text == labels.NEW_TICKET)
    router.message.register(start_form, StateFilter(None), Command("new"))
    router.message.register(back_from_edit_menu, F.text == labels.BACK, TicketForm.choose_edit)
    router.message.register(back, F.text == labels.BACK, StateFilter(*STEP_ORDER))
    router.message.register(got_name, TicketForm.full_name, F.text, ~F.text.startswith("/"))
    router.message.register(got_contact, TicketForm.phone, F.contact)
    router.message.register(got_phone, TicketForm.phone, F.text, ~F.text.startswith("/"))
    router.message.register(got_description, TicketForm.description, F.text, ~F.text.startswith("/"))
    router.message.register(
        media_finished, TicketForm.media, (F.text == labels.MEDIA_DONE) | (F.text == labels.MEDIA_SKIP)
    )
    router.message.register(got_priority, TicketForm.priority, F.text, ~F.text.startswith("/"))
    router.message.register(edit, TicketForm.confirm, F.text == labels.EDIT)
    router.message.register(choose_edit, TicketForm.choose_edit, F.text)
    router.message.register(submit, TicketForm.confirm, F.text == labels.SUBMIT)
    router.message.register(wrong_input, StateFilter(TicketForm))
    return router
