"""What the super-admin reads on the service catalogue screen and while typing a category's texts.

Names and hints are the super-admin's own text: escaped, and bounded (NAME_MAX, HINT_MAX,
MAX_CATEGORIES) so the whole list fits one message.
"""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.categories import (
    HINT_MAX,
    MAX_CATEGORIES,
    NAME_MAX,
    NAME_MIN,
    Catalogue,
    Category,
    CategoryOutcome,
    Language,
)
from app.models.validators import InputProblem
from app.texts import labels
from app.texts.tickets import category_button, category_label, priority_label

FLAGS = {Language.UK: "🇺🇦", Language.EN: "🇬🇧"}


def language_name(language: Language) -> str:
    return {Language.UK: _("in Ukrainian"), Language.EN: _("in English")}[language]


def _names(category: Category) -> str:
    return " · ".join(f"{FLAGS[lang]} {escape(category.names.get(lang.value) or '—')}" for lang in Language)


def list_line(category: Category, place: int) -> str:
    marks = ""
    if category.priority is not None:
        marks += f" · {priority_label(category.priority)}"
    if category.hints:
        marks += " · 💡"
    if category.hidden:
        marks += " · " + _("🙈 hidden")
    return f"{place}. {_names(category)}{marks}"


def catalogue_panel(catalogue: Catalogue) -> str:
    lines = [
        _("🗂 <b>Categories</b>"),
        _("The form offers them in this order; hidden ones are not offered, their tickets keep them."),
        "",
    ]
    lines += [list_line(category, place) for place, category in enumerate(catalogue.categories, start=1)]
    if len(catalogue.categories) >= MAX_CATEGORIES:
        lines += ["", _("That is the most there can be ({max}).").format(max=MAX_CATEGORIES)]
    return "\n".join(lines)


def list_button(category: Category, place: int) -> str:
    hidden = " 🙈" if category.hidden else ""
    return f"{place}. {category_button(category)}{hidden}"


def category_panel(category: Category, place: int, total: int) -> str:
    lines = [
        _("🗂 <b>Category {place} of {total}</b>").format(place=place, total=total),
        *(
            _("<b>Name {language}:</b> {name}").format(
                language=FLAGS[lang], name=escape(category.names.get(lang.value) or "—")
            )
            for lang in Language
        ),
        _("<b>Default priority:</b> {priority}").format(
            priority=priority_label(category.priority) if category.priority is not None else _("none")
        ),
        *(
            _("<b>Hint {language}:</b> {hint}").format(
                language=FLAGS[lang], hint=escape(category.hints.get(lang.value) or "—")
            )
            for lang in Language
        ),
        _("🙈 Hidden: not offered in the form.") if category.hidden else _("👁 Offered in the form."),
    ]
    return "\n".join(lines)


def priority_choice(category: Category) -> str:
    return _(
        "Default priority for «{category}»: the form offers it first (the employee can still choose another)."
    ).format(category=category_label(category))


def name_prompt(language: Language, category: Category | None) -> str:
    """Asking for a name: of the new category (`category` None) or a new one for `category`."""
    if category is None:
        text = _("New category: its name {language}.").format(language=language_name(language))
    else:
        text = _("New name {language} for «{category}» (now: {name}).").format(
            language=language_name(language),
            category=category_label(category),
            name=escape(category.names.get(language.value) or "—"),
        )
    return (
        text
        + "\n"
        + _("{min}–{max} characters, one line. «{cancel}» to stop.").format(
            min=NAME_MIN, max=NAME_MAX, cancel=labels.CANCEL
        )
    )


def hint_prompt(language: Language, category: Category) -> str:
    return _(
        "A hint {language} for «{category}»: one line the employee sees on choosing it, up to {max} characters. "
        "«{clear}» removes it, «{cancel}» stops."
    ).format(
        language=language_name(language),
        category=category_label(category),
        max=HINT_MAX,
        clear=labels.NO_HINT,
        cancel=labels.CANCEL,
    )


def name_problem(problem: InputProblem) -> str:
    if problem is InputProblem.TOO_LONG:
        return _("Too long: at most {max} characters.").format(max=NAME_MAX)
    if problem is InputProblem.BAD_CHARACTERS:
        return _("A name cannot start with «/».")
    return _("Too short: at least {min} characters.").format(min=NAME_MIN)


def hint_problem(problem: InputProblem) -> str:
    if problem is InputProblem.TOO_LONG:
        return _("Too long: at most {max} characters.").format(max=HINT_MAX)
    return _("Please write the hint as text, or tap «{clear}».").format(clear=labels.NO_HINT)


def text_expected() -> str:
    return _("Please send the text, or tap «{cancel}».").format(cancel=labels.CANCEL)


def refusal(outcome: CategoryOutcome) -> str:
    """Why a change did not happen (a button's alert or a reply: 200 characters at most)."""
    return {
        CategoryOutcome.NOT_FOUND: _("This category no longer exists."),
        CategoryOutcome.NAME_TAKEN: _("Another category already has this name. Choose another one."),
        CategoryOutcome.TOO_MANY: _("There can be at most {max} categories. Hide one you no longer need.").format(
            max=MAX_CATEGORIES
        ),
        CategoryOutcome.LAST_VISIBLE: _("The form needs at least one category: show another one first."),
        CategoryOutcome.AT_EDGE: _("It is already at the end of the list."),
        CategoryOutcome.DONE: "",
    }[outcome]


def added(category: Category) -> str:
    return _("✅ Category «{category}» added, last in the list.").format(category=category_label(category))


def saved() -> str:
    return _("✅ Saved.")


def cancelled() -> str:
    return _("Cancelled. Nothing was changed.")
