"""The super-admin's features (staff management, backups, health) are added here."""

from aiogram import Router

from app.filters.roles import SUPERADMIN
from app.handlers.superadmin import backups, health, restore, staff


def create_router() -> Router:
    router = Router(name="superadmin")
    router.message.filter(SUPERADMIN)
    router.callback_query.filter(SUPERADMIN)
    router.edited_message.filter(SUPERADMIN)
    router.include_router(staff.create_router())
    router.include_routers(backups.create_router(), restore.create_router(), health.create_router())
    return router
