from aiogram.fsm.state import State, StatesGroup


class BackupUpload(StatesGroup):
    """The super-admin is about to send a backup ZIP to restore from."""

    file = State()
