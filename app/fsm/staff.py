from aiogram.fsm.state import State, StatesGroup


class CloseTicket(StatesGroup):
    comment = State()


class RejectTicket(StatesGroup):
    reason = State()


class AddAdmin(StatesGroup):
    user = State()
