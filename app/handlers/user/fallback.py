"""Anything no other handler took: explain, show the menu again, never stay silent."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.keyboards import reply
from app.models.users import Role

logger = logging.getLogger(__name__)


async def unknown_message(message: Message, role: Role) -> None:
    await message.answer(
        _("I did not understand that. Please choose an action with the buttons below."),
        reply_markup=reply.main_menu(role),
    )


async def unknown_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    # One line, no traceback: an old button, a role just removed, or forged data (≤ 64 bytes).
    logger.info("Stale or unknown button from user %s: %r", query.from_user.id, query.data)
    callback_answer.text, callback_answer.show_alert = _("This button is no longer active."), True


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_message)
    router.callback_query.register(unknown_button)
    return router
