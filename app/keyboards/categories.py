"""Keyboards of the super-admin's catalogue screen: the list, one category's actions, its default priority."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import CategoryAction, CategoryCallback
from app.models.categories import MAX_CATEGORIES, Catalogue, Category, Language
from app.models.tickets import Priority
from app.texts import labels
from app.texts.categories import FLAGS, list_button
from app.texts.tickets import priority_label


def catalogue_keyboard(catalogue: Catalogue) -> InlineKeyboardMarkup:
    """One button per category (at most MAX_CATEGORIES), then Add."""
    builder = InlineKeyboardBuilder()
    for place, category in enumerate(catalogue.categories, start=1):
        builder.button(
            text=list_button(category, place),
            callback_data=CategoryCallback(action=CategoryAction.OPEN, category=category.id),
        )
    if len(catalogue.categories) < MAX_CATEGORIES:
        builder.button(text=_("➕ Add category"), callback_data=CategoryCallback(action=CategoryAction.ADD))
    builder.adjust(1)
    return builder.as_markup()


def category_keyboard(category: Category) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(text: str, action: CategoryAction, language: Language = Language.UK) -> None:
        data = CategoryCallback(action=action, category=category.id, language=language)
        builder.button(text=text, callback_data=data)

    for language in Language:
        button(_("✏️ Name {flag}").format(flag=FLAGS[language]), CategoryAction.RENAME, language)
    button(_("⬆️ Up"), CategoryAction.UP)
    button(_("⬇️ Down"), CategoryAction.DOWN)
    for language in Language:
        button(_("💡 Hint {flag}").format(flag=FLAGS[language]), CategoryAction.HINT, language)
    button(_("⚡ Default priority"), CategoryAction.PRIORITIES)
    if category.hidden:
        button(_("👁 Show in the form"), CategoryAction.SHOW)
    else:
        button(_("🙈 Hide from the form"), CategoryAction.HIDE)
    builder.button(text=_("⬅️ All categories"), callback_data=CategoryCallback(action=CategoryAction.LIST))
    builder.adjust(len(Language), 2, len(Language), 1, 1, 1)
    return builder.as_markup()


def priority_keyboard(category: Category) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for priority in reversed(Priority):
        chosen = "• " if priority == category.priority else ""
        builder.button(
            text=f"{chosen}{priority_label(priority)}",
            callback_data=CategoryCallback(
                action=CategoryAction.SET_PRIORITY, category=category.id, priority=int(priority)
            ),
        )
    none = "• " if category.priority is None else ""
    builder.button(
        text=none + _("No default priority"),
        callback_data=CategoryCallback(action=CategoryAction.SET_PRIORITY, category=category.id),
    )
    builder.button(text=_("⬅️ Back"), callback_data=CategoryCallback(action=CategoryAction.OPEN, category=category.id))
    builder.adjust(2, 2, 1, 1)
    return builder.as_markup()


def hint_step_keyboard() -> ReplyKeyboardMarkup:
    """The hint step's reply keyboard: remove the hint, or Cancel."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=str(labels.NO_HINT))], [KeyboardButton(text=str(labels.CANCEL))]],
        resize_keyboard=True,
    )
