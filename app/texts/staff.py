"""What the super-admin reads on the staff screen."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.paging import Page
from app.models.users import Admin
from app.texts.formatting import short, when

# Names are cut before escaping (never after: that could split an entity), so a page of
# admins always fits one message.
NAME_SHOWN = 40


def admin_line(admin: Admin, names: Mapping[int, str], in_work: int = 0) -> str:
    username = f" (@{escape(short(admin.username, NAME_SHOWN))})" if admin.username else ""
    by = names.get(admin.added_by) if admin.added_by is not None else None
    line = _("• {name}{username} — id <code>{id}</code>, added {at} by {by}").format(
        name=escape(short(admin.label, NAME_SHOWN)),
        username=username,
        id=admin.id,
        at=when(admin.added_at),
        by=escape(short(by, NAME_SHOWN)) if by else (admin.added_by or "?"),
    )
    return line + " · " + _("in progress: {n}").format(n=in_work)


def staff_panel(admins: Page[Admin], names: Mapping[int, str], loads: Mapping[int, int] | None = None) -> str:
    """`names`: display names of whoever added the admins on this page; `loads`: their tickets in work."""
    lines = [_("👥 <b>Support staff</b>")]
    if admins.total == 0:
        lines.append(_("No admins yet."))
    elif admins.pages > 1:
        lines.append(
            _("Page {page} of {pages} · admins: {total}").format(
                page=admins.number + 1, pages=admins.pages, total=admins.total
            )
        )
    lines += [admin_line(admin, names, (loads or {}).get(admin.id, 0)) for admin in admins.items]
    return "\n".join(lines)
