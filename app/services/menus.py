"""Telegram command menus: one for users in private chats, a per-chat one for each staff member."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from app.models.users import Role

logger = logging.getLogger(__name__)


def user_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="new", description=_("New ticket")),
        BotCommand(command="my", description=_("My tickets")),
        BotCommand(command="find", description=_("Find tickets")),
        BotCommand(command="call", description=_("Call to the server room")),
        BotCommand(command="language", description=_("Language")),
        BotCommand(command="help", description=_("Help")),
        BotCommand(command="cancel", description=_("Cancel the current form")),
    ]


def staff_commands(role: Role) -> list[BotCommand]:
    commands = [
        BotCommand(command="queue", description=_("Ticket queue")),
        BotCommand(command="menu", description=_("Refresh the panel")),
        BotCommand(command="stats", description=_("Stats with a chart")),
        BotCommand(command="export", description=_("Tickets as a CSV file")),
    ]
    if role is Role.SUPERADMIN:
        commands.append(BotCommand(command="staff", description=_("Support staff")))
        commands.append(BotCommand(command="categories", description=_("Ticket categories")))
        commands += [
            BotCommand(command="backup", description=_("Create a backup now")),
            BotCommand(command="backup_list", description=_("Backups and restore")),
            BotCommand(command="backup_settings", description=_("Backup settings")),
            BotCommand(command="health", description=_("Bot and database health")),
        ]
    return [*commands, *user_commands()]


class CommandMenus:
    def __init__(self, bot: Bot, i18n: I18n) -> None:
        self.bot = bot
        self.i18n = i18n

    async def setup_defaults(self) -> None:
        """The menu every private chat sees, in each language (Telegram picks by the client's)."""
        for language in self.i18n.available_locales:
            with self.i18n.context(), self.i18n.use_locale(language):
                commands = user_commands()
            scope = BotCommandScopeAllPrivateChats()
            await self._call(self.bot.set_my_commands(commands, scope=scope, language_code=language))
            if language == self.i18n.default_locale:
                await self._call(self.bot.set_my_commands(commands, scope=scope))

    async def apply(self, chat_id: int, role: Role, language: str | None = None) -> None:
        """Give a staff member their own menu; a plain user falls back to the default one."""
        scope = BotCommandScopeChat(chat_id=chat_id)
        if not role.is_staff:
            await self._call(self.bot.delete_my_commands(scope=scope))
            return
        with self.i18n.context(), self.i18n.use_locale(language or self.i18n.current_locale):
            commands = staff_commands(role)
        await self._call(self.bot.set_my_commands(commands, scope=scope))

    @staticmethod
    async def _call(request: object) -> None:
        try:
            await request  # type: ignore[misc]
        except TelegramAPIError as error:
            # A missing menu is an inconvenience, not a reason to stop the bot.
            logger.warning("Could not update the command menu: %s", error)
