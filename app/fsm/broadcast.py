from aiogram.fsm.state import State, StatesGroup


class BroadcastCompose(StatesGroup):
    content = State()  # waiting for the message to broadcast
    preview = State()  # the preview is shown; Send / Edit / Cancel, or a new message replaces it
