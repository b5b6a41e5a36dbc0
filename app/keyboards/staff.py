"""Keyboards of the super-admin's staff screen: the list with Remove buttons, the confirmation, "Choose a person"."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, KeyboardButtonRequestUsers, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import StaffAction, StaffCallback
from app.keyboards.pagination import page_arrows
from app.models.paging import Page
from app.models.users import Admin
from app.texts import labels
from app.texts.formatting import short

PICK_REQUEST_ID = 1


def choose_person_label() -> str:
    return _("👤 Choose a person")


def staff_panel_keyboard(admins: Page[Admin]) -> InlineKeyboardMarkup:
    """One page: its Remove buttons, the arrows, Add — far below Telegram's 100 buttons."""
    builder = InlineKeyboardBuilder()
    page = admins.number
    for admin in admins.items:
        builder.button(
            text=_("➖ Remove {name}").format(name=short(admin.label, 40)),
            callback_data=StaffCallback(action=StaffAction.REMOVE, user_id=admin.id, page=page),
        )
    navigation = page_arrows(page, admins.pages)
    for arrow, target in navigation:
        builder.button(text=arrow, callback_data=StaffCallback(action=StaffAction.LIST, page=target))
    builder.button(text=_("➕ Add admin"), callback_data=StaffCallback(action=StaffAction.ADD, page=page))
    builder.adjust(*([1] * len(admins.items)), *([len(navigation)] if navigation else []), 1)
    return builder.as_markup()


def remove_confirmation_keyboard(admin_id: int, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Yes, remove"),
        callback_data=StaffCallback(action=StaffAction.CONFIRM_REMOVE, user_id=admin_id, page=page),
    )
    builder.button(text=str(labels.CANCEL), callback_data=StaffCallback(action=StaffAction.LIST, page=page))
    return builder.as_markup()


def choose_person_keyboard() -> ReplyKeyboardMarkup:
    """Telegram's own person picker (KeyboardButtonRequestUsers), or Cancel."""
    pick = KeyboardButton(
        text=choose_person_label(),
        request_users=KeyboardButtonRequestUsers(request_id=PICK_REQUEST_ID, user_is_bot=False, max_quantity=1),
    )
    return ReplyKeyboardMarkup(keyboard=[[pick], [KeyboardButton(text=str(labels.CANCEL))]], resize_keyboard=True)
