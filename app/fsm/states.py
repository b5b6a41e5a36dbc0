"""Every conversation step the bot can be in, by feature."""

from aiogram.fsm.state import State, StatesGroup


class TicketForm(StatesGroup):
    full_name = State()
    phone = State()
    description = State()
    media = State()
    priority = State()
    confirm = State()
    choose_edit = State()


class ServerRoomCall(StatesGroup):
    note = State()


class CloseTicket(StatesGroup):
    comment = State()


class RejectTicket(StatesGroup):
    reason = State()


class FindTickets(StatesGroup):
    """«🔎 Search» was tapped: the next text is the query (`scope` in data: all or own tickets)."""

    query = State()


class AddAdmin(StatesGroup):
    user = State()


class BroadcastCompose(StatesGroup):
    content = State()  # waiting for the message to broadcast
    preview = State()  # the preview is shown; Send / Edit / Cancel, or a new message replaces it


class BackupUpload(StatesGroup):
    """The super-admin is about to send a backup ZIP to restore from."""

    file = State()


class StaffCompose(StatesGroup):
    """A staff member writes to ticket `number` (data): the next message goes out at once."""

    reply = State()  # to the employee
    note = State()  # staff only


class RateTicket(StatesGroup):
    """The employee rated ticket `number` (data) and may add a comment."""

    comment = State()


class EmployeeCompose(StatesGroup):
    """The employee tapped «Add a message» on ticket `number` (data)."""

    message = State()


# Dialogues only staff can be in: someone who loses the role must leave them (app/services/staff.py
# ends them on removal; the user-context middleware drops one a racing update wrote back).
STAFF_DIALOGUES = frozenset(
    name
    for group in (CloseTicket, RejectTicket, AddAdmin, BroadcastCompose, BackupUpload, StaffCompose)
    for name in group.__all_states_names__
)
