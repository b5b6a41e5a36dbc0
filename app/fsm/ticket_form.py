from aiogram.fsm.state import State, StatesGroup


class TicketForm(StatesGroup):
    full_name = State()
    phone = State()
    description = State()
    media = State()
    priority = State()
    confirm = State()
    choose_edit = State()
