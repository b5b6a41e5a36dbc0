"""Blocking an employee from filing tickets and calling the server room: what they and staff read."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.telegram_text import fit, shorten
from app.models.validators import REASON_MAX, REASON_MIN

NAME_SHOWN = 64


def blocked_notice(reason: str) -> str:
    """Told once, when it happens; the reason is at most REASON_MAX units, so it fits."""
    return fit(
        lambda room: "\n".join(
            [
                _("🚫 Support has stopped you from filing new tickets and calling the server room."),
                _("<b>Reason:</b> {reason}").format(reason=escape(reason if room is None else shorten(reason, room))),
                _("Your existing tickets still work: you can follow and answer them."),
            ]
        )
    ).text


def unblocked_notice() -> str:
    return _("✅ You can file tickets and call the server room again.")


def blocked_refusal() -> str:
    return _(
        "🚫 You cannot file new tickets or call the server room: support has blocked this for you. "
        "Your existing tickets still work."
    )


def block_usage() -> str:
    return _(
        "To block an employee: /block #N reason (the owner of ticket #N) or /block Telegram-id reason; "
        "the reason ({min}–{max} characters) is shown to them once.\nTo lift it: /unblock #N or /unblock Telegram-id."
    ).format(min=REASON_MIN, max=REASON_MAX)


def blocked_done(name: str, told: bool) -> str:
    text = _("🚫 {name} can no longer file tickets or call the server room.").format(
        name=escape(shorten(name, NAME_SHOWN))
    )
    return text if told else text + "\n" + _("⚠️ They could not be told: they have blocked the bot.")


def unblocked_done(name: str) -> str:
    return _("✅ {name} can file tickets and call the server room again.").format(
        name=escape(shorten(name, NAME_SHOWN))
    )


def unknown_person(user_id: int) -> str:
    return _("Nobody with Telegram id {id} has written to the bot.").format(id=user_id)


def staff_not_blocked() -> str:
    return _("Support staff cannot be blocked.")


def already_blocked(name: str) -> str:
    return _("{name} is blocked already.").format(name=escape(shorten(name, NAME_SHOWN)))


def not_blocked(name: str) -> str:
    return _("{name} is not blocked.").format(name=escape(shorten(name, NAME_SHOWN)))
