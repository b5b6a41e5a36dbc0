from aiogram.fsm.state import State, StatesGroup


class ServerRoomCall(StatesGroup):
    note = State()
