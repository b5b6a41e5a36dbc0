"""What the ticket form says at each step: the prompts and the hints after a wrong answer.

The step number ("Step 2 of 5") is added by the step table (app/fsm/ticket_form.py), so adding
a step changes no prompt here.
"""

from __future__ import annotations

from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from app.models import validators
from app.models.categories import Category
from app.models.telegram_text import fit
from app.models.tickets import Draft, Priority
from app.models.validators import InputProblem
from app.texts import labels
from app.texts.formatting import counted_length
from app.texts.tickets import category_label, content_name, form_summary, priority_label, priority_meaning


def step_header(number: int, total: int) -> str:
    return _("<b>Step {number} of {total}.</b>").format(number=number, total=total)


def category_prompt() -> str:
    return _("What is it about? Choose a category.")


def _hint_line(category: Category | None) -> str | None:
    hint = category.hint(get_i18n().current_locale) if category is not None else None
    return f"💡 {escape(hint)}" if hint else None


def category_chosen(category: Category) -> str | None:
    """Above the next step, once the employee picked a category that has a hint."""
    hint = _hint_line(category)
    return f"<b>{category_label(category)}</b>\n{hint}" if hint else None


def name_prompt(offered: bool) -> str:
    text = _("Your full name, for example: Ivan Petrenko.")
    if offered:
        text += "\n" + _("Tap your name below to use it again.")
    return text


def phone_prompt(offered: bool) -> str:
    text = _("Your phone number: tap «{button}» or type it, for example +380501234567 or 0501234567.").format(
        button=labels.SHARE_CONTACT
    )
    if offered:
        text += "\n" + _("Tap your number below to use it again.")
    return text


def description_prompt(category: Category | None = None) -> str:
    text = _("Describe the problem: what happened, where, since when ({min}–{max} characters).").format(
        min=validators.DESCRIPTION_MIN, max=validators.DESCRIPTION_MAX
    )
    hint = _hint_line(category)  # the category's advice again, where it matters most
    return f"{text}\n{hint}" if hint else text


def media_prompt(count: int) -> str:
    if not count:
        return _(
            "Attach photos, videos or documents (up to {limit}), then tap «{done}». Nothing to attach? Tap «{skip}»."
        ).format(limit=validators.MEDIA_MAX, done=labels.MEDIA_DONE, skip=labels.MEDIA_SKIP)
    return _(
        "Attached so far: {count} of {limit}. Send more, or tap «{done}» to keep them. "
        "To start again without them, tap «{remove}»."
    ).format(count=count, limit=validators.MEDIA_MAX, done=labels.MEDIA_DONE, remove=labels.MEDIA_REMOVE)


def media_removed() -> str:
    return _("🗑 Attachments removed.")


def priority_prompt(category: Category | None = None, usual: Priority | None = None) -> str:
    """`usual`: the category's default priority, which the keyboard offers first."""
    lines = [_("How urgent is it?")]
    lines += [f"{priority_label(p)} — {priority_meaning(p)}" for p in reversed(Priority)]
    if category is not None and usual is not None:
        lines += [
            "",
            _("For «{category}» it is usually {priority}: it is the first button below.").format(
                category=category_label(category), priority=priority_label(usual)
            ),
        ]
    return "\n".join(lines)


def summary_prompt(draft: Draft, category: Category | None = None, hint: str | None = None) -> str:
    """The summary before Submit (after `hint`, if the last answer needs one); a description too
    long for one message next to the rest is shortened here — the user has just typed it."""

    def render(room: int | None) -> str:
        text = _("Please check your ticket:") + "\n\n" + form_summary(draft, category, room)
        return f"{hint}\n\n{text}" if hint else text

    return fit(render).text


def edit_prompt() -> str:
    return _("What would you like to change?")


def choose_a_button() -> str:
    return _("Please choose one of the buttons.")


def name_hint(problem: InputProblem, _text: str) -> str:
    if problem is InputProblem.EMPTY:
        return _("Please type your full name.")
    if problem is InputProblem.TOO_SHORT:
        return _("The name is too short: at least {min} characters.").format(min=validators.NAME_MIN)
    if problem is InputProblem.TOO_LONG:
        return _("The name is too long: at most {max} characters.").format(max=validators.NAME_MAX)
    return _(
        "A name may contain letters of any alphabet, spaces, hyphens, apostrophes and dots after initials, "
        "but no digits or other symbols. For example: Олена Коваль-Шевчук, Петренко І. В., Zoë Müller."
    )


def phone_hint(_problem: InputProblem, _text: str) -> str:
    return _(
        "This does not look like a phone number. Examples: +380501234567, 0501234567, "
        "or an international number with '+', like +48221234567."
    )


def description_hint(problem: InputProblem, text: str) -> str:
    if problem is InputProblem.TOO_LONG:
        return _("The description is too long: at most {max} characters, yours has {n}.").format(
            max=validators.DESCRIPTION_MAX, n=counted_length(text.strip())
        )
    return _("The description is too short: at least {min} characters, please add details.").format(
        min=validators.DESCRIPTION_MIN
    )


def button_hint(_problem: InputProblem, _text: str) -> str:
    """Steps answered with a button (category, priority)."""
    return choose_a_button()


def _command_hint() -> str:
    return _("Only /cancel works while you fill in a ticket. Answer this step, or tap «{cancel}».").format(
        cancel=labels.CANCEL
    )


def wrong_for_media(message: Message) -> str:
    if message.text and message.text.startswith("/"):
        return _command_hint()
    return _("I cannot attach {kind}. Send a photo, a video or a document.").format(kind=content_name(message))


def wrong_for_phone(message: Message) -> str:
    if message.text and message.text.startswith("/"):
        return _command_hint()
    return _("I cannot use {kind} here. Share your contact with the button or type your number.").format(
        kind=content_name(message)
    )


def wrong_for_text(message: Message) -> str:
    """Steps answered with text (or a button)."""
    if message.text and message.text.startswith("/"):
        return _command_hint()
    if message.text is not None:
        return _("Please use the buttons below.")
    return _("I cannot use {kind} here. Please answer with text.").format(kind=content_name(message))
