"""Drill: hypothesis-generated updates from a plain user, fed into every state of the ticket
form and of the server-room note (and the idle menu), against the real in-process bot.

Per example the user is first driven into the target state by a real flow (/cancel, then
the form's own steps), then gets 1–6 generated actions: one update (text up to 4096
characters, a label, a command, a contact, a sticker, voice, location, photo/video/document
with a caption up to 4096, a renamed sender, a forged or stale button), an album, or a burst
of 2–4 updates sent without waiting. After every action the bot must go quiet, and after
every example:
- no unhandled error: nothing at ERROR level, no traceback in the bot's log;
- no staff action: seeded tickets, admins and broadcasts unchanged, no audit entry by the
  user, no message to another ticket's owner, no staff button or staff keyboard shown to
  the user, the user never in a staff state;
- every request the bot made was within Telegram's limits (only the refusals the bot treats
  as harmless, like "message is not modified");
- every message got an answer and every button press was answered (no spinner left).

Hypothesis cannot drive an `async def` test with @given, so the test starts the bot in its
own event loop and runs a sync @given function in a worker thread that hands each example
to that loop (`run_coroutine_threadsafe`). Shrinking is off (each example costs real bot
round trips); a failure still reports the falsifying example.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
from collections import Counter
from collections.abc import Coroutine
from copy import deepcopy
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.base import StorageKey
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from app.keyboards import callback_data as callback_data_module
from app.keyboards.callback_data import (
    BackupAction,
    BackupCallback,
    BroadcastAction,
    BroadcastCallback,
    ServerRoomAction,
    ServerRoomCallback,
    StaffAction,
    StaffCallback,
    StaffTicketAction,
    StaffTicketCallback,
)
from tests.drills._support import LogTail, Quiet, RefusalRecorder, failures_in
from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import STAFF_CALLBACKS, SUPERADMIN_CALLBACKS, ticket_doc

# DRILL_FUZZ_EXAMPLES=500 for a longer hunt; the suite keeps it short.
MAX_EXAMPLES = int(os.environ.get("DRILL_FUZZ_EXAMPLES", "40"))
USER_ID = 2001
OTHER_OWNER_ID = 2002
ADMIN_ID = 3001

# --- what a plain user may legitimately see and press ---------------------------------------

USER_PREFIXES = {"my", "srv", "lang", "tm"}
CALLBACK_CLASSES: list[type[CallbackData]] = [
    cls
    for cls in vars(callback_data_module).values()
    if inspect.isclass(cls) and issubclass(cls, CallbackData) and cls is not CallbackData
]
ALL_PREFIXES = {cls.__prefix__ for cls in CALLBACK_CLASSES}
STAFF_PREFIXES = ALL_PREFIXES - USER_PREFIXES

# The authorization matrix's buttons (tests/support/staff.py), plus every other staff prefix,
# packed by the app's factories (a renamed prefix must not leave the drill pressing dead data).
NAMED_STAFF_CALLBACKS = [
    *STAFF_CALLBACKS,
    *SUPERADMIN_CALLBACKS,
    StaffCallback(action=StaffAction.CONFIRM_REMOVE, user_id=SUPERADMIN_ID).pack(),
    BroadcastCallback(action=BroadcastAction.SEND, ref="x").pack(),
    BroadcastCallback(action=BroadcastAction.EDIT, ref="x").pack(),
    BroadcastCallback(action=BroadcastAction.CANCEL, ref="x").pack(),
    BroadcastCallback(action=BroadcastAction.STOP, ref="1").pack(),
    BackupCallback(action=BackupAction.PAGE).pack(),
    BackupCallback(action=BackupAction.CREATE).pack(),
    BackupCallback(action=BackupAction.SETTINGS).pack(),
    BackupCallback(action=BackupAction.RESTORE, backup_id="20250101T000000").pack(),
    BackupCallback(action=BackupAction.CONFIRM, backup_id="20250101T000000").pack(),
    BackupCallback(action=BackupAction.CANCEL).pack(),
    BackupCallback(action=BackupAction.UPLOAD).pack(),
    BackupCallback(action=BackupAction.CONFIRM, backup_id="..%2F..%2Fetc").pack(),  # a path in disguise
]

LABEL_SOURCE = Path(__file__).resolve().parents[2] / "app" / "texts" / "labels.py"
# Every reply-keyboard label (English msgids), read from the source so new ones are fuzzed too.
BUTTON_LABELS = re.findall(r'__\("([^"]+)"\)', LABEL_SOURCE.read_text(encoding="utf-8"))
STAFF_LABELS = {
    "📥 Queue",
    "🛠 In my work",
    "📨 Broadcast",
    "👥 Staff",
    "🗂 Categories",
    "💾 Backups",
    "🩺 Health",
    "🔄 Refresh panel",
}
COMMANDS = [
    "/start",
    "/new",
    "/my",
    "/call",
    "/language",
    "/menu",
    "/cancel",
    "/help",
    "/queue",
    "/staff",
    "/broadcast",
    "/backup",
    "/backup_list",
    "/backup_settings",
    "/health",
    "/restore",
    "/start payload",
    "/cancel@techsupport_test_bot",
    "/new@other_bot",
    "/",
    "//",
    "/Start",
]

DESCRIPTION = "The printer on the 3rd floor does not print."
# (state reached, what the user sends to get there, what the bot's prompt says)
FORM_PATH = [
    ("TicketForm:category", flows.NEW_TICKET, flows.step("category")),
    ("TicketForm:full_name", flows.CATEGORY, flows.step("name")),
    ("TicketForm:phone", "Ivan Petrenko", flows.step("phone")),
    ("TicketForm:description", "0501234567", flows.step("description")),
    ("TicketForm:media", DESCRIPTION, flows.step("media")),
    ("TicketForm:priority", flows.SKIP, flows.step("priority")),
    ("TicketForm:confirm", flows.PRIORITIES["high"], "Please check your ticket"),
    ("TicketForm:choose_edit", flows.EDIT, "What would you like to change?"),
]
STATES = ["idle", *(state for state, _, _ in FORM_PATH), "ServerRoomCall:note"]
USER_STATE_GROUPS = ("TicketForm:", "ServerRoomCall:", "EmployeeCompose:")


@pytest.fixture
def bot_settings_overrides() -> dict[str, object]:
    # No cooldown, so the note state can be entered again after a generated note was sent.
    return {"SERVER_ROOM_COOLDOWN_SECONDS": 0, "BACKUP_ENABLED": False}


# --- strategies -------------------------------------------------------------------------------

CHARS = st.characters(exclude_categories=["Cs"])  # Telegram text is valid UTF-16


def as_telegram_text(text: str, limit: int) -> str:
    """Trimmed like Telegram does, non-empty, at most `limit` UTF-16 code units."""
    text = text.strip() or "x"
    while len(text.encode("utf-16-le")) // 2 > limit:
        text = text[: -max(1, len(text) // 50)]
    return text.strip() or "x"


def huge(limit: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda chunk, n: (chunk * (n // len(chunk) + 1))[:n],
        st.text(CHARS, min_size=1, max_size=8),
        st.integers(limit - 100, limit + 50),
    )


TRICKY = [
    "<b>",
    "</b>",
    "<",
    ">",
    "&",
    "&amp;",
    "<a href='tg://user?id=1'>",
    "<i>",
    "</code>",
    "{",
    "}",
    "{name}",
    "{0}",
    "%s",
    "%(x)s",
    "\\",
    "\u202e",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "🙂",
    "👨‍👩‍👧",
    "ї",
    "Ґ",
    " ",
    "\n",
    "\t",
    "/start",
    "@",
    "#1",
    "0501234567",
    "+380501234567",
    "'",
    '"',
    "`",
    "*",
    "_",
    "$",
    "\x00",
    "\x7f",
]
TRICKY_TEXT = st.lists(st.sampled_from(TRICKY), min_size=1, max_size=40).map("".join)


def text_up_to(limit: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(CHARS, min_size=1, max_size=60),
        TRICKY_TEXT,
        st.text(CHARS, min_size=10, max_size=300),
        huge(limit),
    ).map(lambda text: as_telegram_text(text, limit))


def packed(cls: type[CallbackData]) -> st.SearchStrategy[str]:
    """Valid-looking data of one CallbackData class, with arbitrary field values."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in cls.model_fields.items():
        annotation = info.annotation
        if inspect.isclass(annotation) and issubclass(annotation, Enum):
            fields[name] = st.sampled_from(list(annotation))
        elif annotation is int:
            fields[name] = st.one_of(st.integers(-3, 5), st.integers(-(2**63), 2**63))
        else:
            fields[name] = st.text(CHARS.filter(lambda c: c != ":"), min_size=1, max_size=20)

    def pack(values: dict[str, Any]) -> str:
        try:
            return cls(**values).pack()
        except (ValueError, TypeError):  # over 64 bytes, or a value the model refuses
            return cls.__prefix__ + ":"

    return st.fixed_dictionaries(fields).map(pack)


def within_64_bytes(text: str) -> str:
    data = text.encode("utf-8")[:64]
    return data.decode("utf-8", "ignore") or "x"


CALLBACK_DATA = st.one_of(
    st.sampled_from(NAMED_STAFF_CALLBACKS),
    st.one_of(*(packed(cls) for cls in CALLBACK_CLASSES)),
    # Raw strings on purpose: malformed data (any text, or a real prefix with a garbled rest).
    st.text(CHARS, min_size=1, max_size=64).map(within_64_bytes),
    st.builds(
        lambda prefix, rest: within_64_bytes(f"{prefix}:{rest}"),
        st.sampled_from(sorted(ALL_PREFIXES)),
        st.text(CHARS, max_size=30),
    ),
)

PHONES = st.one_of(
    st.sampled_from(["+380671112233", "380671112233", "0671112233", "+1", "", "+" + "9" * 30, "not a phone"]),
    st.text(CHARS, max_size=30),
    st.from_regex(r"\+?[0-9 ()-]{0,25}", fullmatch=True),
)

SINGLE_ACTIONS = st.one_of(
    st.tuples(st.just("text"), text_up_to(4096)),
    st.tuples(st.just("text"), st.sampled_from(BUTTON_LABELS)),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("contact"), PHONES, st.one_of(st.none(), st.integers(1, 2**40)), st.booleans()),
    # Telegram names are the user's own text too (greetings, staff alerts): up to 64 characters each.
    st.tuples(st.just("rename"), text_up_to(64), st.one_of(st.none(), text_up_to(64))),
    st.tuples(st.just("sticker")),
    st.tuples(st.just("voice")),
    st.tuples(st.just("location")),
    st.tuples(st.just("photo"), st.one_of(st.none(), text_up_to(4096))),
    st.tuples(st.just("video"), st.one_of(st.none(), text_up_to(1024))),
    st.tuples(
        st.just("document"),
        st.one_of(
            st.sampled_from(["report.pdf", "backup_20250101T000000.zip", "../../etc/passwd", "x" * 255]),
            st.text(CHARS, min_size=1, max_size=80),
        ),
        st.one_of(st.none(), text_up_to(1024)),
    ),
    st.tuples(
        st.just("album"),
        st.one_of(
            st.lists(st.sampled_from(["photo", "video"]), min_size=2, max_size=10),
            st.lists(st.just("document"), min_size=2, max_size=10),
        ),
        st.one_of(st.none(), text_up_to(1024)),
    ),
    st.tuples(st.just("callback"), CALLBACK_DATA, st.sampled_from(["last", "last", "gone"])),
    st.tuples(st.just("callback"), CALLBACK_DATA, st.just("last")),
)
# A double tap or an impatient user: 2–4 updates sent without waiting for the answers.
BURST = st.tuples(
    st.just("burst"),
    st.lists(SINGLE_ACTIONS.filter(lambda a: a[0] not in ("album", "rename")), min_size=2, max_size=4),
)
ACTIONS = st.one_of(SINGLE_ACTIONS, BURST)


# A fixed mix every state gets once (explicit examples), before the generated ones.
EVERY_STATE_ACTIONS: list[tuple[Any, ...]] = [
    ("sticker",),
    ("rename", "<b>Ivan & {name}</b>", "</i>" * 16),
    ("text", "/queue"),
    ("callback", StaffTicketCallback(action=StaffTicketAction.TAKE, number=1).pack(), "last"),
    ("text", "<b>{name}</b> & " * 300),
    ("photo", "<i>" * 1000),
    ("contact", "+380671112233", 555, False),
    ("album", ["photo", "video", "photo"], "&lt;" * 200),
    (
        "burst",
        [
            ("text", flows.BACK),
            ("text", flows.BACK),
            ("callback", ServerRoomCallback(action=ServerRoomAction.NO_NOTE).pack(), "last"),
            ("text", "/cancel"),
        ],
    ),
]

# --- the drill ---------------------------------------------------------------------------------


class FuzzWorld:
    def __init__(self, bot: BotHarness) -> None:
        self.bot = bot
        self.fake = bot.fake
        self.user: FakeUser = bot.fake.user(USER_ID, first_name="Ivan", username="ivan_p", language_code="en")
        self.other_owner = bot.fake.user(OTHER_OWNER_ID, first_name="Petro", language_code="en")
        self.refusals = RefusalRecorder(bot.fake)
        self.quiet = Quiet(bot)
        self.log = LogTail(bot.settings.log_dir)
        self.stats: Counter[str] = Counter()
        self.state_counts: Counter[str] = Counter()
        self.seeded: dict[str, list[dict[str, Any]]] = {}
        self.audit_count = 0
        self.broadcast_count = 0

    async def setup(self) -> None:
        db = self.bot.db
        admin = {"_id": ADMIN_ID, "name": "Olha", "username": None, "added_by": SUPERADMIN_ID}
        await db.admins.insert_one({**admin, "added_at": datetime.now(UTC)})
        self.fake.user(ADMIN_ID, first_name="Olha", language_code="en")
        tickets = [
            ticket_doc(1, OTHER_OWNER_ID, media=1),
            ticket_doc(2, USER_ID, status="in_progress", assignee={"id": ADMIN_ID, "name": "Olha"}, media=2),
            ticket_doc(3, OTHER_OWNER_ID, status="in_progress", assignee={"id": ADMIN_ID, "name": "Olha"}),
        ]
        for ticket in tickets:  # attachments Telegram knows, so re-sending them is a real request
            for item in ticket["media"]:
                item["file_id"] = self.fake.new_file("photo", 48_213).file_id
        await db.tickets.insert_many(tickets)
        await db.counters.insert_one({"_id": "tickets", "value": 3})
        await flows.start(self.other_owner)
        await flows.start(self.user)
        await self.quiet.settle()
        self.seeded = {
            "tickets": [d async for d in db.tickets.find({}).sort("number", 1)],
            "admins": [d async for d in db.admins.find({}).sort("_id", 1)],
        }
        self.audit_count = await db.audit.count_documents({})
        self.broadcast_count = await db.broadcasts.count_documents({})
        self.log.read_new()

    # --- driving the user into a state -------------------------------------------------------

    async def send(self, text: str) -> None:
        await self.user.send_text(text)
        await self.quiet.settle()
        self.stats["driving updates"] += 1

    async def fsm_state(self) -> str | None:
        assert self.bot.app is not None and self.bot.app.dispatcher is not None
        key = StorageKey(bot_id=self.fake.bot_id, chat_id=USER_ID, user_id=USER_ID)
        return await self.bot.app.dispatcher.storage.get_state(key)

    async def drive(self, target: str) -> None:
        # A generated /language tap may have switched the user to Ukrainian; the flows speak English.
        await self.bot.db.users.update_one({"_id": USER_ID}, {"$set": {"language": "en"}})
        await self.send("/cancel")
        if target == "ServerRoomCall:note":
            await self.send(flows.SERVER_ROOM)
        elif target != "idle":
            for state, text, prompt in FORM_PATH:
                await self.send(text)
                last = self.user.last_message
                assert last is not None and prompt in (last.text or ""), (target, text, last)
                if state == target:
                    break
        expected = None if target == "idle" else target
        assert await self.fsm_state() == expected, f"could not drive the user into {target}"
        self.user.drain()

    # --- one generated update ----------------------------------------------------------------

    async def perform(self, action: tuple[Any, ...]) -> tuple[str | None, int]:
        """Send it; return (callback query id or None, how many messages it was)."""
        kind, *args = action
        user = self.user
        if kind == "text":
            await user.send_text(args[0])
        elif kind == "contact":
            phone, other_id, own = args
            if own:
                await user.send_contact(phone, own=True)
            else:
                await user.send_contact(phone, own=False, user_id=other_id)
        elif kind == "rename":
            user.first_name, user.last_name = args
            await user.send_command("/start")
        elif kind == "sticker":
            await user.send_sticker()
        elif kind == "voice":
            await user.send_voice()
        elif kind == "location":
            self.fake.user_message(user, {"location": {"latitude": 50.45, "longitude": 30.52}})
        elif kind == "photo":
            await user.send_photo(caption=args[0])
        elif kind == "video":
            await user.send_video(caption=args[0])
        elif kind == "document":
            await user.send_document(file_name=args[0], caption=args[1])
        elif kind == "album":
            await user.send_album(args[0], caption=args[1])
            return None, len(args[0])
        elif kind == "callback":
            data, target = args
            message_id = 10**6 if target == "gone" or user.last_message is None else None
            return await user.press_data(data, message_id=message_id), 1
        else:  # pragma: no cover - a strategy/perform mismatch
            raise AssertionError(kind)
        return None, 1

    # --- the checks ----------------------------------------------------------------------------

    async def check_no_staff_action(self, since_events: int) -> None:
        db = self.bot.db
        tickets = [d async for d in db.tickets.find({}).sort("number", 1)]
        seeded_numbers = {t["number"] for t in self.seeded["tickets"]}
        seeded_now = [t for t in tickets if t["number"] in seeded_numbers]
        assert seeded_now == self.seeded["tickets"], "a seeded ticket changed"
        for ticket in tickets:
            if ticket["number"] not in seeded_numbers:  # filed by the user through the form: fine
                assert ticket["user_id"] == USER_ID and ticket["status"] == "new" and ticket.get("assignee") is None
        assert [d async for d in db.admins.find({}).sort("_id", 1)] == self.seeded["admins"], "admins changed"
        assert await db.audit.count_documents({"by": USER_ID}) == 0, "an audit entry by the user"
        assert await db.broadcasts.count_documents({}) == self.broadcast_count, "a broadcast was created"
        assert self.fake.messages_to(OTHER_OWNER_ID)[1:] == [], "another ticket's owner was messaged"
        state = await self.fsm_state()
        assert state is None or state.startswith(USER_STATE_GROUPS), f"the user is in a staff state {state}"
        for event in self.user.chat.events[since_events:]:
            message = event.message
            for row in message.inline_buttons:
                for text, data in row:
                    prefix = (data or "").split(":", 1)[0]
                    assert prefix not in STAFF_PREFIXES, f"staff button {text!r} ({data}) shown to a user"
            markup = message.reply_markup or {}
            labels = {b if isinstance(b, str) else b.get("text") for row in markup.get("keyboard") or [] for b in row}
            assert not labels & STAFF_LABELS, f"staff keyboard shown to a user: {labels & STAFF_LABELS}"

    async def play(self, target: str, actions: list[tuple[Any, ...]]) -> None:
        # Checked from the end of the previous example: driving into the state counts too.
        refusals_at_start = len(self.refusals.refusals)
        calls_at_start = len(self.fake.calls)
        events_at_start = len(self.user.chat.events)
        await self.drive(target)
        self.state_counts[target] += 1
        self.stats["examples"] += 1
        for action in actions:
            events_before = len(self.user.chat.events)
            parts = action[1] if action[0] == "burst" else [action]
            sent = [await self.perform(part) for part in parts]
            await self.quiet.settle()
            self.stats[f"kind {action[0]}"] += 1
            for part, (query_id, count) in zip(parts, sent, strict=True):
                self.stats["fuzzed updates"] += count
                if query_id is not None:
                    assert self.fake.callback_answer(query_id) is not None, f"callback {part[1]!r} left unanswered"
                    if part[1].split(":", 1)[0] in STAFF_PREFIXES:
                        self.stats["forged staff callbacks"] += 1
            answered = len(self.user.chat.events) > events_before
            assert answered or action[0] == "album" or all(q for q, _ in sent), f"no answer to {short(action)}"
        # Methods the fake lacks (404) or oversized uploads (413) never reach a method: from fake.calls.
        odd = [c for c in self.fake.calls[calls_at_start:] if c.outcome in (404, 413)]
        assert not odd, f"requests Telegram would refuse: {odd}"
        harmful = self.refusals.harmful_since(refusals_at_start)
        assert not harmful, "Telegram would refuse:\n" + "\n".join(map(str, harmful))
        failures = failures_in(self.log.read_new())
        assert not failures, "unhandled errors in the bot's log:\n" + "\n---\n".join(failures)
        await self.check_no_staff_action(events_at_start)


def short(action: object) -> str:
    if isinstance(action, (tuple, list)):
        return "(" + ", ".join(short(a) for a in action) + ")"
    return repr(action[:60] + "…" if isinstance(action, str) and len(action) > 60 else action)


async def test_fuzzed_updates_in_every_user_state(bot: BotHarness) -> None:
    world = FuzzWorld(bot)
    await world.setup()
    loop = asyncio.get_running_loop()

    def run(coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=300)

    staff_sweep = [("callback", data, "last") for data in NAMED_STAFF_CALLBACKS]
    staff_commands = [
        ("text", text) for text in ["/queue", "/staff", "/categories", "/backup", "/health", *sorted(STAFF_LABELS)]
    ]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(target=st.sampled_from(STATES), actions=st.lists(ACTIONS, min_size=1, max_size=6))
    @example(target="TicketForm:confirm", actions=staff_sweep)
    @example(target="ServerRoomCall:note", actions=staff_commands + staff_sweep[:6])
    def one_example(target: str, actions: list[tuple[Any, ...]]) -> None:
        run(world.play(target, deepcopy(actions)))

    # Every state at least once, whatever the generator picks.
    for state in STATES:
        one_example = example(target=state, actions=EVERY_STATE_ACTIONS)(one_example)

    started = loop.time()
    await asyncio.to_thread(one_example)
    elapsed = loop.time() - started

    stats = world.stats
    refusals = world.refusals.refusals
    kinds = ", ".join(f"{k.removeprefix('kind ')} {v}" for k, v in sorted(stats.items()) if k.startswith("kind "))
    new_tickets = await bot.db.tickets.count_documents({"number": {"$gt": 3}})
    print(
        f"\n[drill fuzz] fuzz: {stats['examples']} examples over {len(world.state_counts)}/{len(STATES)} states, "
        f"{stats['fuzzed updates']} fuzzed updates (+{stats['driving updates']} to reach the states), "
        f"0 unhandled errors, 0 staff actions ({stats['forged staff callbacks']} forged staff buttons refused), "
        f"{len([r for r in refusals if not r.harmless])} refused requests "
        f"({len([r for r in refusals if r.harmless])} harmless 'not modified'-type), "
        f"{new_tickets} tickets filed legitimately; {elapsed:.1f}s\n"
        f"[drill fuzz] per state: {dict(sorted(world.state_counts.items()))}\n"
        f"[drill fuzz] per kind: {kinds}"
    )
