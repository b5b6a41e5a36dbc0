"""Reply keyboards: navigation per role and the ticket form's steps."""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from app.keyboards import texts
from app.models import Role


def _markup(builder: ReplyKeyboardBuilder, placeholder: str | None = None) -> ReplyKeyboardMarkup:
    return builder.as_markup(resize_keyboard=True, input_field_placeholder=placeholder)


def main_menu(role: Role) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    builder.button(text=str(texts.NEW_TICKET))
    builder.button(text=str(texts.MY_TICKETS))
    builder.button(text=str(texts.SERVER_ROOM))
    builder.button(text=str(texts.LANGUAGE))
    builder.button(text=str(texts.HELP))
    sizes = [2, 1, 2]
    if role.is_staff:
        builder.button(text=str(texts.REFRESH_PANEL))
        sizes.append(1)
    builder.adjust(*sizes)
    return _markup(builder)


def form_step(*options: str, contact: bool = False, back: bool = True) -> ReplyKeyboardMarkup:
    """A form step: its own options first, then Back and Cancel."""
    builder = ReplyKeyboardBuilder()
    if contact:
        builder.row(KeyboardButton(text=str(texts.SHARE_CONTACT), request_contact=True))
    for option in options:
        builder.row(KeyboardButton(text=option))
    navigation = [KeyboardButton(text=str(texts.CANCEL))]
    if back:
        navigation.insert(0, KeyboardButton(text=str(texts.BACK)))
    builder.row(*navigation)
    return _markup(builder)


def cancel_only() -> ReplyKeyboardMarkup:
    return form_step(back=False)
