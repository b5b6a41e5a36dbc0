"""Inline keyboards of everyone's features: the language choice and the server-room call."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import LanguageCallback, ServerRoomAction, ServerRoomCallback

LANGUAGE_NAMES = {"uk": "🇺🇦 Українська", "en": "🇬🇧 English"}


def language_keyboard(codes: Iterable[str]) -> InlineKeyboardMarkup:
    """Ukrainian first: it is the default."""
    builder = InlineKeyboardBuilder()
    for code in sorted(codes, key=lambda c: c != "uk"):
        builder.button(text=LANGUAGE_NAMES.get(code, code), callback_data=LanguageCallback(code=code))
    return builder.as_markup()


def server_room_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📣 Send without note"), callback_data=ServerRoomCallback(action=ServerRoomAction.NO_NOTE))
    return builder.as_markup()
