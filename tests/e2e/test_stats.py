"""/stats, the weekly digest and /export against a seeded dataset whose figures this module
counts itself, in Python, from the tickets it wrote (never through the app's aggregations).

The bot runs with a fixed clock (a Wednesday noon in Kyiv, or a Monday for the digest), so the
local days of the periods are known and no test depends on when it runs."""

from __future__ import annotations

import contextlib
import csv
import io
import math
import random
import struct
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.db.admins import AdminRepository
from app.db.repositories import Repositories
from app.models.reports import Period
from app.models.tickets import Feedback, Priority, StatusChange, Ticket, TicketStatus, epoch_ms
from app.models.users import Person
from app.services.reports.chart import HEIGHT_PX, WIDTH_PX
from app.services.reports.stats import StatsService
from tests.support.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.support.harness import BotHarness, make_settings
from tests.support.reliability import FakeClock, reliability

KYIV = ZoneInfo("Europe/Kyiv")
WEDNESDAY_NOON = datetime(2026, 6, 10, 12, 0, tzinfo=KYIV).astimezone(UTC)
MONDAY_MORNING = datetime(2026, 6, 15, 9, 30, tzinfo=KYIV).astimezone(UTC)
OLHA, PETRO = Person(3001, "Olha"), Person(3002, "Petro")
CATEGORIES = [1, 3, None]  # the default catalogue's Hardware and Network / Internet, and none
CATEGORY_NAMES = {1: {"en": "Hardware", "uk": "Обладнання"}, 3: {"en": "Network / Internet", "uk": "Мережа / Інтернет"}}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BOM = b"\xef\xbb\xbf"


# --- the dataset and its independent count ---------------------------------------------------


@dataclass
class Seeded:
    tickets: list[Ticket]
    categories: dict[int, int | None]


def dataset(now: datetime, count: int = 90, seed: int = 13) -> Seeded:
    """Tickets over the last 40 days: new, taken, waiting, closed (some rated), rejected, and
    some reopened (closed, reopened, taken and closed again, or still open)."""
    rng = random.Random(seed)
    tickets: list[Ticket] = []
    categories: dict[int, int | None] = {}
    for number in range(1, count + 1):
        created = now - timedelta(minutes=rng.randint(5, 40 * 24 * 60))
        history = [StatusChange(created, None, None, TicketStatus.NEW)]
        admin = rng.choice([OLHA, PETRO])
        status, updated, assignee, feedback = TicketStatus.NEW, created, None, None
        kind = rng.choice(["new", "taken", "waiting", "closed", "closed", "closed", "rejected", "reopened"])
        moment = created
        if kind != "new":
            moment = min(now, created + timedelta(minutes=rng.randint(1, 600)))
            history.append(StatusChange(moment, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
            status, updated, assignee = TicketStatus.IN_PROGRESS, moment, admin
        if kind == "waiting":
            moment = min(now, moment + timedelta(minutes=30))
            history.append(StatusChange(moment, admin, TicketStatus.IN_PROGRESS, TicketStatus.WAITING))
            status, updated = TicketStatus.WAITING, moment
        if kind in ("closed", "rejected", "reopened"):
            end = TicketStatus.REJECTED if kind == "rejected" else TicketStatus.CLOSED
            moment = min(now, moment + timedelta(minutes=rng.randint(10, 3000)))
            history.append(StatusChange(moment, admin, TicketStatus.IN_PROGRESS, end))
            status, updated = end, moment
        if kind == "reopened":
            moment = min(now, moment + timedelta(minutes=rng.randint(10, 2000)))
            history.append(StatusChange(moment, None, TicketStatus.CLOSED, TicketStatus.NEW))
            status, updated, assignee = TicketStatus.NEW, moment, None
            if rng.random() < 0.6:  # taken and closed again
                moment = min(now, moment + timedelta(minutes=rng.randint(1, 300)))
                history.append(StatusChange(moment, admin, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
                moment = min(now, moment + timedelta(minutes=rng.randint(1, 300)))
                history.append(StatusChange(moment, admin, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED))
                status, updated, assignee = TicketStatus.CLOSED, moment, admin
        if status is TicketStatus.CLOSED and rng.random() < 0.6:
            feedback = Feedback(True, updated, rating=rng.randint(1, 5))
        # Judged against the SLA when finished; some finished before targets existed: not judged.
        finished_now = status in (TicketStatus.CLOSED, TicketStatus.REJECTED)
        sla_met = rng.choice([True, True, False, None]) if finished_now else None
        tickets.append(
            Ticket(
                number=number,
                user_id=2000 + number % 7,
                username=None,
                full_name=rng.choice(["Іван Петренко", "Olena Kovalenko", "Тарас О'Коннор"]),
                phone="+380501234567",
                description=f"Ticket {number}",
                priority=rng.choice(list(Priority)),
                status=status,
                created_at=created,
                updated_at=updated,
                assignee=assignee,
                history=history,
                feedback=feedback,
                sla_met=sla_met,
            )
        )
        categories[number] = tickets[-1].category = rng.choice(CATEGORIES)
    return Seeded(tickets, categories)


def nearest_rank(values: Iterable[float], share: float) -> float | None:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1] if ordered else None


def ms(span: timedelta) -> int:
    return round(span.total_seconds() * 1000)


@dataclass
class Expected:
    opened: int = 0
    closed: int = 0
    rejected: int = 0
    sla_met: int = 0
    sla_judged: int = 0
    reopened: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_priority: dict[Priority, int] = field(default_factory=dict)
    responses: list[int] = field(default_factory=list)
    resolutions: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    per_admin: dict[int, dict[str, Any]] = field(default_factory=dict)
    per_day: dict[date, tuple[int, int, int]] = field(default_factory=dict)


def count(seeded: Seeded, first: date, last: date) -> Expected:
    """The period's figures, from the Ticket objects (local days in Kyiv)."""
    start = datetime.combine(first, time(), tzinfo=KYIV)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=KYIV)

    def inside(moment: datetime) -> bool:
        return start <= moment < end

    out = Expected(by_priority=dict.fromkeys(Priority, 0))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    opened_on = dict.fromkeys(days, 0)
    closed_on = dict.fromkeys(days, 0)
    rejected_on = dict.fromkeys(days, 0)

    def admin(person: Person) -> dict[str, Any]:
        return out.per_admin.setdefault(
            person.id, {"taken": 0, "closed": 0, "rejected": 0, "responses": [], "resolutions": [], "ratings": []}
        )

    for ticket in seeded.tickets:
        taken = [c.at for c in ticket.history if c.to_status is TicketStatus.IN_PROGRESS]
        out.reopened += sum(
            1
            for c in ticket.history
            if c.from_status in (TicketStatus.CLOSED, TicketStatus.REJECTED) and c.to_status.is_active and inside(c.at)
        )
        if inside(ticket.created_at):
            out.opened += 1
            opened_on[ticket.created_at.astimezone(KYIV).date()] += 1
            key = str(seeded.categories[ticket.number] or "")
            out.by_category[key] = out.by_category.get(key, 0) + 1
            out.by_priority[ticket.priority] += 1
            if taken:
                out.responses.append(ms(min(taken) - ticket.created_at))
                if ticket.assignee is not None:
                    admin(ticket.assignee)["taken"] += 1
                    admin(ticket.assignee)["responses"].append(ms(min(taken) - ticket.created_at))
        finished = ticket.status in (TicketStatus.CLOSED, TicketStatus.REJECTED) and inside(ticket.updated_at)
        if not finished:
            continue
        day = ticket.updated_at.astimezone(KYIV).date()
        line = admin(ticket.assignee) if ticket.assignee else None
        if ticket.sla_met is not None:
            out.sla_judged += 1
            out.sla_met += ticket.sla_met
        if ticket.status is TicketStatus.CLOSED:
            out.closed += 1
            closed_on[day] += 1
            out.resolutions.append(ms(ticket.updated_at - ticket.created_at))
            if line is not None:
                line["closed"] += 1
                line["resolutions"].append(ms(ticket.updated_at - ticket.created_at))
            if ticket.feedback and ticket.feedback.rating:
                out.ratings.append(ticket.feedback.rating)
                if line is not None:
                    line["ratings"].append(ticket.feedback.rating)
        else:
            out.rejected += 1
            rejected_on[day] += 1
            if line is not None:
                line["rejected"] += 1
    out.per_day = {day: (opened_on[day], closed_on[day], rejected_on[day]) for day in days}
    return out


# --- the bot ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def stats_bot(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, now: datetime, language: str = "en"
) -> AsyncIterator[tuple[BotHarness, Seeded, FakeClock]]:
    clock = FakeClock(now)
    settings = make_settings(
        fake, mongo_uri, db_name, tmp_path, TIMEZONE="Europe/Kyiv", DEFAULT_LANGUAGE="uk", BACKUP_ENABLED=False
    )
    harness = BotHarness(fake, settings)
    harness.app_options = {"clock": clock}
    harness.superadmin.language_code = language
    await harness.start()
    try:
        seeded = dataset(now)
        repos = harness.workflow("repos", Repositories)
        await repos.tickets.insert_many(seeded.tickets)
        yield harness, seeded, clock
    finally:
        await harness.close()


async def staff(bot: BotHarness, person: Person, language: str) -> FakeUser:
    user = bot.fake.user(person.id, first_name=person.name, language_code=language)
    await AdminRepository(bot.db).add(person.id, name=person.name, username=None, added_by=1, added_at=WEDNESDAY_NOON)
    await user.send_command("/start")
    await user.wait_message()
    return user


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"), "the PNG is cut short"
    return width, height


def caption_of(message: BotMessage) -> str:
    assert message.kind == "photo", f"expected the chart, got a {message.kind}: {message.text!r}"
    return message.caption or ""


def days_of(period: Period) -> tuple[date, date]:
    return period.first, period.last


# --- the figures -----------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1, 7, 30])
async def test_stats_match_an_independent_count(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, days: int
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON) as (bot, seeded, _clock):
        service = bot.workflow("stats", StatsService)
        period = service.last_days(days)
        assert period.last == date(2026, 6, 10) and len(period.days) == days
        stats = await service.compute(period)
        want = count(seeded, *days_of(period))
        assert want.opened and (days == 1 or (want.closed and want.reopened and want.ratings))  # the data covers it

        assert (stats.opened, stats.closed, stats.rejected, stats.reopened) == (
            want.opened,
            want.closed,
            want.rejected,
            want.reopened,
        )
        assert stats.by_category == {k: v for k, v in want.by_category.items() if v}
        assert stats.by_priority == want.by_priority
        assert stats.response.count == len(want.responses)
        assert stats.response.median == nearest_rank(want.responses, 0.5)
        assert stats.response.p90 == nearest_rank(want.responses, 0.9)
        assert stats.resolution.count == len(want.resolutions)
        assert stats.resolution.median == nearest_rank(want.resolutions, 0.5)
        assert stats.resolution.p90 == nearest_rank(want.resolutions, 0.9)
        assert (stats.rated, stats.rating_sum) == (len(want.ratings), sum(want.ratings))
        assert want.sla_judged and stats.sla_met_share == pytest.approx(want.sla_met / want.sla_judged)
        assert {line.admin_id for line in stats.admins} == set(want.per_admin)
        for line in stats.admins:
            expected = want.per_admin[line.admin_id]
            assert (line.taken, line.closed, line.rejected) == (
                expected["taken"],
                expected["closed"],
                expected["rejected"],
            )
            assert line.response.median == nearest_rank(expected["responses"], 0.5)
            assert line.resolution.median == nearest_rank(expected["resolutions"], 0.5)
            assert (line.rated, line.rating_sum) == (len(expected["ratings"]), sum(expected["ratings"]))
        assert {d.day: (d.opened, d.closed, d.rejected) for d in stats.days} == want.per_day


async def test_reopen_stamps_are_added_to_tickets_written_before_them(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON) as (bot, seeded, _clock):
        reopened = next(t for t in seeded.tickets if any(c.from_status is TicketStatus.CLOSED for c in t.history))
        stamps = [epoch_ms(c.at) for c in reopened.history if c.from_status is TicketStatus.CLOSED]
        tickets = bot.db["tickets"]
        await tickets.update_many({}, {"$unset": {"reopened_ts": "", "reopens": ""}})
        await bot.workflow("repos", Repositories).tickets.prepare()
        doc = await tickets.find_one({"number": reopened.number})
        assert doc is not None and doc["reopens"] == stamps and doc["reopened_ts"] == max(stamps)
        assert await tickets.count_documents({"reopened_ts": {"$exists": False}}) == 0


# --- /stats in Telegram ----------------------------------------------------------------------


async def test_superadmin_sees_every_admin_and_a_chart(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON, language="en") as (bot, seeded, _c):
        admin = bot.superadmin
        await admin.send_command("/start")
        await admin.wait_message()
        await admin.send_command("/stats")
        menu = await admin.wait_message()
        assert "Choose the period" in menu.body
        assert menu.button_texts() == ["Today", "7 days", "30 days", "📅 Custom range"]
        await admin.click("7 days", menu)
        chart = await admin.wait_message(timeout=30)  # the first chart imports matplotlib
        details = await admin.wait_message()

        want = count(seeded, date(2026, 6, 4), date(2026, 6, 10))
        caption = caption_of(chart)
        assert "Stats: 2026-06-04 – 2026-06-10 (7 days)" in caption
        assert (
            f"Opened: {want.opened} · closed: {want.closed} · rejected: {want.rejected} · reopened: {want.reopened}"
            in caption
        )
        assert f"({len(want.responses)} tickets)" in caption
        assert f"SLA met: {want.sla_met / want.sla_judged * 100:.0f}%" in caption
        assert f"{sum(want.ratings) / len(want.ratings):.1f} ★ ({len(want.ratings)} ratings)" in caption
        assert png_size(bot.fake.files[chart.file_id or ""].data or b"") == (WIDTH_PX, HEIGHT_PX)

        assert "By staff member" in details.body
        for person in (OLHA, PETRO):
            line = want.per_admin[person.id]
            assert f"{person.name}: taken {line['taken']}, closed {line['closed']}" in details.body
        assert f"Hardware: {want.by_category['1']}" in details.body  # by name, not by id


async def test_an_admin_sees_the_totals_and_their_own_line_in_ukrainian(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON) as (bot, seeded, _clock):
        olha = await staff(bot, OLHA, "uk")
        await olha.send_command("/stats 30")
        chart = await olha.wait_message(timeout=30)
        details = await olha.wait_message()

        want = count(seeded, date(2026, 5, 12), date(2026, 6, 10))
        caption = caption_of(chart)
        assert "Статистика: 2026-05-12 – 2026-06-10 (30 дн.)" in caption
        assert f"Відкрито: {want.opened} · закрито: {want.closed} · відхилено: {want.rejected}" in caption
        assert png_size(bot.fake.files[chart.file_id or ""].data or b"") == (WIDTH_PX, HEIGHT_PX)
        assert "Ваші" in details.body and "Olha:" in details.body
        assert "Petro" not in details.body  # another admin's line is the super-admin's to see


async def test_a_custom_range_is_asked_as_two_dates(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON, language="uk") as (bot, seeded, _c):
        admin = bot.superadmin
        await admin.send_command("/stats")
        menu = await admin.wait_message()
        await admin.click("📅 Свої дати", menu)
        assert "Перший день періоду" in (await admin.wait_message()).body
        await admin.send_text("3 June")
        assert "Не вдалося прочитати дату" in (await admin.wait_message()).body
        await admin.send_text("01.06.2026")
        assert "Від 2026-06-01 до якого дня" in (await admin.wait_message()).body
        await admin.send_text("2026-06-05")
        chart = await admin.wait_message(timeout=30)

        want = count(seeded, date(2026, 6, 1), date(2026, 6, 5))
        assert "2026-06-01 – 2026-06-05 (5 дн.)" in caption_of(chart)
        assert f"Відкрито: {want.opened} ·" in caption_of(chart)
        await admin.wait_message()  # the details


# --- the weekly digest -----------------------------------------------------------------------


async def test_the_weekly_digest_goes_once_with_the_week_before_compared(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, MONDAY_MORNING, language="en") as (bot, seeded, clock):
        admin = bot.superadmin
        await admin.send_command("/start")
        await admin.wait_message()
        jobs = reliability(bot)
        assert not await jobs.digest.missed()  # never sent before: nothing to catch up
        assert await jobs.send_digest() is True
        digest = await admin.wait_message(timeout=30)

        week, before = (
            count(seeded, date(2026, 6, 8), date(2026, 6, 14)),
            count(seeded, date(2026, 6, 1), date(2026, 6, 7)),
        )
        caption = caption_of(digest)
        assert "Weekly digest" in caption and "Stats: 2026-06-08 – 2026-06-14 (7 days)" in caption
        assert f"Opened: {week.opened} ·" in caption
        assert f"opened {before.opened} → {week.opened}" in caption
        assert png_size(bot.fake.files[digest.file_id or ""].data or b"") == (WIDTH_PX, HEIGHT_PX)

        assert await jobs.send_digest() is False  # the same week: claimed already
        clock.advance(days=3)
        assert await jobs.send_digest() is False
        assert not await jobs.digest.missed()
        clock.advance(days=5)  # the next Tuesday: Monday's digest was missed while "down"
        assert await jobs.digest.missed()
        photos = [m for m in admin.messages if m.kind == "photo"]
        assert len(photos) == 1


# --- /export ---------------------------------------------------------------------------------


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM), "no BOM: Excel would misread Cyrillic"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        (
            "en",
            [
                "Number",
                "Created",
                "Taken",
                "Finished",
                "Status",
                "Category",
                "Priority",
                "Employee",
                "Employee's Telegram id",
                "Assignee",
                "First response, min",
                "Resolution, min",
                "SLA met",
                "Rating",
            ],
        ),
        (
            "uk",
            [
                "Номер",
                "Створено",
                "Взято",
                "Завершено",
                "Статус",
                "Категорія",
                "Пріоритет",
                "Працівник",
                "Telegram id працівника",
                "Виконавець",
                "Перша реакція, хв",
                "Вирішення, хв",
                "SLA дотримано",
                "Оцінка",
            ],
        ),
    ],
)
async def test_export_is_a_csv_with_a_bom_and_one_row_per_ticket(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, language: str, headers: list[str]
) -> None:
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON, language=language) as (bot, seeded, _c):
        admin = bot.superadmin
        await admin.send_command("/export 7")
        document = await admin.wait_message(timeout=20)
        assert document.kind == "document"
        rows = csv_rows(bot.fake.files[document.file_id or ""].data or b"")
        assert rows[0] == headers

        start = datetime(2026, 6, 4, tzinfo=KYIV)
        want = sorted((t for t in seeded.tickets if t.created_at >= start), key=lambda t: t.created_at)
        assert [int(row[0]) for row in rows[1:]] == [t.number for t in want]
        by_number = {int(row[0]): row for row in rows[1:]}
        rated = next(t for t in want if t.status is TicketStatus.CLOSED and t.feedback and t.feedback.rating)
        row = by_number[rated.number]
        assert row[1] == rated.created_at.astimezone(KYIV).strftime("%Y-%m-%d %H:%M")
        assert row[4] == ("Closed" if language == "en" else "Закрита")
        category = seeded.categories[rated.number]
        assert row[5] == (CATEGORY_NAMES[category][language] if category else "")
        assert row[7] == rated.full_name  # Cyrillic and apostrophes intact
        assert row[9] == (rated.assignee.name if rated.assignee else "")
        taken = min(c.at for c in rated.history if c.to_status is TicketStatus.IN_PROGRESS)
        assert row[10] == str(round((taken - rated.created_at).total_seconds() / 60))
        assert row[11] == str(round((rated.updated_at - rated.created_at).total_seconds() / 60))
        assert row[12] == "" and row[13] == str(rated.feedback.rating if rated.feedback else "")
        assert str(len(want)) in (document.caption or "")
        # flows.barrier in any language: once /help is answered, the export's handler has finished
        # (one update of a chat at a time), and it removes the file after sending it.
        await admin.send_command("/help")
        await admin.wait_message()
        assert not list(bot.settings.export_dir.glob("*.csv"))  # sent: not kept on the server


async def test_an_export_over_the_upload_limit_says_where_it_is(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.handlers.admin.reports.MB", 1)  # a 1 MB limit becomes 1 byte
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON, language="en") as (bot, _seeded, _c):
        bot.settings.export_dir.mkdir(parents=True, exist_ok=True)
        admin = bot.superadmin
        await admin.send_command("/export")
        said = await admin.wait_message(timeout=20)
        assert "more than Telegram lets me send" in said.body
        kept = list(bot.settings.export_dir.glob("tickets-*.csv"))
        assert len(kept) == 1 and str(kept[0].resolve()) in said.body
        assert kept[0].read_bytes().startswith(BOM)
        assert not [m for m in admin.messages if m.kind == "document"]


async def test_export_pages_never_split_or_repeat_tickets_sharing_a_moment(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.db.reports.EXPORT_BATCH", 3)  # pages of 3 over runs of 7 equal stamps
    async with stats_bot(fake, mongo_uri, db_name, tmp_path, WEDNESDAY_NOON) as (bot, seeded, _clock):
        service = bot.workflow("stats", StatsService)
        period = service.last_days(30)
        same = epoch_ms(WEDNESDAY_NOON - timedelta(days=2))
        await bot.db["tickets"].update_many({"number": {"$gte": 10, "$lt": 17}}, {"$set": {"created_ts": same}})
        want = sorted(
            (epoch_ms(t.created_at) if not 10 <= t.number < 17 else same, t.number)
            for t in seeded.tickets
            if period.start_ms <= (epoch_ms(t.created_at) if not 10 <= t.number < 17 else same) < period.end_ms
        )
        reports = bot.workflow("repos", Repositories).reports
        got = [(doc["created_ts"], doc["number"]) async for doc in reports.export_rows(period)]
        assert got == want
