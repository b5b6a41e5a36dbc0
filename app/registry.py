"""What handlers may ask for by parameter name, and its type — in one place.

aiogram injects `Dispatcher(**workflow_data)` entries and middleware data into any handler
parameter of the same name. `Injected` lists every long-lived object the bot builds
(create_dispatcher fills it); `PerUpdate` what the user-context middleware adds to each
update; `FromFilters` what our filters add for the handler they let through; `FROM_AIOGRAM`
what aiogram itself provides. tests/unit/test_registry.py checks
every handler's parameters against these.
"""

from __future__ import annotations

from typing import TypedDict

from aiogram.utils.i18n import I18n

from app.db.repositories import Repositories
from app.models.tickets import Ticket
from app.models.users import Role, User
from app.services.backups.schedule import BackupSchedule
from app.services.backups.service import BackupService
from app.services.blocks import BlockService
from app.services.broadcast.runner import Broadcaster
from app.services.categories import CategoryService
from app.services.conversation.service import ConversationService
from app.services.health import HealthMonitor
from app.services.menus import CommandMenus
from app.services.notifications import Notifier
from app.services.reports.export import ExportService
from app.services.reports.stats import StatsService
from app.services.server_room import ServerRoomService
from app.services.staff import StaffService
from app.services.tickets.actions import TicketActions
from app.services.tickets.feedback import FeedbackService
from app.services.tickets.handover import Handover
from app.services.tickets.service import TicketService
from app.utils.debounce import Debouncer
from config import Settings


class Injected(TypedDict):
    settings: Settings
    repos: Repositories
    i18n: I18n
    notifier: Notifier
    tickets: TicketService
    ticket_actions: TicketActions
    feedback: FeedbackService
    blocks: BlockService
    categories: CategoryService
    handover: Handover
    staff: StaffService
    server_room: ServerRoomService
    menus: CommandMenus
    album_replies: Debouncer
    broadcaster: Broadcaster
    health: HealthMonitor
    backups: BackupService
    backup_schedule: BackupSchedule
    conversation: ConversationService
    stats: StatsService
    exports: ExportService


class PerUpdate(TypedDict):
    user: User
    role: Role


class FromFilters(TypedDict):
    replied_ticket: Ticket  # app/filters/replied_ticket.py


# Provided by aiogram: the dispatcher and bot, FSM context, event context, and what its
# filters and middlewares add (CallbackData.filter → callback_data, Command → command,
# CallbackAnswerMiddleware → callback_answer, I18nMiddleware → i18n_middleware).
FROM_AIOGRAM = frozenset(
    {
        "bot",
        "dispatcher",
        "bots",
        "state",
        "raw_state",
        "fsm_storage",
        "event_context",
        "event_from_user",
        "event_chat",
        "event_thread_id",
        "event_update",
        "event_router",
        "handler",
        "callback_data",
        "command",
        "callback_answer",
        "i18n_middleware",
    }
)
