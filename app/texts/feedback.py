"""What the employee is asked and told after their ticket is closed (solved? rating, comment,
reopening), what staff are told of it, and the rating's line on both cards.

Call inside an i18n context (handlers have one; notifications open one per recipient)."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.telegram_text import fit, shorten
from app.models.tickets import RATING_MAX, ChangeNote, Outcome, Ticket
from app.texts.formatting import short


def solved_question() -> str:
    return _("Did this solve your problem?")


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (RATING_MAX - rating)


def rating_words(rating: int) -> str:
    return f"{stars(rating)} {rating}/{RATING_MAX}"


def rate_prompt(number: int) -> str:
    return _("👍 Glad it is solved! Please rate the help with ticket #{number}: 1 — poor, 5 — excellent.").format(
        number=number
    )


def rated(rating: int) -> str:
    return _("Your rating: {rating}").format(rating=rating_words(rating))


def comment_prompt() -> str:
    return _("Thank you! Anything to add? Write a comment in one message, or press «⏭ Skip».")


def comment_hint() -> str:
    return _("Please write your comment as text, or press «⏭ Skip».")


def thanks() -> str:
    return _("🙏 Thank you for your feedback!")


def reopened_owner(ticket: Ticket) -> str:
    if ticket.assignee is not None:
        text = _("🔁 Ticket #{number} is open again; {name} has been told. Tell us what is still wrong:")
    else:
        text = _("🔁 Ticket #{number} is open again and back in the support queue. Tell us what is still wrong:")
    return text.format(number=ticket.number, name=escape(shorten(ticket.assignee.name, 64) if ticket.assignee else ""))


def reopened_staff(ticket: Ticket, note: ChangeNote) -> str:
    if note is ChangeNote.NOT_SOLVED:
        text = _("🔁 Ticket #{number} «{description}» was reopened: the employee says the problem is not solved.")
    else:
        text = _("🔁 Ticket #{number} «{description}» was reopened: the employee wrote to it again.")
    return text.format(number=ticket.number, description=escape(short(ticket.description, 60)))


def low_rating_alert(ticket: Ticket) -> str:
    """To the assignee and the super-admin: a rating of LOW_RATING or less, with the comment if any."""
    feedback = ticket.feedback
    assert feedback is not None and feedback.rating is not None

    def render(room: int | None) -> str:
        def cut(value: str) -> str:
            return escape(value if room is None else shorten(value, room))

        lines = [
            _("⚠️ <b>Low rating for ticket #{number}</b>: {rating}").format(
                number=ticket.number, rating=rating_words(feedback.rating or 0)
            ),
            _("<b>From:</b> {name}").format(name=cut(ticket.full_name)),
            _("<b>Description:</b> {text}").format(text=cut(short(ticket.description, 120))),
        ]
        if ticket.assignee is not None:
            lines.append(_("<b>Assignee:</b> {name}").format(name=cut(ticket.assignee.name)))
        if feedback.comment:
            lines.append(_("<b>Comment:</b> {comment}").format(comment=cut(feedback.comment)))
        return "\n".join(lines)

    return fit(render).text


def feedback_line(ticket: Ticket, room: int | None) -> str | None:
    """The card's line: the rating and its comment, or that the employee said it was solved."""
    feedback = ticket.feedback
    if feedback is None or not feedback.solved:
        return None
    if feedback.rating is None:
        return _("<b>Feedback:</b> 👍 solved, not rated")
    line = _("<b>Rating:</b> {rating}").format(rating=rating_words(feedback.rating))
    if feedback.comment:
        comment = feedback.comment if room is None else shorten(feedback.comment, room)
        line += f" — «{escape(comment)}»"
    return line


def feedback_refusal(outcome: Outcome, ticket: Ticket | None, days: int) -> str:
    """Why the employee's tap did nothing (a button's alert: 200 characters at most)."""
    if outcome is Outcome.NOT_FOUND or ticket is None:
        return _("Ticket not found.")
    if outcome is Outcome.TOO_LATE:
        return _("Ticket #{number} was finished more than {days} days ago; please create a new ticket.").format(
            number=ticket.number, days=days
        )
    if ticket.status.is_active:
        return _("Ticket #{number} is open.").format(number=ticket.number)
    if outcome is Outcome.ANSWERED:
        return _("You have already answered about ticket #{number}.").format(number=ticket.number)
    return _("This button is no longer active.")
