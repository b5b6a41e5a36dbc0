"""Last line of defence: the user always gets a short answer, the log gets the traceback."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from app.models.users import User
from app.utils.i18n import pick_language

logger = logging.getLogger(__name__)

DATABASE_DOWN = (ConnectionFailure, ServerSelectionTimeoutError, AutoReconnect, NetworkTimeout, ExecutionTimeout)


def describe_update(update: Update) -> str:
    """Ids only: enough to find the update, no personal data in the log."""
    event = update.event_type
    sender = getattr(update.event, "from_user", None)
    return f"update_id={update.update_id} type={event} user_id={sender.id if sender else None}"


def _language(i18n: I18n, data: dict[str, Any]) -> str:
    user: User | None = data.get("user")
    if user is not None:
        return user.language
    sender: TelegramUser | None = data.get("event_from_user")
    return pick_language(sender.language_code if sender else None, i18n.available_locales, i18n.default_locale)


async def _tell_user(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.message is not None:
            await update.message.answer(text)
        elif update.callback_query is not None:
            # The button's spinner may already have been answered by the callback middleware,
            # so the explanation goes into the chat, where it is always visible.
            await update.callback_query.bot.send_message(update.callback_query.from_user.id, text)  # type: ignore[union-attr]
    except TelegramAPIError as error:
        logger.warning("Could not tell the user about an error (%s): %s", describe_update(update), error)


async def database_unavailable(event: ErrorEvent, i18n: I18n, **data: Any) -> None:
    logger.error("Database unavailable while handling %s: %s", describe_update(event.update), event.exception)
    with i18n.context(), i18n.use_locale(_language(i18n, data)):
        # Nothing of this update was kept (the database refused it), so nothing claims it was.
        text = _(
            "⚠️ The service is temporarily unavailable and could not handle that. Please send it again in a minute."
        )
    await _tell_user(event, text)


async def unexpected_error(event: ErrorEvent, i18n: I18n, **data: Any) -> None:
    logger.error("Error while handling %s", describe_update(event.update), exc_info=event.exception)
    with i18n.context(), i18n.use_locale(_language(i18n, data)):
        text = _("Something went wrong. Please try again.")
    await _tell_user(event, text)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(database_unavailable, ExceptionTypeFilter(*DATABASE_DOWN))
    router.errors.register(unexpected_error)
    return router
