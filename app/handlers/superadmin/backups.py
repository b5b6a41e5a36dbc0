"""Backups for the super-admin: /backup, /backup_list (the «💾 Backups» screen), /backup_settings."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from pymongo.errors import PyMongoError

from app.keyboards import backups as keyboards
from app.keyboards.callback_data import BackupAction, BackupCallback
from app.models.backups import BackupBusy, BackupKind
from app.models.paging import clamp_page, page_count
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.superadmin_messages import send_backup_file
from app.texts import backups as rt
from app.texts import labels
from app.utils.messages import show
from config import Settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 5


async def list_view(backups: BackupService, page: int) -> tuple[str, InlineKeyboardMarkup]:
    entries = await backups.list_backups()
    pages = page_count(len(entries), PAGE_SIZE)
    page = clamp_page(page, len(entries), PAGE_SIZE)
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    described = await backups.describe(shown)
    lines = [_("📂 <b>Backups</b>")]
    if not entries:
        lines.append(_("No backups yet. Tap «{button}» or send /backup.").format(button=_("💾 Back up now")))
    else:
        lines.append(
            _("Page {page} of {pages} · {total} in total, newest first").format(
                page=page + 1, pages=pages, total=len(entries)
            )
        )
    for number, (entry, metadata) in enumerate(zip(shown, described, strict=True), start=page * PAGE_SIZE + 1):
        title = f"\n{number}. <code>{escape(entry.name)}</code>"
        if entry.safety:
            title += " " + _("🛟 safety copy before a restore")
        lines.append(title)
        lines += ["   " + line for line in rt.entry_details(entry.size, entry.created_at, metadata)]
    # Every part is bounded (names by their pattern, metadata by texts/backups.py), so a page
    # of PAGE_SIZE entries always fits one message: nothing is cut after escaping.
    text = "\n".join(lines)
    return text, keyboards.backup_list(shown, page * PAGE_SIZE + 1, page, pages)


async def show_list(message: Message, backups: BackupService) -> None:
    text, markup = await list_view(backups, 0)
    await message.answer(text, reply_markup=markup)


async def turn_page(query: CallbackQuery, callback_data: BackupCallback, backups: BackupService) -> None:
    text, markup = await list_view(backups, callback_data.page)
    await show(query, text, markup)


async def create_backup(bot: Bot, chat_id: int, by: int, backups: BackupService, settings: Settings) -> None:
    progress = await bot.send_message(chat_id, _("⏳ Creating a backup…"))
    try:
        result = await backups.create(BackupKind.MANUAL, by=by)
    except BackupBusy:
        await progress.edit_text(rt.busy())
        return
    except (PyMongoError, OSError) as error:
        logger.exception("Manual backup failed")
        await progress.edit_text(_("❌ The backup failed: {error}").format(error=escape(str(error)[:300])))
        return
    await progress.edit_text(_("✅ <b>Backup created</b>") + "\n" + rt.backup_summary(result))
    await send_backup_file(bot, chat_id, result, _("💾 <b>Backup</b>"), settings.backup_max_upload_mb)


async def backup_command(message: Message, bot: Bot, backups: BackupService, settings: Settings) -> None:
    assert message.from_user is not None
    await create_backup(bot, message.chat.id, message.from_user.id, backups, settings)


async def backup_button(query: CallbackQuery, bot: Bot, backups: BackupService, settings: Settings) -> None:
    await create_backup(bot, query.from_user.id, query.from_user.id, backups, settings)


async def settings_text(backups: BackupService, schedule: BackupSchedule, settings: Settings) -> str:
    state = await backups.last_backup()
    return "\n".join(
        [
            _("⚙️ <b>Automatic backup settings</b>"),
            "",
            _("Enabled: {value}").format(value="✅" if settings.backup_enabled else "❌"),
            _("Interval: {days} days").format(days=settings.backup_interval_days),
            _("Directory: <code>{path}</code>").format(path=escape(str(settings.backup_dir.resolve()))),
            _("Keep: {count} backups (safety copies made before a restore are kept apart, also up to {count})").format(
                count=settings.backup_keep_count
            ),
            _("Largest file sent to Telegram: {mb} MB").format(mb=settings.backup_max_upload_mb),
            "",
            *rt.schedule_lines(state, schedule.next_run_at),
            "",
            _(
                "💡 To change these settings, edit BACKUP_ENABLED, BACKUP_INTERVAL_DAYS, BACKUP_DIR, "
                "BACKUP_KEEP_COUNT or BACKUP_MAX_UPLOAD_MB in the .env file and restart the bot."
            ),
        ]
    )


async def settings_command(
    message: Message, backups: BackupService, backup_schedule: BackupSchedule, settings: Settings
) -> None:
    await message.answer(await settings_text(backups, backup_schedule, settings))


async def settings_button(
    query: CallbackQuery, bot: Bot, backups: BackupService, backup_schedule: BackupSchedule, settings: Settings
) -> None:
    await bot.send_message(query.from_user.id, await settings_text(backups, backup_schedule, settings))


def create_router() -> Router:
    router = Router(name="superadmin_backups")
    router.message.register(backup_command, StateFilter(None), Command("backup"))
    router.message.register(show_list, StateFilter(None), Command("backup_list"))
    router.message.register(show_list, StateFilter(None), F.text == labels.BACKUPS)
    router.message.register(settings_command, StateFilter(None), Command("backup_settings"))
    router.callback_query.register(turn_page, BackupCallback.filter(F.action == BackupAction.PAGE))
    # A backup can take longer than Telegram waits for a button's answer: answer first.
    router.callback_query.register(
        backup_button, BackupCallback.filter(F.action == BackupAction.CREATE), flags={"callback_answer": {"pre": True}}
    )
    router.callback_query.register(settings_button, BackupCallback.filter(F.action == BackupAction.SETTINGS))
    return router
