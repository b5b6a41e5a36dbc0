"""Every inline button's payload. Short prefixes keep packed data far below Telegram's 64 bytes.

Button data comes from the client and can be forged: every number is bounded here, so a
20-digit page or ticket number fails to unpack (aiogram's filter then does not match and the
tap reaches the fallback's "no longer active") and no handler or query ever meets it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from app.models.categories import Language
from app.models.reports import PeriodKind
from app.models.tickets import QueueView

# Telegram's ids have at most 52 significant bits; ticket numbers stay far below that too.
MAX_ID = 2**53 - 1
# A page past the end opens the last page; beyond this it is not a page anyone could reach.
MAX_PAGE = 1_000_000

Id = Annotated[int, Field(ge=0, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=0, le=MAX_PAGE)]


class MyTicketsAction(StrEnum):
    PAGE = "p"
    OPEN = "o"
    MEDIA = "m"
    FULL_TEXT = "f"


class TicketScope(StrEnum):
    ACTIVE = "a"
    HISTORY = "h"
    SEARCH = "s"  # the employee's last search over their own tickets


class MyTicketsCallback(CallbackData, prefix="my"):
    action: MyTicketsAction
    scope: TicketScope = TicketScope.ACTIVE
    page: PageNumber = 0
    number: Id = 0


class ServerRoomAction(StrEnum):
    NO_NOTE = "n"


class ServerRoomCallback(CallbackData, prefix="srv"):
    action: ServerRoomAction


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


class QueueCallback(CallbackData, prefix="q"):
    view: QueueView
    page: PageNumber = 0


class QueueCategoryCallback(CallbackData, prefix="qc"):
    """The queue's category filter on `view`: `choose` shows the categories; else `category`
    becomes the filter (0: every category)."""

    view: QueueView
    category: Id = 0
    choose: bool = False


class StaffTicketAction(StrEnum):
    OPEN = "o"  # the card replaces the message the button is on (a list, a notice)
    OPEN_NEW = "n"  # the card comes as a new message (the button is under something worth keeping)
    MEDIA = "m"
    FULL_TEXT = "f"
    TAKE = "t"
    CLOSE = "c"
    REJECT = "r"


class StaffTicketCallback(CallbackData, prefix="st"):
    """A ticket action from the staff card; view/page lead back to the list it was opened from."""

    action: StaffTicketAction
    number: Id
    view: QueueView = QueueView.NEW
    page: PageNumber = 0


class SearchScope(StrEnum):
    ALL = "a"  # staff: every ticket
    OWN = "o"  # one's own tickets (employees; staff from their «My tickets»)


class SearchCallback(CallbackData, prefix="fd"):
    """«🔎 Search»: ask for a query. The query itself never travels in a button (it may not fit
    64 bytes): it is kept as the person's last search (users.last_search) and pages read it."""

    scope: SearchScope


class StaffAction(StrEnum):
    LIST = "l"
    ADD = "a"
    REMOVE = "r"
    CONFIRM_REMOVE = "y"


class StaffCallback(CallbackData, prefix="sa"):
    """`page`: the staff list's page the button was on, to come back to it."""

    action: StaffAction
    user_id: Id = 0
    page: PageNumber = 0


class CategoryAction(StrEnum):
    """The super-admin's catalogue screen (the super-admin router sees them)."""

    LIST = "l"
    OPEN = "o"
    ADD = "a"
    RENAME = "n"  # in `language`
    HINT = "h"  # in `language`
    UP = "u"
    DOWN = "d"
    HIDE = "x"
    SHOW = "s"
    PRIORITIES = "p"  # the default priority's choices
    SET_PRIORITY = "P"  # `priority` (0: none)


class CategoryCallback(CallbackData, prefix="ct"):
    action: CategoryAction
    category: Id = 0
    language: Language = Language.UK
    priority: Annotated[int, Field(ge=0, le=4)] = 0


class BroadcastAction(StrEnum):
    SEND = "s"
    EDIT = "e"
    CANCEL = "c"
    STOP = "x"


class BroadcastCallback(CallbackData, prefix="bc"):
    """`ref` ties a button to what it acts on: the preview's draft token, or the broadcast id (STOP)."""

    action: BroadcastAction
    ref: str


class BackupAction(StrEnum):
    PAGE = "p"
    CREATE = "c"
    SETTINGS = "s"
    RESTORE = "r"  # ask for confirmation
    CONFIRM = "y"
    CANCEL = "n"
    UPLOAD = "u"


class BackupCallback(CallbackData, prefix="bk"):
    """`backup_id` is the timestamp part of a backup's name (or `u…` for an upload), never a path."""

    action: BackupAction
    backup_id: str = "-"
    page: PageNumber = 0


class ConversationAction(StrEnum):
    """Staff only (the admin router sees them): employees never get these buttons."""

    REPLY = "r"  # write to the employee ("Take and reply" on a new ticket)
    NOTE = "n"  # a staff-only note
    TIMELINE = "t"  # the conversation, paged newest first
    WAIT = "w"  # the ticket waits for the employee's answer
    FULL_TEXT = "f"  # one timeline message whole (`ref`: its id)
    MEDIA = "m"  # one timeline message's attachments again (`ref`: its id)


EDIT_IN_PLACE = "e"  # a timeline button's `ref`: its own arrows re-render it where it is


class ConversationCallback(CallbackData, prefix="cv"):
    """`ref` "e": re-render the timeline in place (its own arrows); a message's id for FULL_TEXT/MEDIA."""

    action: ConversationAction
    number: Id
    page: PageNumber = 0
    ref: str = "-"


class TicketMessageAction(StrEnum):
    """Everyone's (employees, and staff writing as such)."""

    ADD = "a"  # write to one's own ticket
    PICK = "p"  # add the pending message to ticket `number`
    NEW = "x"  # start a new ticket with the pending message
    REOPEN = "o"  # reopen finished ticket `number` with the pending message
    TIMELINE = "t"  # the conversation of one's own ticket, page `page` (`ref` "e": in place)
    FULL_TEXT = "f"  # one message of it whole (`ref`: its id)
    MEDIA = "m"  # one message's attachments again (`ref`: its id)
    CANCEL = "c"  # leave a compose step, or forget the pending message


class TicketMessageCallback(CallbackData, prefix="tm"):
    """`ref` ties PICK/NEW/CANCEL to the pending message they were asked about."""

    action: TicketMessageAction
    number: Id = 0
    ref: str = "-"
    page: PageNumber = 0


class FeedbackAction(StrEnum):
    """The employee's answer to "Did this solve your problem?" and what follows."""

    SOLVED = "y"
    NOT_SOLVED = "n"  # reopen
    RATE = "r"
    SKIP = "s"  # no comment on the rating


class FeedbackCallback(CallbackData, prefix="fb"):
    action: FeedbackAction
    number: Id
    rating: Annotated[int, Field(ge=0, le=5)] = 0


class HandoverAction(StrEnum):
    LIST = "l"  # the staff to hand ticket `number` to, page `page`
    PICK = "p"  # hand it to `to` (a note follows, or Skip)
    SKIP = "s"  # no note
    CANCEL = "c"


class HandoverCallback(CallbackData, prefix="ho"):
    """`card`: the message id of the card it started from, refreshed when it is done."""

    action: HandoverAction
    number: Id
    to: Id = 0
    page: PageNumber = 0
    card: Id = 0


class StatsCallback(CallbackData, prefix="rp"):
    """/stats's period buttons; CUSTOM asks for two dates."""

    period: PeriodKind
