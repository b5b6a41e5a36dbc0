"""The running bot: builds everything in order, polls, and tears down in reverse."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from app.db.client import create_client
from app.db.embedded import EmbeddedMongo
from app.db.repositories import Repositories
from app.factory import create_bot, create_dispatcher
from app.models.users import Role
from app.services.broadcast.runner import Broadcaster
from app.services.health import describe_error
from app.services.instance_lease import InstanceLease
from app.services.menus import CommandMenus
from app.utils.clock import Clock, use_display_zone, utc_now
from app.utils.debounce import Debouncer
from app.utils.i18n import create_i18n
from app.utils.tasks.scheduler import BACKUP_STARTUP_DELAY_SECONDS, BackgroundJobs
from app.utils.tasks.sla_watch import INTERVAL_SECONDS as SLA_CHECK_SECONDS
from config import Settings, StartupError

logger = logging.getLogger(__name__)

TELEGRAM_CHECK_SECONDS = 15


class BotApp:
    """One bot process: DB client → indexes → bot → dispatcher → polling.

    `run()` returns after `stop()` (or SIGINT/SIGTERM when `handle_signals`), having
    closed everything it opened.
    """

    def __init__(
        self,
        settings: Settings,
        mongodb_uri: str,
        *,
        clock: Clock = utc_now,
        backup_startup_delay: float = BACKUP_STARTUP_DELAY_SECONDS,
        sla_check_seconds: float = SLA_CHECK_SECONDS,
        embedded: EmbeddedMongo | None = None,
    ) -> None:
        self.settings = settings
        self.sla_check_seconds = sla_check_seconds
        self.embedded = embedded
        self.mongodb_uri = mongodb_uri
        self.clock = clock
        self.backup_startup_delay = backup_startup_delay
        self.jobs: BackgroundJobs | None = None
        self.started = asyncio.Event()
        self.client: AsyncMongoClient[dict[str, Any]] | None = None
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None

    async def run(self, *, handle_signals: bool = True) -> None:
        use_display_zone(self.settings.zone)
        self.client = create_client(self.mongodb_uri, self.settings.mongodb_timeout_seconds)
        lease: InstanceLease | None = None
        try:
            repos = Repositories.create(self.client[self.settings.mongodb_db])
            await self._prepare_database(repos)
            # Real time, not self.clock: other processes compare the lease's expiry with theirs.
            lease = InstanceLease(repos.leases, self.settings.instance_lease_seconds)
            await lease.acquire()  # says so in the log when another process has it
            i18n = create_i18n(self.settings.default_language)
            self.bot = create_bot(self.settings)
            try:
                await self._check_telegram(self.bot)
                self.jobs = BackgroundJobs(
                    self.settings,
                    self.bot,
                    repos,
                    i18n,
                    clock=self.clock,
                    backup_startup_delay=self.backup_startup_delay,
                    sla_check_seconds=self.sla_check_seconds,
                    lease=lease,
                    embedded=self.embedded,
                )
                self.dispatcher = create_dispatcher(self.settings, self.bot, self.client, repos, i18n, self.jobs)
                lease.listeners.append(self.dispatcher["broadcaster"].follow_lease)
                self.dispatcher.startup.register(self._on_startup)
                await self.jobs.start()  # health check and backups; stopped below
                await self.dispatcher.start_polling(
                    self.bot,
                    handle_signals=handle_signals,
                    close_bot_session=False,
                    allowed_updates=self.dispatcher.resolve_used_update_types(),
                )
            finally:
                if self.jobs is not None:
                    await self.jobs.stop()  # before the session and the client close
                if self.dispatcher is not None:
                    # Before the session closes: a running broadcast stops between two recipients,
                    # and albums already collected are answered (their updates are confirmed).
                    await self.dispatcher["broadcaster"].close()
                    await self.dispatcher["album_replies"].flush()
                await self.bot.session.close()
        finally:
            if lease is not None:
                await lease.release()  # the broadcast has stopped: the next process may start at once
            await self.client.close()
            logger.info("Bot stopped")

    async def _prepare_database(self, repos: Repositories) -> None:
        try:
            await repos.ensure_indexes()
            await repos.prepare()
        except PyMongoError as error:
            raise StartupError(
                f"MongoDB is unreachable ({describe_error(error)}; waited "
                f"{self.settings.mongodb_timeout_seconds:g} s): check MONGODB_URI and that the server is running"
            ) from None

    async def _check_telegram(self, bot: Bot) -> None:
        """Before anything polls or sends: a wrong token or no way to Telegram is the operator's
        to fix, said in one line, not three chained tracebacks from inside the polling loop."""
        try:
            await bot.get_me(request_timeout=TELEGRAM_CHECK_SECONDS)
        except TelegramUnauthorizedError:
            raise StartupError(
                "Telegram rejected BOT_TOKEN (401 Unauthorized): copy it from @BotFather again"
            ) from None
        except (TelegramNetworkError, TelegramServerError, TimeoutError) as error:
            where = self.settings.telegram_api_url or "api.telegram.org"
            raise StartupError(f"the Telegram Bot API is unreachable at {where}: {error}") from None

    async def _on_startup(
        self,
        bot: Bot,
        menus: CommandMenus,
        repos: Repositories,
        album_replies: Debouncer,
        broadcaster: Broadcaster,
    ) -> None:
        me = await bot.get_me()
        logger.info("Bot @%s started (id %s)", me.username, me.id)
        await menus.setup_defaults()
        staff = [(self.settings.superadmin_id, Role.SUPERADMIN)]
        staff += [(admin_id, Role.ADMIN) async for admin_id in repos.admins.ids()]
        for chat_id, role in staff:
            user = await repos.users.get(chat_id)
            await menus.apply(chat_id, role, user.language if user else None)
        await broadcaster.resume()  # a broadcast the previous process left running
        self.started.set()

    async def stop(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.stop_polling()
