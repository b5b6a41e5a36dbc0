"""Reply keyboards: navigation per role and the ticket form's steps.

Almost every answer carries one, and they depend only on the role or step and the language:
each is built once per language (aiogram's builder copies every button) and shared after —
so nothing may change a keyboard these return.
"""

from __future__ import annotations

from functools import lru_cache

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from app.models.users import Role
from app.texts import labels


def _markup(builder: ReplyKeyboardBuilder, placeholder: str | None = None) -> ReplyKeyboardMarkup:
    return builder.as_markup(resize_keyboard=True, input_field_placeholder=placeholder)


def _row(builder: ReplyKeyboardBuilder, *labels: object) -> None:
    builder.row(*(KeyboardButton(text=str(label)) for label in labels))


def main_menu(role: Role) -> ReplyKeyboardMarkup:
    """Staff work first (their panel), then what every employee can do."""
    return _main_menu(role, get_i18n().current_locale)


@lru_cache(maxsize=32)
def _main_menu(role: Role, _locale: str) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    if role.is_staff:
        _row(builder, labels.QUEUE, labels.IN_MY_WORK, labels.SEARCH)
        _row(builder, labels.BROADCAST, labels.REFRESH_PANEL)
    if role is Role.SUPERADMIN:
        _row(builder, labels.STAFF, labels.CATEGORIES)
        _row(builder, labels.BACKUPS, labels.HEALTH)
    _row(builder, labels.NEW_TICKET, labels.MY_TICKETS)
    _row(builder, labels.SERVER_ROOM)
    _row(builder, labels.LANGUAGE, labels.HELP)
    return _markup(builder)


def form_step(*options: str, contact: bool = False, back: bool = True, columns: int = 1) -> ReplyKeyboardMarkup:
    """A form step: its own options first (`columns` to a row), then Back and Cancel."""
    return _form_step(options, contact, back, columns, get_i18n().current_locale)


@lru_cache(maxsize=256)
def _form_step(options: tuple[str, ...], contact: bool, back: bool, columns: int, _locale: str) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    if contact:
        builder.row(KeyboardButton(text=str(labels.SHARE_CONTACT), request_contact=True))
    for start in range(0, len(options), columns):
        builder.row(*(KeyboardButton(text=option) for option in options[start : start + columns]))
    navigation = [KeyboardButton(text=str(labels.CANCEL))]
    if back:
        navigation.insert(0, KeyboardButton(text=str(labels.BACK)))
    builder.row(*navigation)
    return _markup(builder)


def cancel_only() -> ReplyKeyboardMarkup:
    return form_step(back=False)
