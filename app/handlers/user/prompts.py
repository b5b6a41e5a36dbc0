"""The ticket form's step prompts: what each step asks and which keyboard it shows."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from app.db.repositories import Repositories
from app.fsm.states import TicketForm
from app.fsm.transitions import advance
from app.keyboards import labels, reply
from app.models.tickets import Priority
from app.services.tickets.service import Draft
from app.services.validators import DESCRIPTION_MAX, DESCRIPTION_MIN, MEDIA_MAX
from app.texts.tickets import form_summary, priority_label, priority_meaning

STEP_ORDER = [
    TicketForm.full_name,
    TicketForm.phone,
    TicketForm.description,
    TicketForm.media,
    TicketForm.priority,
    TicketForm.confirm,
]


def previous_step(step: State) -> State | None:
    index = STEP_ORDER.index(step)
    return STEP_ORDER[index - 1] if index > 0 else None


def next_step(step: State, data: dict[str, Any]) -> State:
    """After a step is answered: the next one, or straight back to the summary when editing."""
    if data.get("editing"):
        return TicketForm.confirm
    return STEP_ORDER[STEP_ORDER.index(step) + 1]


async def prompt_for(
    step: State, data: dict[str, Any], repos: Repositories, user_id: int
) -> tuple[str, ReplyKeyboardMarkup]:
    if step == TicketForm.full_name:
        options: list[str] = []
        latest = await repos.tickets.latest_of_user(user_id)
        if latest is not None:
            options.append(latest.full_name)
        text = _("<b>Step 1 of 5.</b> Your full name, for example: Ivan Petrenko.")
        if options:
            text += "\n" + _("Tap your name below to use it again.")
        return text, reply.form_step(*options, back=False)
    if step == TicketForm.phone:
        return (
            _(
                "<b>Step 2 of 5.</b> Your phone number: tap «{button}» or type it, "
                "for example +380501234567 or 0501234567."
            ).format(button=labels.SHARE_CONTACT),
            reply.form_step(contact=True),
        )
    if step == TicketForm.description:
        return (
            _(
                "<b>Step 3 of 5.</b> Describe the problem: what happened, where, since when ({min}–{max} characters)."
            ).format(min=DESCRIPTION_MIN, max=DESCRIPTION_MAX),
            reply.form_step(),
        )
    if step == TicketForm.media:
        count = len(data.get("media", []))
        text = _(
            "<b>Step 4 of 5.</b> Attach photos, videos or documents (up to {limit}), "
            "then tap «{done}». Nothing to attach? Tap «{skip}»."
        ).format(limit=MEDIA_MAX, done=labels.MEDIA_DONE, skip=labels.MEDIA_SKIP)
        if count:
            text += "\n" + _("Attached so far: {count}.").format(count=count)
        return text, reply.form_step(str(labels.MEDIA_DONE), str(labels.MEDIA_SKIP))
    if step == TicketForm.priority:
        lines = [_("<b>Step 5 of 5.</b> How urgent is it?")]
        lines += [f"{priority_label(p)} — {priority_meaning(p)}" for p in reversed(Priority)]
        return "\n".join(lines), reply.form_step(*(priority_label(p) for p in reversed(Priority)))
    if step == TicketForm.confirm:
        draft = Draft.from_fsm(data)
        summary = form_summary(draft.full_name, draft.phone, draft.description, len(draft.media), draft.priority)
        text = _("Please check your ticket:") + "\n\n" + summary
        return text, reply.form_step(str(labels.SUBMIT), str(labels.EDIT))
    # TicketForm.choose_edit
    return (
        _("What would you like to change?"),
        reply.form_step(
            str(labels.EDIT_NAME),
            str(labels.EDIT_PHONE),
            str(labels.EDIT_DESCRIPTION),
            str(labels.EDIT_MEDIA),
            str(labels.EDIT_PRIORITY),
        ),
    )


async def go_to(
    step: State,
    message: Message,
    state: FSMContext,
    repos: Repositories,
    hint: str | None = None,
    *,
    changes: dict[str, Any] | None = None,
    fresh: bool = False,
) -> None:
    """Enter `step` and show its prompt, optionally after a line explaining what went wrong.

    `changes` to the form's data are saved in the same write as the step (`fresh`: they
    replace the data)."""
    data = await advance(state, step, fresh=fresh, **(changes or {}))
    assert message.from_user is not None
    text, keyboard = await prompt_for(step, data, repos, message.from_user.id)
    if hint:
        text = f"{hint}\n\n{text}"
    await message.answer(text, reply_markup=keyboard)
