"""/block and /unblock: staff stop an employee (the owner of ticket #N, or a Telegram id) from
filing tickets and calling the server room, with a reason they are shown once; and lift it."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.types import Message

from app.db.repositories import Repositories
from app.models import validators
from app.models.tickets import Outcome
from app.models.users import User
from app.models.validators import InvalidInput
from app.services.blocks import BlockOutcome, BlockResult, BlockService
from app.texts.blocks import (
    already_blocked,
    block_usage,
    blocked_done,
    not_blocked,
    staff_not_blocked,
    unblocked_done,
    unknown_person,
)
from app.texts.tickets import refusal


async def target_of(word: str, repos: Repositories) -> int | None:
    """ "#N": the owner of ticket N; a plain number: a Telegram id."""
    digits = word.removeprefix("#")
    if not digits.isdigit() or len(digits) > 16:
        return None
    if word.startswith("#"):
        ticket = await repos.tickets.get(int(digits))
        return ticket.user_id if ticket else 0
    return int(digits)


def _answer(result: BlockResult, target: int, block: bool) -> str:
    name = result.user.display_name if result.user else str(target)
    if result.outcome is BlockOutcome.UNKNOWN:
        return unknown_person(target)
    if result.outcome is BlockOutcome.STAFF:
        return staff_not_blocked()
    if result.outcome is BlockOutcome.ALREADY:
        return already_blocked(name) if block else not_blocked(name)
    return blocked_done(name, result.told) if block else unblocked_done(name)


async def block(
    message: Message, command: CommandObject, user: User, repos: Repositories, blocks: BlockService
) -> None:
    word, _space, reason = (command.args or "").strip().partition(" ")
    target = await target_of(word, repos) if word else None
    try:
        checked = validators.reason(reason)
    except InvalidInput:
        checked = None
    if target is None or checked is None:
        await message.answer(block_usage())
        return
    if target == 0:
        await message.answer(refusal(Outcome.NOT_FOUND, None))
        return
    await message.answer(_answer(await blocks.block(target, checked, user), target, block=True))


async def unblock(
    message: Message, command: CommandObject, user: User, repos: Repositories, blocks: BlockService
) -> None:
    target = await target_of((command.args or "").strip(), repos)
    if target is None:
        await message.answer(block_usage())
        return
    if target == 0:
        await message.answer(refusal(Outcome.NOT_FOUND, None))
        return
    await message.answer(_answer(await blocks.unblock(target, user), target, block=False))


def create_router() -> Router:
    router = Router(name="blocks")
    router.message.register(block, StateFilter(None), Command("block"))
    router.message.register(unblock, StateFilter(None), Command("unblock"))
    return router
