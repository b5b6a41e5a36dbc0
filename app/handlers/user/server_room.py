"""«Call to the server room»: an optional short note, then an immediate alert to all staff."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from app.fsm.states import ServerRoomCall
from app.fsm.transitions import reset
from app.keyboards import reply
from app.keyboards.callback_data import ServerRoomAction, ServerRoomCallback
from app.keyboards.user import server_room_keyboard
from app.models import validators
from app.models.users import Role, User
from app.models.validators import InvalidInput
from app.services.server_room import CallResult, ServerRoomService
from app.texts import labels
from app.utils.messages import remove_buttons


def cooldown_text(minutes: int) -> str:
    return _("⏳ You have already called the server room recently. You can call again in {n} min.").format(n=minutes)


async def ask_note(message: Message, state: FSMContext, user: User, server_room: ServerRoomService) -> None:
    minutes = await server_room.minutes_left(user.id)
    if minutes:
        await message.answer(cooldown_text(minutes))
        return
    await state.set_state(ServerRoomCall.note)
    await message.answer(_("🚨 Emergency call to the server room."), reply_markup=reply.cancel_only())
    await message.answer(
        _("Add a short note (up to {max} characters): what is wrong and where. Or send the alert right away.").format(
            max=validators.NOTE_MAX
        ),
        reply_markup=server_room_keyboard(),
    )


async def report(result: CallResult, role: Role, message: Message) -> None:
    if result.sent:
        await message.answer(_("✅ The admins have been alerted."), reply_markup=reply.main_menu(role))
    else:
        await message.answer(cooldown_text(result.minutes_left), reply_markup=reply.main_menu(role))


async def got_note(message: Message, state: FSMContext, user: User, role: Role, server_room: ServerRoomService) -> None:
    assert message.text is not None
    try:
        note = validators.note(message.text)
    except InvalidInput:
        await message.answer(
            _("The note is too long: at most {max} characters, yours has {n}. Please shorten it.").format(
                max=validators.NOTE_MAX, n=validators.units(message.text.strip())
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
    # Also reached by a second tap after the first one already sent the alert: the
    # atomic claim in the service refuses it, so two taps never make two alerts.
    await reset(state)
    result = await server_room.call(user, None)
    await remove_buttons(query)
    if isinstance(query.message, Message):
        await report(result, role, query.message)


async def wrong_note(message: Message) -> None:
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
    router.callback_query.register(send_without_note, ServerRoomCallback.filter(F.action == ServerRoomAction.NO_NOTE))
    router.message.register(wrong_note, ServerRoomCall.note)
    return router
