"""An employee staff have blocked: no new tickets, no server-room calls (their existing tickets
keep working). First among the user routers, so every way in is refused in one place; a
block that came mid-form keeps the draft (nothing typed is lost), mid-call ends the call."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from app.fsm.states import ServerRoomCall, TicketForm
from app.fsm.transitions import reset
from app.keyboards import reply
from app.keyboards.callback_data import ServerRoomCallback, TicketMessageAction, TicketMessageCallback
from app.models.users import Role, User
from app.texts import labels
from app.texts.blocks import blocked_refusal


async def blocked_employee(event: TelegramObject, user: User, role: Role) -> bool:
    return user.blocked is not None and role is Role.USER


async def refuse(message: Message, state: FSMContext, role: Role) -> None:
    if await state.get_state() == ServerRoomCall.note.state:  # the call ends; the menu comes back
        await reset(state)
        await message.answer(blocked_refusal(), reply_markup=reply.main_menu(role))
        return
    await message.answer(blocked_refusal())  # a form keeps its keyboard: Submit works once unblocked


async def refuse_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text, callback_answer.show_alert = blocked_refusal(), True


def create_router() -> Router:
    router = Router(name="blocked")
    router.message.filter(blocked_employee)
    router.callback_query.filter(blocked_employee)
    router.message.register(refuse, StateFilter(None), F.text == labels.NEW_TICKET)
    router.message.register(refuse, StateFilter(None), F.text == labels.SERVER_ROOM)
    router.message.register(refuse, StateFilter(None), Command("new", "call"))
    router.message.register(refuse, TicketForm.confirm, F.text == labels.SUBMIT)
    router.message.register(refuse, ServerRoomCall.note)
    router.callback_query.register(refuse_button, TicketMessageCallback.filter(F.action == TicketMessageAction.NEW))
    router.callback_query.register(refuse_button, ServerRoomCallback.filter())
    return router
