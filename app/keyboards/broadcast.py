"""Inline keyboards of the broadcast: the preview's choices and the running broadcast's Stop."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import BroadcastAction, BroadcastCallback


def preview_keyboard(draft: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📤 Send"), callback_data=BroadcastCallback(action=BroadcastAction.SEND, ref=draft))
    builder.button(text=_("✏️ Edit"), callback_data=BroadcastCallback(action=BroadcastAction.EDIT, ref=draft))
    builder.button(text=_("❌ Cancel"), callback_data=BroadcastCallback(action=BroadcastAction.CANCEL, ref=draft))
    builder.adjust(1, 2)
    return builder.as_markup()


def stop_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⏹ Stop the broadcast"),
        callback_data=BroadcastCallback(action=BroadcastAction.STOP, ref=str(broadcast_id)),
    )
    return builder.as_markup()
