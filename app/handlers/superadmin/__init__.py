"""The super-admin's features (staff management, categories, backups, health) are added here."""

from aiogram import Router

from app.filters.roles import SUPERADMIN
from app.handlers.superadmin import backups, categories, health, restore, staff


def create_router() -> Router:
    router = Router(name="superadmin")
    router.message.filter(SUPERADMIN)
    router.callback_query.filter(SUPERADMIN)
    router.edited_message.filter(SUPERADMIN)
    router.include_routers(staff.create_router(), categories.create_router())
    router.include_routers(backups.create_router(), restore.create_router(), health.create_router())
    return router
