"""The new-ticket form as a table of steps: order, prompt, keyboard, how a typed answer is read.

The handlers (app/handlers/user/ticket_form.py) take answers by content type and ask this
table what to do with them; the step number shown ("Step 2 of 6") is the step's place here,
so adding a step is one entry (plus its prompt in app/texts/form.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from babel.support import LazyProxy

from app.db.repositories import Repositories
from app.fsm.states import TicketForm
from app.fsm.transitions import advance
from app.keyboards import reply
from app.models import validators
from app.models.categories import Category
from app.models.tickets import Draft, Priority
from app.models.validators import InputProblem, InvalidInput
from app.texts import form, labels
from app.texts.tickets import priority_label

Prompt = Callable[[dict[str, Any], Repositories, int], Awaitable[tuple[str, ReplyKeyboardMarkup]]]
Reader = Callable[[str, Repositories], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    field: str  # where the answer is kept in the form's data
    prompt: Prompt
    edit_label: LazyProxy  # its button in the Edit menu
    wrong_input: Callable[[Message], str]  # what to say to something the step cannot use
    # Reads a typed answer into the value stored (raises InvalidInput); None: not typed.
    read: Reader | None = None
    hint: Callable[[InputProblem, str], str] | None = None  # after InvalidInput
    # What to say about an accepted answer, above the next prompt (None: nothing).
    echo: Callable[[Any, Repositories], Awaitable[str | None]] | None = None


def typed(read: Callable[[str], Any]) -> Reader:
    """A reader that needs nothing but the text (the validators)."""

    async def reader(text: str, _repos: Repositories) -> Any:
        return read(text)

    return reader


async def chosen_category(data: dict[str, Any], repos: Repositories) -> Category | None:
    return (await repos.categories.catalogue()).get(data.get("category"))


async def _category(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    language = get_i18n().current_locale
    names = [category.name(language) for category in (await repos.categories.catalogue()).visible]
    return form.category_prompt(), reply.form_step(*names, back=False, columns=2)


async def read_category(text: str, repos: Repositories) -> int:
    category = (await repos.categories.catalogue()).chosen(text)
    if category is None:  # typed, or a category hidden since the keyboard was sent
        raise InvalidInput(InputProblem.BAD_CHARACTERS)
    return category.id


async def category_echo(category_id: Any, repos: Repositories) -> str | None:
    category = (await repos.categories.catalogue()).get(category_id)
    return form.category_chosen(category) if category is not None else None


PREVIOUS = "previous"  # the form data's copy of the latest ticket's name and phone


async def previous_answers(repos: Repositories, user_id: int) -> dict[str, str]:
    """The name and phone of the user's latest ticket, offered as one-tap answers; kept in the
    form's data when it starts (`PREVIOUS`), so the steps need no query of their own."""
    latest = await repos.tickets.latest_of_user(user_id)
    return {"full_name": latest.full_name, "phone": latest.phone} if latest is not None else {}


async def _previous(data: dict[str, Any], repos: Repositories, user_id: int, field: str) -> list[str]:
    kept = data.get(PREVIOUS)
    previous = kept if isinstance(kept, dict) else await previous_answers(repos, user_id)
    value = previous.get(field)
    return [value] if isinstance(value, str) and value else []


async def _name(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    options = await _previous(data, repos, user_id, "full_name")
    return form.name_prompt(bool(options)), reply.form_step(*options)


async def _phone(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    options = await _previous(data, repos, user_id, "phone")
    return form.phone_prompt(bool(options)), reply.form_step(*options, contact=True)


async def _description(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    return form.description_prompt(await chosen_category(data, repos)), reply.form_step()


async def _media(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    count = len(data.get("media", []))
    # With attachments there is nothing to skip: Done keeps them, removing them is a button of its own.
    extra = labels.MEDIA_REMOVE if count else labels.MEDIA_SKIP
    return form.media_prompt(count), reply.form_step(str(labels.MEDIA_DONE), str(extra))


async def _priority(data: dict[str, Any], repos: Repositories, user_id: int) -> tuple[str, ReplyKeyboardMarkup]:
    """The category's usual priority, if it has one, is the first button and the prompt says so."""
    category = await chosen_category(data, repos)
    usual = category.priority if category is not None else None
    order = sorted(Priority, key=lambda p: (p != usual, -p))
    return form.priority_prompt(category, usual), reply.form_step(*(priority_label(p) for p in order))


def read_priority(text: str) -> int:
    chosen = next((p for p in Priority if priority_label(p) == text), None)
    if chosen is None:
        raise InvalidInput(InputProblem.BAD_CHARACTERS)
    return int(chosen)


STEPS: tuple[Step, ...] = (
    Step(
        TicketForm.category,
        "category",
        _category,
        labels.EDIT_CATEGORY,
        form.wrong_for_text,
        read_category,
        form.button_hint,
        category_echo,
    ),
    Step(
        TicketForm.full_name,
        "full_name",
        _name,
        labels.EDIT_NAME,
        form.wrong_for_text,
        typed(validators.full_name),
        form.name_hint,
    ),
    Step(
        TicketForm.phone,
        "phone",
        _phone,
        labels.EDIT_PHONE,
        form.wrong_for_phone,
        typed(validators.phone),
        form.phone_hint,
    ),
    Step(
        TicketForm.description,
        "description",
        _description,
        labels.EDIT_DESCRIPTION,
        form.wrong_for_text,
        typed(validators.description),
        form.description_hint,
    ),
    Step(TicketForm.media, "media", _media, labels.EDIT_MEDIA, form.wrong_for_media),
    Step(
        TicketForm.priority,
        "priority",
        _priority,
        labels.EDIT_PRIORITY,
        form.wrong_for_text,
        typed(read_priority),
        form.button_hint,
    ),
)
BY_STATE = {step.state.state: step for step in STEPS}
ANSWER_STATES = [step.state for step in STEPS]


def step_of(state_name: str | None) -> Step | None:
    return BY_STATE.get(state_name or "")


def previous_state(state: State) -> State | None:
    """Back from a step (or from the summary); None from the first step."""
    if state == TicketForm.confirm:
        return ANSWER_STATES[-1]
    index = ANSWER_STATES.index(state)
    return ANSWER_STATES[index - 1] if index > 0 else None


def next_state(state: State, data: dict[str, Any]) -> State:
    """After a step is answered: the next one, or straight back to the summary when editing."""
    if data.get("editing"):
        return TicketForm.confirm
    index = ANSWER_STATES.index(state) + 1
    if index < len(ANSWER_STATES) and ANSWER_STATES[index] == TicketForm.description and data.get("prefilled"):
        index += 1  # started from a message the employee wrote: it is the description already
    return ANSWER_STATES[index] if index < len(ANSWER_STATES) else TicketForm.confirm


async def prompt_for(
    state: State, data: dict[str, Any], repos: Repositories, user_id: int, hint: str | None = None
) -> tuple[str, ReplyKeyboardMarkup]:
    """A step's prompt, after `hint` (what was wrong with the last answer) when there is one."""
    step = step_of(state.state)
    if state == TicketForm.confirm:
        # The summary repeats what the user typed: it makes room for the hint itself.
        summary = form.summary_prompt(Draft.from_fsm(data), await chosen_category(data, repos), hint)
        return summary, reply.form_step(str(labels.SUBMIT), str(labels.EDIT))
    if step is not None:
        text, keyboard = await step.prompt(data, repos, user_id)
        text = f"{form.step_header(STEPS.index(step) + 1, len(STEPS))} {text}"
    else:  # choose_edit
        text, keyboard = form.edit_prompt(), reply.form_step(*(str(step.edit_label) for step in STEPS))
    return (f"{hint}\n\n{text}" if hint else text), keyboard


def wrong_input_hint(state_name: str | None, message: Message) -> str:
    step = step_of(state_name)
    return step.wrong_input(message) if step is not None else form.wrong_for_text(message)


async def go_to(
    state: State,
    message: Message,
    fsm: FSMContext,
    repos: Repositories,
    hint: str | None = None,
    *,
    changes: dict[str, Any] | None = None,
    fresh: bool = False,
) -> None:
    """Enter `state` and show its prompt, optionally after a line explaining what went wrong.

    `changes` to the form's data are saved in the same write as the step (`fresh`: they
    replace the data)."""
    data = await advance(fsm, state, fresh=fresh, **(changes or {}))
    assert message.from_user is not None
    text, keyboard = await prompt_for(state, data, repos, message.from_user.id, hint)
    await message.answer(text, reply_markup=keyboard)
