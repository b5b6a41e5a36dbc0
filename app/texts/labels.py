"""Reply-keyboard button labels. Handlers match on them, so each lives in exactly one place."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

NEW_TICKET = __("📝 New ticket")
MY_TICKETS = __("📋 My tickets")
SERVER_ROOM = __("🚨 Call to the server room")
LANGUAGE = __("🌐 Language")
HELP = __("❓ Help")
REFRESH_PANEL = __("🔄 Refresh panel")

QUEUE = __("📥 Queue")
IN_MY_WORK = __("🛠 In my work")
SEARCH = __("🔎 Search")
BROADCAST = __("📨 Broadcast")
STAFF = __("👥 Staff")
BACKUPS = __("💾 Backups")
HEALTH = __("🩺 Health")
CATEGORIES = __("🗂 Categories")

BACK = __("⬅️ Back")
CANCEL = __("❌ Cancel")
SHARE_CONTACT = __("📱 Share my contact")
MEDIA_DONE = __("✅ Done")
MEDIA_SKIP = __("⏭ Skip")  # go on; never drops what was attached
MEDIA_REMOVE = __("🗑 Remove attachments")
SKIP_COMMENT = __("⏭ Skip")  # the close comment; the same words as MEDIA_SKIP, another step
SUBMIT = __("✅ Submit")
EDIT = __("✏️ Edit")

NO_HINT = __("🗑 No hint")  # the category hint step: remove it

EDIT_CATEGORY = __("Category")
EDIT_NAME = __("Full name")
EDIT_PHONE = __("Phone")
EDIT_DESCRIPTION = __("Description")
EDIT_MEDIA = __("Attachments")
EDIT_PRIORITY = __("Priority")
