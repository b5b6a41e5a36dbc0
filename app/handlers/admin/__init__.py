"""Support staff's features. The router-level filter covers every event type it handles."""

from aiogram import Router

from app.filters.roles import STAFF
from app.handlers.admin import blocks, broadcast, conversation, handover, queue, reports, search, tickets


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(STAFF)
    router.callback_query.filter(STAFF)
    router.edited_message.filter(STAFF)
    router.include_routers(
        search.create_router(),  # before the queue: its result pages are the queue's SEARCH view
        queue.create_router(),
        tickets.create_router(),
        conversation.create_router(),
        broadcast.create_router(),
        blocks.create_router(),
        handover.create_router(),
        reports.create_router(),
    )
    return router
