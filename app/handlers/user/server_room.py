"""«Call to the server room»: an optional short note, then an immediate alert to all staff.

The note step is short-lived (services/server_room.py NOTE_WINDOW) and its «Send without
note» button works only while the step is open: after Cancel, a sent alert or in another
form, the old button is spent and says so without touching anything.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.fsm.states import ServerRoomCall
from app.fsm.transitions import advance, reset
from app.keyboards import reply
from app.keyboards.callback_data import ServerRoomAction, ServerRoomCallback
from app.keyboards.user import server_room_keyboard
from app.models import validators
from app.models.users import Role, User
from app.models.validators import InvalidInput
from app.services.server_room import NOTE_WINDOW, CallResult, ServerRoomService, note_window_closed
from app.texts import labels
from app.texts.formatting import counted_length
from app.utils.messages import remove_buttons


def cooldown_text(minutes: int) -> str:
    return _("⏳ You have already called the server room recently. You can call again in {n} min.").format(n=minutes)


async def ask_note(message: Message, state: FSMContext, user: User, server_room: ServerRoomService) -> None:
    minutes = await server_room.minutes_left(user.id)
    if minutes:
        await message.answer(cooldown_text(minutes))
        return
    await advance(state, ServerRoomCall.note, fresh=True, asked_at=datetime.now(UTC).timestamp())
    await message.answer(_("🚨 Emergency call to the server room."), reply_markup=reply.cancel_only())
    await message.answer(
        _("Add a short note (up to {max} characters): what is wrong and where. Or send the alert right away.").format(
            max=validators.NOTE_MAX
        ),
        reply_markup=server_room_keyboard(),
    )


def result_text(result: CallResult) -> str:
    if not result.sent:
        return cooldown_text(result.minutes_left)
    if result.reached == 0:
        return _(
            "❌ Nobody could be alerted: Telegram did not deliver the alert to any staff member. "
            "Try again in a minute or phone the IT department."
        )
    if result.reached < result.total:
        return _(
            "⚠️ Only {reached} of {total} staff members could be alerted. "
            "If it cannot wait, also phone the IT department."
        ).format(reached=result.reached, total=result.total)
    return _("✅ The admins have been alerted.")


async def report(result: CallResult, role: Role, message: Message) -> None:
    await message.answer(result_text(result), reply_markup=reply.main_menu(role))


async def closed_window(state: FSMContext, role: Role, message: Message) -> bool:
    """True (and the step left, the person told) when the note step has been open too long."""
    if not note_window_closed((await state.get_data()).get("asked_at"), datetime.now(UTC)):
        return False
    await reset(state)
    await message.answer(
        _(
            "⌛ Nothing was sent: the call was started more than {minutes} minutes ago. "
            "If it is still urgent, tap «{call}» again."
        ).format(minutes=int(NOTE_WINDOW.total_seconds() // 60), call=labels.SERVER_ROOM),
        reply_markup=reply.main_menu(role),
    )
    return True


async def got_note(message: Message, state: FSMContext, user: User, role: Role, server_room: ServerRoomService) -> None:
    assert message.text is not None
    if await closed_window(state, role, message):
        return
    try:
        note = validators.note(message.text)
    except InvalidInput:
        await message.answer(
            _("The note is too long: at most {max} characters, yours has {n}. Please shorten it.").format(
                max=validators.NOTE_MAX, n=counted_length(message.text.strip())
            )
        )
        return
    await reset(state)
    await report(await server_room.call(user, note), role, message)


async def send_without_note(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    user: User,
    role: Role,
    server_room: ServerRoomService,
) -> None:
    # Only while the note step is open; a second tap finds it closed (spent_button). Two
    # processes could still both get here: the atomic claim in the service refuses one.
    await remove_buttons(query)
    if not isinstance(query.message, Message) or await closed_window(state, role, query.message):
        return
    await reset(state)
    await report(await server_room.call(user, None), role, query.message)


async def spent_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """«Send without note» outside the note step: after Cancel, a sent alert or a double tap."""
    callback_answer.text = _("This call is already over: sent or cancelled.")
    await remove_buttons(query)


async def wrong_note(message: Message, state: FSMContext, role: Role) -> None:
    if await closed_window(state, role, message):
        return
    if message.text and message.text.startswith("/"):
        hint = _("Only /cancel works here. Type a note, tap «{no_note}», or «{cancel}».").format(
            no_note=_("📣 Send without note"), cancel=labels.CANCEL
        )
    else:
        hint = _("The note must be text (up to {max} characters).").format(max=validators.NOTE_MAX)
    await message.answer(hint)


def create_router() -> Router:
    router = Router(name="server_room")
    router.message.register(ask_note, StateFilter(None), F.text == labels.SERVER_ROOM)
    router.message.register(ask_note, StateFilter(None), Command("call"))
    router.message.register(got_note, ServerRoomCall.note, F.text, ~F.text.startswith("/"))
    no_note = ServerRoomCallback.filter(F.action == ServerRoomAction.NO_NOTE)
    router.callback_query.register(send_without_note, ServerRoomCall.note, no_note)
    router.callback_query.register(spent_button, no_note)
    router.message.register(wrong_note, ServerRoomCall.note)
    return router
