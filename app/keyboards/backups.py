"""Inline keyboards of the backups screen and the restore confirmation."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import BackupAction, BackupCallback
from app.keyboards.pagination import page_arrows
from app.models.backups import BackupFile


def backup_list(entries: list[BackupFile], first_number: int, page: int, pages: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for number, entry in enumerate(entries, start=first_number):
        builder.button(
            text=_("♻️ Restore #{number} · {name}").format(number=number, name=entry.name),
            callback_data=BackupCallback(action=BackupAction.RESTORE, backup_id=entry.backup_id, page=page),
        )
    navigation = page_arrows(page, pages)
    for arrow, target in navigation:
        builder.button(text=arrow, callback_data=BackupCallback(action=BackupAction.PAGE, page=target))
    builder.button(text=_("💾 Back up now"), callback_data=BackupCallback(action=BackupAction.CREATE))
    builder.button(text=_("📤 Restore from a file"), callback_data=BackupCallback(action=BackupAction.UPLOAD))
    builder.button(text=_("⚙️ Settings"), callback_data=BackupCallback(action=BackupAction.SETTINGS))
    builder.adjust(*([1] * len(entries)), *([len(navigation)] if navigation else []), 1, 2)
    return builder.as_markup()


def restore_confirmation_keyboard(backup_id: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    confirm = BackupCallback(action=BackupAction.CONFIRM, backup_id=backup_id)
    builder.button(text=_("✅ Yes, restore"), callback_data=confirm)
    builder.button(text=_("❌ Cancel"), callback_data=BackupCallback(action=BackupAction.CANCEL, backup_id=backup_id))
    builder.adjust(2)
    return builder.as_markup()
