"""Everyone's features (staff are users too); no role filter."""

from aiogram import Router

from app.handlers.user import (
    blocked,
    conversation,
    fallback,
    feedback,
    my_tickets,
    search,
    server_room,
    start,
    ticket_form,
    ticket_media,
    ticket_timeline,
)


def create_router() -> Router:
    router = Router(name="user")
    router.include_routers(
        search.create_router(),  # first: its Cancel closes the search, its pages come before «My tickets»
        start.create_router(),
        blocked.create_router(),
        ticket_media.create_router(),
        ticket_form.create_router(),
        server_room.create_router(),
        my_tickets.create_router(),
        feedback.create_router(),
        conversation.create_router(),
        ticket_timeline.create_router(),
        fallback.create_router(),
    )
    return router
