"""/help: what everyone can do, and what the staff's and the super-admin's buttons are for."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from app.models.users import Role
from app.texts import labels


def help_text(role: Role) -> str:
    parts = [
        _(
            "<b>How to get help</b>\n"
            "1. Tap «{new}» and answer the questions: what it is about, name, phone, what happened, "
            "photos or files, urgency.\n"
            "2. You get a ticket number; I will tell you when support takes it, closes it or rejects it.\n"
            "3. «{mine}» shows your open tickets and the history.\n"
            "4. «{call}» alerts the admins at once — for emergencies only.\n\n"
            "Commands: /new, /my, /call, /language, /menu, /cancel."
        ).format(new=labels.NEW_TICKET, mine=labels.MY_TICKETS, call=labels.SERVER_ROOM),
        _("🔎 /find — find your tickets by number or by words from them."),
    ]
    if role.is_staff:
        search = _(
            "«{search}» (/find) — any ticket by number, phone, @username, Telegram ID or words of the name "
            "or description; newest first."
        ).format(search=labels.SEARCH)
        parts.append(
            _(
                "<b>For support staff</b>\n"
                "• «{queue}» (/queue) — new tickets, critical first; filters for yours, everyone's work "
                "and the last 30 days' closed and rejected ones, and by category.\n"
                "• Open a ticket, «Take into work», then «Close» (a comment is optional) or «Reject» "
                "(a reason is required); the owner is told each time.\n"
                "• «💬 Reply» writes to the employee (so does Telegram's reply to their message), «📝 Note» keeps "
                "a note only staff see, «💬 Conversation» shows everything said and done.\n"
                "• «{mine}» — the tickets you have taken.\n"
                "• «{broadcast}» — an announcement to every user, sent after a preview.\n"
                "• /block #N reason — the owner of ticket #N can no longer file tickets or call the server room; "
                "/unblock #N lifts it.\n"
                "• «{refresh}» (/menu) — your keyboard and command menu again."
            ).format(
                queue=labels.QUEUE, mine=labels.IN_MY_WORK, broadcast=labels.BROADCAST, refresh=labels.REFRESH_PANEL
            )
            + "\n• "
            + search
        )
    if role.is_staff:
        parts.append(
            _(
                "<b>Reports</b>\n"
                "• /stats — tickets opened, closed, rejected and opened again, response and resolution times, "
                "CSAT, by category, priority and staff member, with a chart: today, 7 or 30 days or your dates.\n"
                "• /export 30 — the last 30 days' tickets as a CSV file for Excel."
            )
        )
    if role is Role.SUPERADMIN:
        parts.append(
            _(
                "<b>For the super-admin</b>\n"
                "• «{staff}» (/staff) — add and remove admins.\n"
                "• «{categories}» (/categories) — the ticket categories: add, rename, reorder, hide, "
                "a default priority and a hint for each.\n"
                "• «{backups}» (/backup, /backup_list, /backup_settings) — create, list and restore backups; "
                "or send a backup .zip to restore from it.\n"
                "• «{health}» (/health) — the database, uptime, backups and logs."
            ).format(staff=labels.STAFF, categories=labels.CATEGORIES, backups=labels.BACKUPS, health=labels.HEALTH)
        )
    return "\n\n".join(parts)
