"""Buttons of a hand-over: the staff to pick from (paged), Skip the note, Cancel."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from app.keyboards.callback_data import HandoverAction, HandoverCallback
from app.keyboards.pagination import page_arrows
from app.models.paging import Page
from app.models.users import StaffLoad
from app.texts.handover import candidate_label


def candidates_keyboard(number: int, staff: Page[StaffLoad], card: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for load in staff.items:
        data = HandoverCallback(action=HandoverAction.PICK, number=number, to=load.person.id, card=card)
        builder.button(text=candidate_label(load.person, load.in_work), callback_data=data)
    arrows = page_arrows(staff.number, staff.pages)
    for arrow, target in arrows:
        builder.button(
            text=arrow,
            callback_data=HandoverCallback(action=HandoverAction.LIST, number=number, page=target, card=card),
        )
    builder.button(text=_("❌ Cancel"), callback_data=HandoverCallback(action=HandoverAction.CANCEL, number=number))
    builder.adjust(*([1] * len(staff.items)), *([len(arrows)] if arrows else []), 1)
    return builder.as_markup()


def note_keyboard(number: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⏭ Skip"), callback_data=HandoverCallback(action=HandoverAction.SKIP, number=number))
    builder.button(text=_("❌ Cancel"), callback_data=HandoverCallback(action=HandoverAction.CANCEL, number=number))
    builder.adjust(2)
    return builder.as_markup()


def reassign_button(number: int) -> HandoverCallback:
    return HandoverCallback(action=HandoverAction.LIST, number=number)
