"""Update handling: how fast the real bot handles a realistic stream of updates, and at what cost.

What is measured
  A scripted mix of updates — /start, the whole new-ticket form with a photo, «My tickets»,
  the staff queue (menu button or page button), «take into work», the ticket's conversation
  (the employee's «💬 Add a message» and message, routed to the assignee; the admin's «💬 Reply»
  and reply), «close» (button, then the comment step skipped) — fed one after another through the bot's real dispatcher:
  middlewares, router-level role filters, i18n, PyMongoStorage FSM, repositories, database.
  Staff updates come from admins listed in `admins`; take/close act on the tickets the
  users of the same run have just submitted (their numbers follow from the submit order).

How
  `dispatcher.feed_raw_update(bot, raw)` per update — the JSON-to-`Update` validation
  polling does, then `feed_update` — timed with perf_counter (wall) and process_time (this
  process's CPU). The Bot's session is `FakeTelegramSession`: aiogram's own serialisation
  and response parsing, no HTTP. Database round trips are counted with a PyMongo
  `CommandListener` on a client built with the app's options (`common.bench_client`);
  repositories, dispatcher and i18n come from the app's factories. The database is
  pre-populated (users and a ticket history) so queries do not run on empty collections.
  The first `warmup` updates are handled but not measured.

Baseline (same run, same harness, same update stream)
  A bare aiogram echo bot: `Dispatcher()` with MemoryStorage, one handler answering every
  message with its text and every button with `answer()`.

Checks (the run fails loudly otherwise)
  tickets created == forms submitted, taken/closed counts and assignees match, one photo
  per new ticket, one audit record per take/close, one delivered message each way per
  conversation and no answered ticket left marked as waiting for staff, no update unhandled, no error logged,
  no fallback/"not found"/"already taken" answers.

The conversation's own round trips
  For the routed messages (the employee's message, the staff reply) each command is also put
  down with the part of the update that sent it, read off the call stack of the task sending
  it, as the command listener sees it: inside `UserContextMiddleware.register` is registration,
  inside app/db/fsm_storage.py is the FSM (`find` a read, anything else a write), inside
  app/db/restore_state.py is the maintenance check (its read of the restore marker, at most once
  a second, lands on whichever update is in flight), and the rest is the conversation's own work
  — ticket read and its "waiting for staff" mark, storing, languages, the delivery record.
  Registration and the FSM read are paid by every update; the issue's per-message targets are
  compared with the conversation's own part. Only these two kinds are attributed (the stack walk
  costs a few microseconds per command).

Derived figures (labelled as such in the table)
  CPU ceiling = 1000 / bot-process CPU ms per update: the rate one process could reach if
  every database wait overlapped with other work. Projection at an assumed round-trip time
  = 1000 / (CPU ms + round trips × RTT): what one-at-a-time handling would give against a
  faster server; an estimate, not a measurement.

Database size
  50,000 seeded tickets on a real MongoDB (2,000 with --quick); on nx-27017 only 1,000 (300),
  because it sorts a query's matches in Python, so queries slow down as the collection grows
  (see bench/queue_views.py).

Profile
  A separate, shorter pass of the same mix under pyinstrument (bench/profiling.py); its
  report goes to bench/results/profile_updates.txt and the top costs into the notes.
"""

from __future__ import annotations

import logging
import random
import re
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from pymongo.monitoring import CommandStartedEvent

from app.db import fsm_storage, restore_state
from app.db.repositories import Repositories
from app.factory import create_bot, create_dispatcher
from app.keyboards.callback_data import (
    ConversationAction,
    ConversationCallback,
    QueueCallback,
    StaffTicketAction,
    StaffTicketCallback,
    TicketMessageAction,
    TicketMessageCallback,
)
from app.middlewares.user_context import UserContextMiddleware
from app.models.categories import DEFAULT_CATEGORIES
from app.models.tickets import Priority, QueueView, TicketStatus
from app.models.users import Person
from app.texts import labels
from app.texts.tickets import priority_label
from app.utils.i18n import create_i18n
from bench.common import (
    BENCH_SUPERADMIN_ID,
    BenchContext,
    CommandCounter,
    Metric,
    Result,
    Table,
    bench_client,
    check_client_options,
    current_rss_mb,
    peak_rss_mb,
    percentile,
)
from bench.fake_session import FakeTelegramSession
from bench.profiling import ProfileSummary, profile_async
from bench.seed import SeedPlan, now_utc, seeded_language, ticket_docs, user_docs

KEY = "updates"
ORDER = 10  # position in bench/run.py's table
FULL_UPDATES, QUICK_UPDATES = 5_000, 500
FULL_SEED_TICKETS, QUICK_SEED_TICKETS = 50_000, 2_000  # real MongoDB
NX_FULL_SEED_TICKETS, NX_QUICK_SEED_TICKETS = 1_000, 300  # see seed_size()
FULL_PROFILE_UPDATES, QUICK_PROFILE_UPDATES = 400, 100  # pyinstrument holds every sample in memory
ADMIN_COUNT = 6
ACTIVE_USERS = 16  # journeys in progress at any time; their updates interleave
NEW_USER_SHARE = 0.5  # the rest are employees from the seeded history
FIRST_ADMIN_ID = 700_000_001
FIRST_NEW_USER_ID = 50_000_000
TARGET_UPDATES_PER_SECOND = 1_000
TARGET_MEDIAN_ROUND_TRIPS = 3
TARGET_COST_RATIO = 4.0
ASSUMED_RTTS_MS = (0.1, 0.5)
UNFINISHED = {
    "close: button",
    "conversation: add button",
    "conversation: employee message",
    "conversation: reply button",
}
EMPLOYEE_MESSAGE, STAFF_REPLY = "conversation: employee message", "conversation: staff reply"
TARGET_ROUND_TRIPS = {
    EMPLOYEE_MESSAGE: 3,
    STAFF_REPLY: 4,
}  # per routed message, the delivery record included: the conversation's own part (see the docstring)
REGISTRATION, FSM_READ, FSM_WRITE, MAINTENANCE, OWN = (
    "registration",
    "FSM read",
    "FSM write",
    "maintenance check",
    "conversation's own",
)
PARTS = (REGISTRATION, FSM_READ, FSM_WRITE, MAINTENANCE, OWN)
PLURALS = {EMPLOYEE_MESSAGE: ("employee message", "employee messages"), STAFF_REPLY: ("staff reply", "staff replies")}
_REGISTER_CODE = UserContextMiddleware.register.__code__
_FSM_FILE = fsm_storage.__file__
_MARKER_FILE = restore_state.__file__


def command_part(event: CommandStartedEvent) -> str:
    """Which part of the update sends this command: the nearest telling frame up the stack.
    Whatever none tells is counted as the conversation's own, so that part is never understated."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code is _REGISTER_CODE:
            return REGISTRATION
        if code.co_filename == _FSM_FILE:
            return FSM_READ if event.command_name == "find" else FSM_WRITE
        if code.co_filename == _MARKER_FILE:  # read in a task of its own, at most once a second
            return MAINTENANCE
        frame = frame.f_back  # type: ignore[assignment]
    return OWN


# ---------------------------------------------------------------------------------------------
# The update script


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    first_name: str
    username: str
    language: str


@dataclass(slots=True)
class Step:
    kind: str
    actor: Actor
    raw: dict[str, Any]


@dataclass(slots=True)
class Expectations:
    """What the script will have done once every step has been handled."""

    submitted: list[int] = field(default_factory=list)  # ticket numbers, in submit order
    taken: dict[int, int] = field(default_factory=dict)  # number -> admin id
    closed: set[int] = field(default_factory=set)
    conversations: set[int] = field(default_factory=set)  # tickets with one employee message and one reply


FORM_CATEGORY = DEFAULT_CATEGORIES[4]  # Printers: what the scripted description is about


class Labels:
    """Reply-keyboard texts as a user of each language sees (and therefore sends) them."""

    def __init__(self, i18n: I18n) -> None:
        self.by_language: dict[str, dict[str, str]] = {}
        for language in i18n.available_locales:
            with i18n.context(), i18n.use_locale(language):
                values = {
                    name: str(getattr(labels, name))
                    for name in ("NEW_TICKET", "MY_TICKETS", "MEDIA_DONE", "MEDIA_SKIP", "SUBMIT", "QUEUE")
                }
                values.update({f"PRIORITY_{p.name}": priority_label(p) for p in Priority})
                values["CATEGORY"] = FORM_CATEGORY.name(language)  # a default category's button
            self.by_language[language] = values

    def __call__(self, actor: Actor, name: str) -> str:
        return self.by_language[actor.language][name]


class ScriptBuilder:
    """Round-robin over users filling the form and admins working the queue."""

    def __init__(
        self,
        labels: Labels,
        *,
        bot_id: int,
        first_number: int,
        seeded_users: SeedPlan,
        seed: int,
        used_seeded: set[int] | None = None,
    ) -> None:
        self.labels = labels
        self.bot_id = bot_id
        self.rng = random.Random(seed)
        self.next_number = first_number
        self.seeded_users = seeded_users
        self.next_update_id = 1
        self.next_message_id = 1_000
        self.next_new_user = FIRST_NEW_USER_ID + seed * 100_000
        self.used_seeded = used_seeded if used_seeded is not None else set()  # one journey per person
        self.expect = Expectations()
        self.admins = [
            Actor(FIRST_ADMIN_ID + i, f"Admin{i}", f"admin{i}", "uk" if i % 2 else "en") for i in range(ADMIN_COUNT)
        ]
        self.pending: deque[tuple[int, Actor]] = deque()  # submitted tickets and their employees

    # -- raw updates, shaped like Telegram's ---------------------------------------------------

    def _user(self, actor: Actor) -> dict[str, Any]:
        return {
            "id": actor.user_id,
            "is_bot": False,
            "first_name": actor.first_name,
            "username": actor.username,
            "language_code": actor.language,
        }

    def _chat(self, actor: Actor) -> dict[str, Any]:
        return {"id": actor.user_id, "type": "private", "first_name": actor.first_name, "username": actor.username}

    def _ids(self) -> tuple[int, int]:
        update_id, message_id = self.next_update_id, self.next_message_id
        self.next_update_id += 1
        self.next_message_id += 1
        return update_id, message_id

    def message(self, actor: Actor, text: str | None = None, *, photo: bool = False) -> dict[str, Any]:
        update_id, message_id = self._ids()
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(actor),
            "from": self._user(actor),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if photo:
            unique = f"{update_id:010d}"
            message["photo"] = [
                {
                    "file_id": f"AgACAgIAAxkBAAI{unique}{size}",
                    "file_unique_id": f"AQAD{unique}{size}",
                    "width": width,
                    "height": height,
                    "file_size": width * height // 8,
                }
                for size, (width, height) in enumerate([(90, 67), (320, 240), (1280, 960)])
            ]
        return {"update_id": update_id, "message": message}

    def callback(self, actor: Actor, data: str) -> dict[str, Any]:
        update_id, message_id = self._ids()
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb{update_id}",
                "from": self._user(actor),
                "chat_instance": f"ci{actor.user_id}",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": self._chat(actor),
                    "from": {"id": self.bot_id, "is_bot": True, "first_name": "Bench", "username": "bench_bot"},
                    "text": "…",
                },
            },
        }

    # -- journeys -----------------------------------------------------------------------------

    def new_actor(self) -> Actor:
        name = self.rng.choice(["Ivan", "Olena", "Taras", "Iryna", "Andrii", "Oksana"])
        if self.rng.random() < NEW_USER_SHARE or len(self.used_seeded) >= self.seeded_users.users:
            user_id = self.next_new_user
            self.next_new_user += 1
            return Actor(user_id, name, f"u{user_id}", "uk" if self.rng.random() < 0.7 else "en")
        while True:
            user_id = self.seeded_users.first_user_id + self.rng.randrange(self.seeded_users.users)
            if user_id not in self.used_seeded:
                self.used_seeded.add(user_id)
                # A known employee: the bot speaks (and labels buttons in) their stored language.
                return Actor(user_id, name, f"u{user_id}", seeded_language(user_id))

    def user_journey(self, actor: Actor) -> Iterator[Step]:
        label = self.labels
        yield Step("/start", actor, self.message(actor, "/start"))
        yield Step("form: open", actor, self.message(actor, label(actor, "NEW_TICKET")))
        yield Step("form: category", actor, self.message(actor, label(actor, "CATEGORY")))
        yield Step("form: name", actor, self.message(actor, f"{actor.first_name} Petrenko"))
        yield Step("form: phone", actor, self.message(actor, f"050{self.rng.randrange(10**7):07d}"))
        description = "The printer on the third floor shows a paper jam but there is no paper in it."
        yield Step("form: description", actor, self.message(actor, description))
        yield Step("form: photo", actor, self.message(actor, photo=True))
        yield Step("form: done", actor, self.message(actor, label(actor, "MEDIA_DONE")))
        priority = self.rng.choice(["LOW", "NORMAL", "NORMAL", "HIGH", "CRITICAL"])
        yield Step("form: priority", actor, self.message(actor, label(actor, f"PRIORITY_{priority}")))
        number = self.next_number
        self.next_number += 1
        self.expect.submitted.append(number)
        yield Step("form: submit", actor, self.message(actor, label(actor, "SUBMIT")))
        self.pending.append((number, actor))  # staff see it from now on
        yield Step("my tickets", actor, self.message(actor, label(actor, "MY_TICKETS")))

    def admin_work(self, admin: Actor) -> Iterator[Step]:
        """Forever: look at the queue, take the oldest ticket nobody took, close it."""
        turn = 0
        while True:
            if not self.pending:
                yield Step("idle", admin, {})
                continue
            number, employee = self.pending.popleft()
            if turn % 2 == 0:
                yield Step("queue: menu", admin, self.message(admin, self.labels(admin, "QUEUE")))
            else:
                data = QueueCallback(view=QueueView.NEW, page=turn % 3).pack()
                yield Step("queue: page", admin, self.callback(admin, data))
            turn += 1
            take = StaffTicketCallback(action=StaffTicketAction.TAKE, number=number).pack()
            self.expect.taken[number] = admin.user_id
            yield Step("take", admin, self.callback(admin, take))
            yield from self.conversation(number, employee, admin)
            close = StaffTicketCallback(action=StaffTicketAction.CLOSE, number=number).pack()
            yield Step("close: button", admin, self.callback(admin, close))
            self.expect.closed.add(number)
            yield Step("close: skip comment", admin, self.message(admin, self.labels(admin, "MEDIA_SKIP")))

    def conversation(self, number: int, employee: Actor, admin: Actor) -> Iterator[Step]:
        """The employee adds a message to the taken ticket (routed to its assignee); the admin replies."""
        add = TicketMessageCallback(action=TicketMessageAction.ADD, number=number).pack()
        yield Step("conversation: add button", employee, self.callback(employee, add))
        words = "It still shows the paper jam after a restart; the tray is empty."
        yield Step(EMPLOYEE_MESSAGE, employee, self.message(employee, words))
        reply = ConversationCallback(action=ConversationAction.REPLY, number=number).pack()
        yield Step("conversation: reply button", admin, self.callback(admin, reply))
        yield Step(STAFF_REPLY, admin, self.message(admin, "Coming to look at it in ten minutes."))
        self.expect.conversations.add(number)

    def build(self, count: int) -> list[Step]:
        """About `count` steps; a few more if an admin's work would otherwise stop inside a dialogue."""
        users: list[Iterator[Step]] = [self.user_journey(self.new_actor()) for _ in range(ACTIVE_USERS)]
        admins = [self.admin_work(admin) for admin in self.admins]
        steps: list[Step] = []
        last_kind: dict[int, str] = {}  # per admin worker
        while len(steps) < count:
            for slot in range(len(users)):
                step = next(users[slot], None)
                if step is None:
                    users[slot] = self.user_journey(self.new_actor())
                    step = next(users[slot])
                steps.append(step)
                if len(steps) >= count:
                    break
            for index, worker in enumerate(admins):
                if len(steps) >= count:
                    break
                step = next(worker)
                if step.kind != "idle":
                    steps.append(step)
                    last_kind[index] = step.kind
        # Someone left in a dialogue step (the close comment, a message being composed) would take
        # the next run's first message as its answer: each admin's work runs to a resting point.
        for index, worker in enumerate(admins):
            while last_kind.get(index) in UNFINISHED:
                step = next(worker)
                steps.append(step)
                last_kind[index] = step.kind
        return steps


# ---------------------------------------------------------------------------------------------
# Bots under test


@dataclass(slots=True)
class Sample:
    kind: str
    wall_ms: float
    cpu_ms: float
    round_trips: int
    db_ms: float
    parts: tuple[tuple[str, str], ...] = ()  # (part, "command collection") per command, attributed kinds only

    def trips_of(self, part: str) -> int:
        return sum(1 for name, _target in self.parts if name == part)


@dataclass(slots=True)
class Run:
    samples: list[Sample]
    unhandled: int
    wall_s: float
    targets: Counter[str] = field(default_factory=Counter)  # round trips by "command collection"
    target_us: Counter[str] = field(default_factory=Counter)
    rss_mb: float = 0.0  # resident set size right after the run

    def series(self, attribute: str, kind: str | None = None) -> list[float]:
        return [getattr(s, attribute) for s in self.samples if kind is None or s.kind == kind]

    @property
    def updates_per_second(self) -> float:
        return len(self.samples) / self.wall_s


async def feed(dispatcher: Dispatcher, bot: Bot, steps: list[Step], counter: CommandCounter | None, warmup: int) -> Run:
    samples: list[Sample] = []
    unhandled = 0
    targets_before: Counter[str] = Counter()
    us_before: Counter[str] = Counter()
    started = time.perf_counter()
    for index, step in enumerate(steps):
        if index == warmup:
            started = time.perf_counter()
            if counter:
                targets_before, us_before = Counter(counter.by_target), Counter(counter.us_by_target)
        mark = counter.mark() if counter else (0, 0)
        if counter:
            counter.classifying, counter.classified = step.kind in TARGET_ROUND_TRIPS, []
        wall0, cpu0 = time.perf_counter(), time.process_time()
        response = await dispatcher.feed_raw_update(bot, step.raw)
        wall1, cpu1 = time.perf_counter(), time.process_time()
        round_trips, db_us = counter.since(mark) if counter else (0, 0)
        parts = tuple(counter.classified) if counter else ()
        if response is UNHANDLED:
            unhandled += 1
        if index >= warmup:
            wall_ms, cpu_ms = (wall1 - wall0) * 1000, (cpu1 - cpu0) * 1000
            samples.append(Sample(step.kind, wall_ms, cpu_ms, round_trips, db_us / 1000, parts))
    if counter:
        counter.classifying = False
    run = Run(samples, unhandled, time.perf_counter() - started, rss_mb=current_rss_mb())
    if counter:
        run.targets = Counter(counter.by_target) - targets_before
        run.target_us = Counter(counter.us_by_target) - us_before
    return run


def echo_dispatcher() -> Dispatcher:
    """The baseline: aiogram's minimum for answering every update (MemoryStorage FSM)."""
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "📎")

    @router.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


class ErrorLog(logging.Handler):
    """Collects ERROR records (the bot's error handler logs instead of raising)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


def forbidden_answers(i18n: I18n) -> list[re.Pattern[str]]:
    """Answers that mean the script did not do what it claims (fallback, refusals, errors)."""
    templates: list[str] = []
    for language in i18n.available_locales:
        with i18n.context(), i18n.use_locale(language):
            templates += [
                _("I did not understand that. Please choose an action with the buttons below."),
                _("This button is no longer active."),
                _("Ticket not found."),
                _("Something went wrong. Please try again."),
                _("Please choose one of the buttons."),
                _("Ticket #{number} is already taken by {name}."),
                _("Take ticket #{number} into work first."),
                _("Only the assignee or the super-admin can do this with ticket #{number}."),
            ]
    patterns = []
    for template in templates:
        escaped = re.escape(template).replace(r"\{number\}", r"\d+").replace(r"\{name\}", ".+")
        patterns.append(re.compile(escaped))
    return patterns


# ---------------------------------------------------------------------------------------------
# The benchmark


@dataclass(slots=True)
class AppUnderTest:
    repos: Repositories
    dispatcher: Dispatcher
    bot: Bot
    session: FakeTelegramSession
    i18n: I18n


async def seed_database(repos: Repositories, plan: SeedPlan, admins: list[Actor], superadmin_id: int) -> None:
    now = now_utc()
    people = [Person(a.user_id, f"{a.first_name} Admin") for a in admins]
    users = list(user_docs(plan, now))
    users.append(
        {
            "_id": superadmin_id,
            "first_name": "Olena",
            "last_name": None,
            "username": "olena_it",
            "reachable": True,
            "language": "uk",
            "created_at": now - timedelta(days=1000),
        }
    )
    await repos.users.collection.insert_many(users, ordered=False)
    batch: list[dict[str, Any]] = []
    for doc in ticket_docs(plan, now, people):
        batch.append(doc)
        if len(batch) == 5_000:
            await repos.tickets.collection.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await repos.tickets.collection.insert_many(batch, ordered=False)
    await repos.counters.collection.update_one(
        {"_id": "tickets"}, {"$set": {"value": plan.first_number + plan.tickets - 1}}, upsert=True
    )
    await repos.admins.collection.insert_many(
        [{"_id": p.id, "name": p.name, "username": None, "added_by": superadmin_id, "added_at": now} for p in people]
    )
    await repos.admins.sync_role_marks()  # as the bot's start-up does


async def verify(
    repos: Repositories, run: Run, session: FakeTelegramSession, i18n: I18n, expect: Expectations, errors: ErrorLog
) -> list[str]:
    """Raises if the run did not do what the script says; returns the facts for the report."""
    problems: list[str] = []
    numbers = expect.submitted
    tickets = (
        {
            doc["number"]: doc
            async for doc in repos.tickets.collection.find(
                {"number": {"$gte": min(numbers)}},
                {"number": 1, "status": 1, "assignee": 1, "media": 1, "awaiting_staff": 1},
            )
        }
        if numbers
        else {}
    )
    if sorted(tickets) != sorted(numbers):
        problems.append(f"tickets created {len(tickets)} != forms submitted {len(numbers)}")
    statuses = Counter(doc["status"] for doc in tickets.values())
    want_closed = len(expect.closed)
    want_in_work = len(expect.taken) - want_closed
    if statuses[TicketStatus.CLOSED.value] != want_closed:
        problems.append(f"closed {statuses[TicketStatus.CLOSED.value]} != closes sent {want_closed}")
    if statuses[TicketStatus.IN_PROGRESS.value] != want_in_work:
        problems.append(f"in work {statuses[TicketStatus.IN_PROGRESS.value]} != taken-not-closed {want_in_work}")
    wrong_assignee = [
        n for n, admin in expect.taken.items() if (tickets.get(n, {}).get("assignee") or {}).get("id") != admin
    ]
    if wrong_assignee:
        problems.append(f"{len(wrong_assignee)} tickets without the admin who took them, e.g. #{wrong_assignee[0]}")
    without_photo = [n for n, doc in tickets.items() if len(doc.get("media") or []) != 1]
    if without_photo:
        problems.append(f"{len(without_photo)} tickets without their photo, e.g. #{without_photo[0]}")
    audits = await repos.audit.collection.count_documents({"ticket": {"$gte": min(numbers)}}) if numbers else 0
    if audits != len(expect.taken) + want_closed:
        problems.append(f"audit records {audits} != takes + closes {len(expect.taken) + want_closed}")
    talked = sorted(expect.conversations)
    messages = Counter(
        [
            (doc["number"], doc["direction"], doc["delivery"])
            async for doc in repos.ticket_messages.collection.find(
                {"number": {"$in": talked}}, {"number": 1, "direction": 1, "delivery": 1}
            )
        ]
    )
    unheard = [n for n in talked if messages[(n, "in", "sent")] != 1 or messages[(n, "out", "sent")] != 1]
    if unheard:
        problems.append(f"{len(unheard)} conversations without one delivered message each way, e.g. #{unheard[0]}")
    waiting = [n for n in talked if (tickets.get(n) or {}).get("awaiting_staff") is not False]
    if waiting:
        problems.append(f"{len(waiting)} answered tickets still marked as waiting for staff, e.g. #{waiting[0]}")
    if run.unhandled:
        problems.append(f"{run.unhandled} updates unhandled")
    if errors.records:
        problems.append(f"{len(errors.records)} errors logged, first: {errors.records[0]}")
    bad = forbidden_answers(i18n)
    refusals = [text for _, _, text in session.sent if any(p.match(text) for p in bad)]
    if refusals:
        problems.append(f"{len(refusals)} refusal/fallback answers, first: {refusals[0][:80]!r}")
    if problems:
        raise AssertionError("the update benchmark did not do what it claims: " + "; ".join(problems))
    return [
        f"checked: {len(numbers)} forms submitted = {len(tickets)} tickets created (one photo each); "
        f"{len(expect.taken)} taken, {want_closed} closed by the admin who took them; "
        f"{audits} audit records; {len(talked)} conversations, one employee message routed to the assignee "
        f"and one staff reply delivered each, none left marked as waiting; 0 unhandled, 0 errors, 0 fallback answers; "
        f"{session.total_calls} Bot API calls answered by the fake session"
    ]


async def build_app(ctx: BenchContext, db_name: str, counter: CommandCounter) -> AppUnderTest:
    settings = ctx.settings(db_name)
    client = bench_client(ctx.uri, [counter])
    repos = Repositories.create(client[db_name])
    i18n = create_i18n(settings.default_language)
    bot = create_bot(settings)
    await bot.session.close()
    session = FakeTelegramSession()
    session.middleware = bot.session.middleware  # the app's request middlewares, as in production
    bot.session = session
    dispatcher = create_dispatcher(settings, bot, client, repos, i18n)
    return AppUnderTest(repos, dispatcher, bot, session, i18n)


async def close_app(app: AppUnderTest) -> None:
    await app.dispatcher["broadcaster"].close()
    await app.dispatcher["album_replies"].close()
    await app.repos.db.client.drop_database(app.repos.db.name)
    await app.repos.db.client.close()


KIND_ORDER = [
    "/start",
    "form: open",
    "form: category",
    "form: name",
    "form: phone",
    "form: description",
    "form: photo",
    "form: done",
    "form: priority",
    "form: submit",
    "my tickets",
    "queue: menu",
    "queue: page",
    "take",
    "conversation: add button",
    "conversation: employee message",
    "conversation: reply button",
    "conversation: staff reply",
    "close: button",
    "close: skip comment",
]


def kind_table(app_run: Run, echo_run: Run) -> tuple[list[str], list[list[str]]]:
    headers = ["update kind", "n", "p50 ms", "p99 ms", "echo p50 ms", "CPU ms", "DB trips (median/max)", "DB ms"]
    rows: list[list[str]] = []
    present = {s.kind for s in app_run.samples}
    kinds = [k for k in KIND_ORDER if k in present] + sorted(present - set(KIND_ORDER))
    for kind in kinds:
        wall = app_run.series("wall_ms", kind)
        trips = app_run.series("round_trips", kind)
        rows.append(
            [
                kind,
                str(len(wall)),
                f"{percentile(wall, 50):.2f}",
                f"{percentile(wall, 99):.2f}",
                f"{percentile(echo_run.series('wall_ms', kind), 50):.3f}",
                f"{statistics.fmean(app_run.series('cpu_ms', kind)):.2f}",
                f"{statistics.median(trips):g} / {max(trips):g}",
                f"{statistics.fmean(app_run.series('db_ms', kind)):.2f}",
            ]
        )
    return headers, rows


def round_trip_table(app_run: Run) -> tuple[list[str], list[list[str]]]:
    headers = ["command and collection", "per update", "share", "mean ms"]
    measured = len(app_run.samples)
    total = sum(app_run.targets.values()) or 1
    rows = [
        [target, f"{n / measured:.2f}", f"{n / total:.0%}", f"{app_run.target_us[target] / n / 1000:.2f}"]
        for target, n in app_run.targets.most_common()
    ]
    return headers, rows


def conversation_metrics(app_run: Run, echo_run: Run) -> list[Metric]:
    """Per routed message: the whole update's round trips, the conversation's own (the target's
    measure), and the rate one process handles such messages at."""
    metrics: list[Metric] = []
    for kind, target in TARGET_ROUND_TRIPS.items():
        samples = [s for s in app_run.samples if s.kind == kind]
        if not samples:
            continue
        name, many = PLURALS[kind]
        whole = [s.round_trips for s in samples]
        own = [s.trips_of(OWN) for s in samples]
        split = " + ".join(f"{part} {statistics.median([s.trips_of(part) for s in samples]):g}" for part in PARTS)
        metrics.append(
            Metric(
                f"DB round trips per {name}, whole update, median",
                statistics.median(whole),
                "",
                0.0,
                note=f"max {max(whole):g}; = {split} (medians)",
            )
        )
        metrics.append(
            Metric(
                f"DB round trips per {name}, the conversation's own, median",
                statistics.median(own),
                "",
                0.0,
                f"≤ {target}",
                statistics.median(own) <= target,
                f"max {max(own):g}; routing, ticket mark, storing, languages, delivery record — beyond "
                "registration and FSM (attributed by call stack)",
            )
        )
        metrics.append(
            Metric(
                f"{many} handled per second, one at a time",
                1000 / statistics.fmean(s.wall_ms for s in samples),
                "upd/s",
                1000 / statistics.fmean(echo_run.series("wall_ms", kind)),
                note="= 1000 / mean handling ms of this kind",
            )
        )
    return metrics


def part_table(app_run: Run) -> tuple[list[str], list[list[str]]]:
    headers = ["update kind", "part", "trips (median)", "commands (per update, mean)"]
    rows: list[list[str]] = []
    for kind in TARGET_ROUND_TRIPS:
        samples = [s for s in app_run.samples if s.kind == kind]
        for part in PARTS:
            targets = Counter(target for s in samples for name, target in s.parts if name == part)
            listed = ", ".join(f"{target} ×{n / len(samples):.2g}" for target, n in targets.most_common())
            median = statistics.median([s.trips_of(part) for s in samples]) if samples else 0
            rows.append([kind, part, f"{median:g}", listed or "—"])
    return headers, rows


def seed_size(quick: bool, ctx: BenchContext) -> tuple[int, str]:
    if ctx.external:
        return (QUICK_SEED_TICKETS if quick else FULL_SEED_TICKETS), ""
    size = NX_QUICK_SEED_TICKETS if quick else NX_FULL_SEED_TICKETS
    return size, (
        f"seeded history kept at {size} tickets on nx-27017: it sorts a query's matches in Python (the first "
        "queue page takes ≈ 150 ms at 2,000 tickets, see the queue benchmark), so per-query time grows with the "
        "collection"
    )


async def run(quick: bool, ctx: BenchContext) -> list[Result]:
    total = int(ctx.options.get("updates") or (QUICK_UPDATES if quick else FULL_UPDATES))
    seed_tickets, seed_note = seed_size(quick, ctx)
    plan = SeedPlan(tickets=seed_tickets)
    warmup = max(20, total // 20)
    await check_client_options(ctx.uri)

    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    counter = CommandCounter(classify=command_part)
    app = await build_app(ctx, ctx.database_name("updates"), counter)
    try:
        await app.repos.ensure_indexes()
        await app.repos.categories.seed_defaults()
        builder = ScriptBuilder(
            Labels(app.i18n), bot_id=app.bot.id, first_number=plan.tickets + 1, seeded_users=plan, seed=1
        )
        began = time.perf_counter()
        await seed_database(app.repos, plan, builder.admins, BENCH_SUPERADMIN_ID)
        ctx.log(f"seeded {plan.tickets} tickets, {plan.users} users in {time.perf_counter() - began:.1f} s")
        steps = builder.build(warmup + total)
        total = len(steps) - warmup

        app_run = await feed(app.dispatcher, app.bot, steps, counter, warmup)
        ctx.log(f"bot: {len(steps)} updates in {app_run.wall_s:.1f} s")
        facts = await verify(app.repos, app_run, app.session, app.i18n, builder.expect, errors)
        if counter.failures:
            facts.append("database command failures: " + ", ".join(f"{k} ×{n}" for k, n in counter.failures.items()))

        command_cpu_ms = await client_cpu_per_command(app.repos)

        echo_bot = create_bot(ctx.settings("echo"))
        await echo_bot.session.close()
        echo_bot.session = FakeTelegramSession()
        echo_run = await feed(echo_dispatcher(), echo_bot, steps, None, warmup)
        ctx.log(f"echo baseline: {len(steps)} updates in {echo_run.wall_s:.1f} s")

        profile_builder = ScriptBuilder(
            Labels(app.i18n),
            bot_id=app.bot.id,
            first_number=builder.next_number,
            seeded_users=plan,
            seed=2,
            used_seeded=builder.used_seeded,
        )
        profile_steps = profile_builder.build(QUICK_PROFILE_UPDATES if quick else FULL_PROFILE_UPDATES)
        began = time.perf_counter()
        profile = await profile_async(
            lambda: feed(app.dispatcher, app.bot, profile_steps, None, 0),
            "updates_quick" if quick else "updates",
            ctx.server,
        )
        ctx.log(f"profile: {len(profile_steps)} updates in {time.perf_counter() - began:.1f} s")
        notes = [seed_note] if seed_note else []
        return [report(ctx, app_run, echo_run, total, warmup, plan, [*notes, *facts], profile, command_cpu_ms)]
    finally:
        logging.getLogger().removeHandler(errors)
        await close_app(app)


async def client_cpu_per_command(repos: Repositories, commands: int = 400) -> float:
    """This process's CPU ms for one `find_one` by _id on the app's client: what PyMongo
    itself costs per command, whatever the server, since the server is another process."""
    user_id = await repos.users.collection.find_one({}, {"_id": 1})
    assert user_id is not None
    for _warm_up in range(50):
        await repos.users.collection.find_one({"_id": user_id["_id"]})
    began = time.process_time()
    for _measured in range(commands):
        await repos.users.collection.find_one({"_id": user_id["_id"]})
    return (time.process_time() - began) * 1000 / commands


def report(
    ctx: BenchContext,
    app_run: Run,
    echo_run: Run,
    total: int,
    warmup: int,
    plan: SeedPlan,
    facts: list[str],
    profile: ProfileSummary,
    command_cpu_ms: float,
) -> Result:
    wall = app_run.series("wall_ms")
    echo_wall = echo_run.series("wall_ms")
    cpu = app_run.series("cpu_ms")
    echo_cpu = echo_run.series("cpu_ms")
    trips = app_run.series("round_trips")
    db_ms = app_run.series("db_ms")
    median_trips = statistics.median(trips)
    mean_trips = statistics.fmean(trips)
    mean_cpu = statistics.fmean(cpu)
    mean_wall = statistics.fmean(wall)
    per_trip_ms = sum(db_ms) / max(1, sum(trips))
    on = "this server" if ctx.external else "nx-27017"
    metrics = [
        Metric(
            "throughput, one update at a time",
            app_run.updates_per_second,
            "upd/s",
            echo_run.updates_per_second,
            f"≥ {TARGET_UPDATES_PER_SECOND} (real MongoDB)",
            app_run.updates_per_second >= TARGET_UPDATES_PER_SECOND,
            f"measured on {on}",
        ),
        Metric("handling time p50", percentile(wall, 50), "ms", percentile(echo_wall, 50)),
        Metric("handling time p99", percentile(wall, 99), "ms", percentile(echo_wall, 99)),
        Metric(
            "handling time mean = cost per update",
            mean_wall,
            "ms",
            statistics.fmean(echo_wall),
            f"ratio ≤ {TARGET_COST_RATIO:g}×",
            mean_wall / statistics.fmean(echo_wall) <= TARGET_COST_RATIO,
        ),
        Metric(
            "bot-process CPU per update (cost minus DB wait)",
            mean_cpu,
            "ms",
            statistics.fmean(echo_cpu),
            f"ratio ≤ {TARGET_COST_RATIO:g}×",
            mean_cpu / statistics.fmean(echo_cpu) <= TARGET_COST_RATIO,
        ),
        Metric(
            "CPU ceiling: 1000 / CPU ms (DB waits fully overlapped)",
            1000 / mean_cpu,
            "upd/s",
            1000 / statistics.fmean(echo_cpu),
            f"≥ {TARGET_UPDATES_PER_SECOND}",
            1000 / mean_cpu >= TARGET_UPDATES_PER_SECOND,
            "one process, one core; an upper bound",
        ),
        Metric(
            "DB round trips per update, median",
            median_trips,
            "",
            0.0,
            f"≤ {TARGET_MEDIAN_ROUND_TRIPS}",
            median_trips <= TARGET_MEDIAN_ROUND_TRIPS,
        ),
        Metric("DB round trips per update, mean", mean_trips, "", 0.0, note=f"p99 {percentile(trips, 99):g}"),
        Metric(
            "DB time per update (sum of command durations)",
            statistics.fmean(db_ms),
            "ms",
            0.0,
            note=f"{per_trip_ms:.2f} ms per round trip on {on}",
        ),
        Metric(
            "PyMongo client CPU per command (find_one by _id, alone)",
            command_cpu_ms,
            "ms",
            statistics.fmean(echo_cpu),
            note=f"baseline = echo bot's CPU per update; the median update's {median_trips:g} commands alone: "
            f"{median_trips * command_cpu_ms:.2f} ms = "
            f"{median_trips * command_cpu_ms / statistics.fmean(echo_cpu):.1f}× the echo bot's whole update",
        ),
    ]
    metrics += conversation_metrics(app_run, echo_run)
    for rtt in ASSUMED_RTTS_MS:
        projected = 1000 / (mean_cpu + mean_trips * rtt)
        metrics.append(
            Metric(
                f"projection at {rtt:g} ms per round trip",
                projected,
                "upd/s",
                None,
                f"≥ {TARGET_UPDATES_PER_SECOND}",
                projected >= TARGET_UPDATES_PER_SECOND,
                "= 1000 / (CPU ms + trips × RTT): an estimate, not a measurement",
            )
        )
    metrics.append(
        Metric(
            "RSS of the bench process after the measured run",
            app_run.rss_mb,
            "MB",
            echo_run.rss_mb,
            note="baseline column: after the echo run (same process)",
        )
    )
    metrics.append(
        Metric(
            "peak RSS of the bench process (high-water mark)",
            peak_rss_mb(),
            "MB",
            note="includes pyinstrument, which keeps every sample in memory",
        )
    )
    server_rss = ctx.server_peak_rss_mb()
    if server_rss is not None:
        metrics.append(Metric("peak RSS of the nx-27017 server", server_rss, "MB"))
    kind_headers, kind_rows = kind_table(app_run, echo_run)
    trip_headers, trip_rows = round_trip_table(app_run)
    part_headers, part_rows = part_table(app_run)
    mix = Counter(s.kind for s in app_run.samples)
    staff = sum(
        n
        for kind, n in mix.items()
        if kind.startswith(("queue", "take", "close", "conversation: reply", "conversation: staff"))
    )
    notes = [
        f"{total} measured updates after {warmup} warm-up updates; {len(mix)} kinds, {staff / total:.0%} from "
        f"staff ({ADMIN_COUNT} admins); database pre-populated with {plan.tickets} tickets of {plan.users} users",
        *facts,
        *profile.lines(),
    ]
    return Result(
        key=KEY,
        title=f"Update handling — the bot's dispatcher vs a bare aiogram echo bot — {ctx.server}",
        metrics=metrics,
        notes=notes,
        details={
            "updates": total,
            "warmup": warmup,
            "seed_tickets": plan.tickets,
            "mix": dict(mix),
            "round_trips_by_target": dict(app_run.targets),
            "profile": profile.to_json(),
            "assumed_rtts_ms": list(ASSUMED_RTTS_MS),
            "server_peak_rss_mb": server_rss,
        },
        tables=[
            Table("Per update kind (the bot)", kind_headers, kind_rows),
            Table("Database round trips by command and collection (the bot)", trip_headers, trip_rows),
            Table(
                "Round trips of a routed message by part of the update (each command attributed by its call stack)",
                part_headers,
                part_rows,
            ),
        ],
    )
