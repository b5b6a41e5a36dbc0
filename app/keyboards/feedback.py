"""The employee's buttons after their ticket is closed: solved or not, the rating, skipping its comment."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import FeedbackAction, FeedbackCallback
from app.models.tickets import RATING_MAX, RATING_MIN


def solved_keyboard(number: int) -> InlineKeyboardMarkup:
    """Under the closing notice."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👍 Yes"), callback_data=FeedbackCallback(action=FeedbackAction.SOLVED, number=number))
    builder.button(
        text=_("👎 No, reopen"), callback_data=FeedbackCallback(action=FeedbackAction.NOT_SOLVED, number=number)
    )
    builder.adjust(2)
    return builder.as_markup()


def rating_keyboard(number: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for rating in range(RATING_MIN, RATING_MAX + 1):
        builder.button(
            text=f"{rating} ⭐",
            callback_data=FeedbackCallback(action=FeedbackAction.RATE, number=number, rating=rating),
        )
    builder.adjust(RATING_MAX)
    return builder.as_markup()


def skip_comment_keyboard(number: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⏭ Skip"), callback_data=FeedbackCallback(action=FeedbackAction.SKIP, number=number))
    return builder.as_markup()
