"""/stats and /export for staff: the super-admin sees every admin's line, an admin the totals and
their own line. /stats 7, /stats 30 and /stats 2026-03-01 2026-03-31 skip the buttons."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, FSInputFile, Message

from app.db.repositories import Repositories
from app.fsm.states import StatsRange
from app.fsm.transitions import advance, reset
from app.keyboards.callback_data import StatsCallback
from app.keyboards.reports import periods_keyboard
from app.models.reports import MAX_REPORT_DAYS, Period, PeriodKind
from app.models.users import Role, User
from app.services.reports.chart import chart_png
from app.services.reports.export import ExportBusy, ExportService
from app.services.reports.stats import StatsService
from app.texts import labels
from app.texts import reports as texts
from config import Settings

logger = logging.getLogger(__name__)

MB = 1024 * 1024
EXPORT_DEFAULT_DAYS = 30


async def send_stats(
    bot: Bot, chat_id: int, period: Period, user: User, role: Role, stats: StatsService, repos: Repositories
) -> None:
    """The chart with the summary as its caption, then the details (categories by name)."""
    everyone = role is Role.SUPERADMIN
    report = await stats.compute(period)
    if not everyone:
        report = report.seen_by(user.id)
    png = await chart_png(report.days, texts.chart_labels(report))
    name = f"stats-{period.first:%Y%m%d}-{period.last:%Y%m%d}.png"
    await bot.send_photo(chat_id, BufferedInputFile(png, filename=name), caption=texts.summary(report))
    catalogue = await repos.categories.catalogue()
    await bot.send_message(chat_id, texts.details(report, everyone=everyone, catalogue=catalogue))


def _period_from_args(args: str, stats: StatsService) -> Period | None:
    words = args.split()
    if len(words) == 1 and words[0].isdigit() and 1 <= int(words[0]) <= MAX_REPORT_DAYS:
        return stats.last_days(int(words[0]))
    if len(words) == 2:
        first, last = texts.parse_date(words[0]), texts.parse_date(words[1])
        if first is not None and last is not None:
            period = stats.between(first, last)
            return period if len(period.days) <= MAX_REPORT_DAYS else None
    return None


async def stats_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    user: User,
    role: Role,
    stats: StatsService,
    repos: Repositories,
) -> None:
    args = (command.args or "").strip()
    if not args:
        await message.answer(texts.choose_period(), reply_markup=periods_keyboard())
        return
    period = _period_from_args(args, stats)
    if period is None:
        await message.answer(texts.stats_usage())
        return
    await send_stats(bot, message.chat.id, period, user, role, stats, repos)


async def choose(
    query: CallbackQuery,
    callback_data: StatsCallback,
    bot: Bot,
    user: User,
    role: Role,
    state: FSMContext,
    stats: StatsService,
    repos: Repositories,
) -> None:
    if callback_data.period is PeriodKind.CUSTOM:
        await reset(state, StatsRange.first)
        await bot.send_message(user.id, texts.ask_first_date())
        return
    await send_stats(bot, user.id, stats.period(callback_data.period), user, role, stats, repos)


async def first_date(message: Message, state: FSMContext) -> None:
    first = texts.parse_date(message.text or "")
    if first is None:
        await message.answer(texts.bad_date())
        return
    await advance(state, StatsRange.last, fresh=True, first=first.isoformat())
    await message.answer(texts.ask_last_date(first))


async def last_date(
    message: Message, bot: Bot, user: User, role: Role, state: FSMContext, stats: StatsService, repos: Repositories
) -> None:
    last = texts.parse_date(message.text or "")
    if last is None:
        await message.answer(texts.bad_date())
        return
    first = date.fromisoformat(str((await state.get_data()).get("first")))
    period = stats.between(first, last)
    if len(period.days) > MAX_REPORT_DAYS:
        await message.answer(texts.range_too_long(MAX_REPORT_DAYS))
        return
    await reset(state)
    await send_stats(bot, message.chat.id, period, user, role, stats, repos)


async def export_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    settings: Settings,
    stats: StatsService,
    exports: ExportService,
    repos: Repositories,
) -> None:
    args = (command.args or "").strip()
    if args and not (args.isdigit() and 1 <= int(args) <= MAX_REPORT_DAYS):
        await message.answer(texts.export_usage(MAX_REPORT_DAYS))
        return
    period = stats.last_days(int(args) if args else EXPORT_DEFAULT_DAYS)
    try:
        result = await exports.write(period, await repos.categories.catalogue())
    except ExportBusy:
        await message.answer(texts.export_busy())
        return
    limit = settings.backup_max_upload_mb
    if result.size > limit * MB:
        await message.answer(texts.export_too_big(result, period, limit))
        return
    path = Path(result.path)
    try:
        await bot.send_document(
            message.chat.id, FSInputFile(path, filename=path.name), caption=texts.export_caption(result, period)
        )
    except TelegramAPIError as error:
        logger.warning("Could not send export %s: %s", path.name, error)
        await message.answer(texts.export_failed(result.path))
        return
    await asyncio.to_thread(
        path.unlink, missing_ok=True
    )  # sent: the chat has it; the server keeps only what could not be


def create_router() -> Router:
    router = Router(name="reports")
    router.message.register(stats_command, StateFilter(None), Command("stats"))
    router.message.register(export_command, StateFilter(None), Command("export"))
    router.callback_query.register(choose, StateFilter(None, StatsRange), StatsCallback.filter())
    dates = (F.text, ~F.text.startswith("/"), F.text != labels.CANCEL)  # Cancel: the global handler
    router.message.register(first_date, StatsRange.first, *dates)
    router.message.register(last_date, StatsRange.last, *dates)
    return router
