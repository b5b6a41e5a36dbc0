"""Every conversation step the bot can be in, by feature."""

from aiogram.fsm.state import State, StatesGroup


class TicketForm(StatesGroup):
    category = State()
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


class CategoryEdit(StatesGroup):
    """The super-admin types a category's text. Data: `category` (0 while adding a new one),
    `language`, and while adding the `names` given so far (asked one language after another)."""

    name = State()
    hint = State()


class Handover(StatesGroup):
    """A staff member hands ticket `number` to `to` (data) and may write a note for them."""

    note = State()


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


class StatsRange(StatesGroup):
    """/stats's custom range: the first day, then the last (the first is in data)."""

    first = State()
    last = State()


# Dialogues only staff can be in: someone who loses the role must leave them (app/services/staff.py
# ends them on removal; the user-context middleware drops one a racing update wrote back).
STAFF_DIALOGUES = frozenset(
    name
    for group in (
        CloseTicket,
        RejectTicket,
        AddAdmin,
        BroadcastCompose,
        BackupUpload,
        StaffCompose,
        Handover,
        CategoryEdit,
        StatsRange,
    )
    for name in group.__all_states_names__
)
