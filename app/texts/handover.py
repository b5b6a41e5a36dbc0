"""Handing a ticket to another staff member: the picker, the note step and the notices."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.telegram_text import fit, shorten
from app.models.tickets import Ticket
from app.models.users import Person
from app.texts.formatting import short
from app.texts.tickets import comment_too_long

NAME_SHOWN = 40


def pick_prompt(number: int) -> str:
    return _("🔀 Hand ticket #{number} to (how many tickets each has in progress):").format(number=number)


def candidate_label(person: Person, in_work: int) -> str:
    return _("{name} · {n} in progress").format(name=short(person.name, NAME_SHOWN), n=in_work)


def nobody_else() -> str:
    return _("There is nobody else on the support staff to hand it to.")


def note_prompt(number: int, to: Person) -> str:
    return _("🔀 Handing ticket #{number} to {name}. Write a note for them (optional), or press «⏭ Skip».").format(
        number=number, name=escape(short(to.name, NAME_SHOWN))
    )


def handed(number: int, to: Person) -> str:
    return _("✅ Ticket #{number} is now with {name}.").format(number=number, name=escape(short(to.name, NAME_SHOWN)))


def left_staff(to: Person | None) -> str:
    if to is None:
        return _("This person is not on the support staff.")
    return _("{name} is no longer on the support staff.").format(name=escape(short(to.name, NAME_SHOWN)))


def handed_to_you(ticket: Ticket, by: Person, note: str | None) -> str:
    def render(room: int | None) -> str:
        lines = [
            _("🔀 {by} handed ticket #{number} to you.").format(
                by=escape(short(by.name, NAME_SHOWN)), number=ticket.number
            )
        ]
        if note:
            lines.append(_("<b>Note:</b> {note}").format(note=escape(note if room is None else shorten(note, room))))
        return "\n".join(lines)

    return fit(render).text


def handed_away(ticket: Ticket, to: Person, by: Person) -> str:
    return _("🔀 Ticket #{number} was handed to {name} by {by}.").format(
        number=ticket.number, name=escape(short(to.name, NAME_SHOWN)), by=escape(short(by.name, NAME_SHOWN))
    )


def cancelled() -> str:
    return _("Cancelled: the ticket stays where it was.")


def note_too_long(text: str) -> str:
    return comment_too_long(text)
