"""/stats's period buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import StatsCallback
from app.models.reports import PERIOD_DAYS, PeriodKind
from app.texts.reports import custom_button, period_button


def periods_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind, days in PERIOD_DAYS.items():
        builder.button(text=period_button(days), callback_data=StatsCallback(period=kind))
    builder.button(text=custom_button(), callback_data=StatsCallback(period=PeriodKind.CUSTOM))
    builder.adjust(len(PERIOD_DAYS), 1)
    return builder.as_markup()
