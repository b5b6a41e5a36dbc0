"""Every inline button's payload. Short prefixes keep packed data far below Telegram's 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MyTicketsAction(StrEnum):
    PAGE = "p"
    OPEN = "o"
    MEDIA = "m"


class TicketScope(StrEnum):
    ACTIVE = "a"
    HISTORY = "h"


class MyTicketsCallback(CallbackData, prefix="my"):
    action: MyTicketsAction
    scope: TicketScope = TicketScope.ACTIVE
    page: int = 0
    number: int = 0


class ServerRoomAction(StrEnum):
    NO_NOTE = "n"


class ServerRoomCallback(CallbackData, prefix="srv"):
    action: ServerRoomAction


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


class StaffTicketAction(StrEnum):
    OPEN = "o"
    MEDIA = "m"


class StaffTicketCallback(CallbackData, prefix="st"):
    action: StaffTicketAction
    number: int
