"""What to tell a user who sent something a step cannot use."""

from __future__ import annotations

from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from app.fsm.states import TicketForm
from app.keyboards import labels
from app.texts.tickets import content_name


def describe_wrong_input(message: Message, step: State) -> str:
    if message.text and message.text.startswith("/"):
        return _("Only /cancel works while you fill in a ticket. Answer this step, or tap «{cancel}».").format(
            cancel=labels.CANCEL
        )
    kind = content_name(message)
    if step in (TicketForm.media,):
        return _("I cannot attach {kind}. Send a photo, a video or a document.").format(kind=kind)
    if step == TicketForm.phone:
        return _("I cannot use {kind} here. Share your contact with the button or type your number.").format(kind=kind)
    if message.text is not None:
        return _("Please use the buttons below.")
    return _("I cannot use {kind} here. Please answer with text.").format(kind=kind)
