"""Builders for the bot and the dispatcher; nothing is created at import time."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from pymongo import AsyncMongoClient

from app.db.fsm_storage import ChatIsolation, SharedClientStorage
from app.db.repositories import FSM_COLLECTION, Repositories
from app.filters.inline import run_filters_inline
from app.fsm.states import STAFF_DIALOGUES
from app.handlers import errors, get_routers
from app.middlewares.in_flight import InFlightUpdates
from app.middlewares.locale import UserLocaleMiddleware
from app.middlewares.maintenance import MaintenanceMiddleware
from app.middlewares.polling_conflict import PollingConflict
from app.middlewares.private_only import PrivateChatsOnly
from app.middlewares.response_types import KeepResponseTypes
from app.middlewares.user_context import UserContextMiddleware
from app.registry import Injected
from app.services.blocks import BlockService
from app.services.broadcast.runner import Broadcaster
from app.services.categories import CategoryService
from app.services.conversation.service import ConversationService
from app.services.menus import CommandMenus
from app.services.notifications import Notifier
from app.services.reports.export import ExportService
from app.services.server_room import ServerRoomService
from app.services.staff import StaffService
from app.services.tickets.actions import TicketActions
from app.services.tickets.feedback import FeedbackService
from app.services.tickets.handover import Handover
from app.services.tickets.service import TicketService
from app.utils.debounce import Debouncer
from app.utils.tasks.scheduler import BackgroundJobs
from config import Settings

ALBUM_QUIET_SECONDS = 1.0


def create_bot(settings: Settings) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(str(settings.telegram_api_url).rstrip("/")))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    session.middleware(KeepResponseTypes())
    session.middleware(PollingConflict())
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings,
    bot: Bot,
    client: AsyncMongoClient[dict[str, Any]],
    repos: Repositories,
    i18n: I18n,
    jobs: BackgroundJobs | None = None,
) -> Dispatcher:
    """`jobs` are the background jobs whose services handlers use (/health, backups); one is
    built (not started) when the caller runs none."""
    jobs = jobs or BackgroundJobs(settings, bot, repos, i18n)
    notifier = Notifier(bot, repos, i18n, settings)
    menus = CommandMenus(bot, i18n)
    ticket_actions = TicketActions(repos, notifier)
    injected = Injected(
        settings=settings,
        repos=repos,
        i18n=i18n,
        notifier=notifier,
        tickets=TicketService(repos),
        ticket_actions=ticket_actions,
        feedback=FeedbackService(repos, notifier),
        blocks=BlockService(repos, notifier),
        categories=CategoryService(repos),
        handover=Handover(repos, notifier),
        staff=StaffService(repos, notifier, menus, ticket_actions, settings, STAFF_DIALOGUES),
        server_room=ServerRoomService(repos, notifier, settings.server_room_cooldown_seconds),
        menus=menus,
        album_replies=Debouncer(ALBUM_QUIET_SECONDS),
        broadcaster=Broadcaster(bot, repos, i18n, settings, jobs.lease),
        health=jobs.health,
        backups=jobs.backups,
        backup_schedule=jobs.schedule,
        conversation=ConversationService(bot, repos, i18n, notifier, ticket_actions),
        stats=jobs.stats,
        exports=ExportService(repos.reports, settings.export_dir, settings.zone, jobs.clock),
    )
    dispatcher = Dispatcher(
        storage=SharedClientStorage(client, db_name=settings.mongodb_db, collection_name=FSM_COLLECTION),
        # One update at a time per chat: the album items of one user, or a double tap,
        # must not interleave their read-modify-write of the form's state.
        events_isolation=ChatIsolation(),
        **injected,
    )
    InFlightUpdates().setup(dispatcher)
    PrivateChatsOnly().setup(dispatcher)
    # Before the FSM reads the chat's state and before the sender is registered: during a restore
    # nothing is read or written for users (and a database gone mid-restore is not needed to say so).
    dispatcher.update.outer_middleware.unregister(dispatcher.fsm)
    dispatcher.update.outer_middleware(MaintenanceMiddleware(jobs.backups.maintenance, i18n, settings))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(UserContextMiddleware(repos, settings))
    UserLocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    dispatcher.include_router(errors.create_router())
    dispatcher.include_routers(*get_routers())
    run_filters_inline(dispatcher)
    return dispatcher
