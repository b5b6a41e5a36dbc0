"""What the super-admin reads on the staff screen."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.telegram_text import fit, shorten
from app.models.users import Admin
from app.texts.formatting import when


def admin_line(admin: Admin, room: int | None = None) -> str:
    username = f" (@{escape(admin.username)})" if admin.username else ""
    return _("• {name}{username} — id <code>{id}</code>, added {at} by {by}").format(
        name=escape(admin.label if room is None else shorten(admin.label, room)),
        username=username,
        id=admin.id,
        at=when(admin.added_at),
        by=admin.added_by,
    )


def staff_panel(admins: list[Admin]) -> str:
    """The staff list in one message: long names give way first (see fit)."""

    def render(room: int | None) -> str:
        lines = [_("👥 <b>Support staff</b>")]
        lines += [admin_line(admin, room) for admin in admins] or [_("No admins yet.")]
        return "\n".join(lines)

    return fit(render).text
