"""pyinstrument around an async workload, reduced to a few named costs.

pyinstrument samples the main thread's stack every 1 ms (wall clock). Each sample is
charged to one *activity*: the highest-priority rule matching any frame of its stack
(`ACTIVITIES`), so time spent deep-copying buttons inside aiogram's keyboard builder counts
as "building keyboards", not as "copy.deepcopy", and PyMongo work counts as PyMongo whoever
called it. The event loop blocked in epoll, and socket sends that hand the CPU to the
database server, count as waiting for the database (the fake Bot API never blocks).

Also reported: the hottest functions by self time, and PyMongo client CPU by the app or
aiogram-storage function that issued the command. The full report (call tree, then self time
per function) is written to bench/results/profile_<name>.txt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import RESULTS_DIR

if TYPE_CHECKING:
    from pyinstrument.frame import Frame

PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
INTERVAL_SECONDS = 0.001

WAITING = "waiting for the database (event loop idle in epoll, socket sends yielding to the server)"
# Priority order: a sample goes to the first activity any frame of its stack matches.
ACTIVITIES: list[tuple[str, tuple[str, ...]]] = [
    ("building keyboards (aiogram's builders deep-copy every button)", ("/aiogram/utils/keyboard.py",)),
    ("PyMongo client (commands, BSON, connection pool)", ("/pymongo/", "/bson/")),
    (
        "Bot API calls (aiogram serialises requests, parses results; HTTP faked)",
        ("/aiogram/client/", f"{PROJECT_ROOT}/bench/fake_session.py"),
    ),
    (
        "thread-pool hops: aiogram runs sync filters (F…, State) via asyncio.to_thread",
        ("/asyncio/threads.py", "/concurrent/futures/", "/threading.py"),
    ),
    (
        "i18n (gettext, lazy strings)",
        (
            "/aiogram/utils/i18n/core.py",
            "/aiogram/utils/i18n/lazy_proxy.py",
            "/aiogram/utils/i18n/context.py",
            "/babel/",
            "/gettext.py",
        ),
    ),
    ("pydantic (parsing the update, callback data, models)", ("/pydantic",)),
    ("app code (handlers, services, repositories, rendering)", (f"{PROJECT_ROOT}/app/",)),
    ("aiogram dispatch (routers, filters, middlewares, FSM context)", ("/aiogram/",)),
    ("asyncio event loop", ("/asyncio/", "/selectors.py")),
]
OTHER = "other"


@dataclass(slots=True)
class ProfileSummary:
    name: str
    total_s: float
    activities: list[tuple[str, float]] = field(default_factory=list)  # share of sampled wall time
    cpu_activities: list[tuple[str, float]] = field(default_factory=list)  # share of the time not waiting
    hot_functions: list[tuple[str, float]] = field(default_factory=list)  # self time, share of not waiting
    db_cpu_callers: list[tuple[str, float]] = field(default_factory=list)  # PyMongo CPU by caller
    report_path: str | None = None
    error: str | None = None

    def lines(self) -> list[str]:
        if self.error:
            return [f"profile: not taken ({self.error})"]

        def listing(items: list[tuple[str, float]], count: int) -> str:
            return "; ".join(f"{i}. {label} {share:.0%}" for i, (label, share) in enumerate(items[:count], 1))

        return [
            f"profile (pyinstrument, {self.total_s:.1f} s of wall time sampled), top three costs: "
            + listing(self.activities, 3),
            "profile, time not waiting (≈ CPU) by activity: " + listing(self.cpu_activities, 6),
            "profile, hottest functions by self time (share of not waiting): " + listing(self.hot_functions, 6),
            "profile, PyMongo client time by the code that issued the command (share of not waiting): "
            + listing(self.db_cpu_callers, 5),
            f"profile: full report in {self.report_path}",
        ]

    def to_json(self) -> dict[str, Any]:
        def rows(items: list[tuple[str, float]], count: int = 20) -> list[dict[str, Any]]:
            return [{"label": label, "share": round(share, 4)} for label, share in items[:count]]

        return {
            "sampled_s": round(self.total_s, 3),
            "activities": rows(self.activities),
            "cpu_activities": rows(self.cpu_activities),
            "hot_functions": rows(self.hot_functions),
            "db_cpu_callers": rows(self.db_cpu_callers),
            "report": self.report_path,
            "error": self.error,
        }


def _activity(path: str) -> int:
    """Index into ACTIVITIES (lower wins), len(ACTIVITIES) for none."""
    for index, (_label, needles) in enumerate(ACTIVITIES):
        if any(needle in path for needle in needles):
            return index
    return len(ACTIVITIES)


def _function_label(frame: Frame) -> str:
    owner = frame.class_name
    name = f"{owner}.{frame.function}" if owner else frame.function
    path = frame.file_path or ""
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith(PROJECT_ROOT):
        path = path[len(PROJECT_ROOT) + 1 :]
    else:
        path = Path(path).name
    return f"{name} ({path})"


def _is_db_caller(frame: Frame) -> bool:
    path = frame.file_path or ""
    return f"{PROJECT_ROOT}/app/" in path or "/aiogram/fsm/storage/" in path


def _is_waiting(frame: Frame, in_pymongo: bool) -> bool:
    if frame.identifier == "[await]":
        return True
    if not (frame.file_path or "").startswith("<"):
        return False
    function = frame.function
    parent = frame.parent.file_path or "" if frame.parent else ""
    if function.endswith(("poll", "select")) and "selectors.py" in parent:
        return True
    return in_pymongo and function.endswith(("send", "sendall"))


def _shares(seconds_by_label: dict[str, float], total: float) -> list[tuple[str, float]]:
    """Largest first (ties in insertion order, as Counter.most_common orders them)."""
    ordered = sorted(seconds_by_label.items(), key=itemgetter(1), reverse=True)
    return [(label, seconds / total) for label, seconds in ordered]


def summarise(root: Frame, name: str, report_path: str) -> ProfileSummary:
    # seconds of sampled wall time per label
    activities: defaultdict[str, float] = defaultdict(float)
    cpu: defaultdict[str, float] = defaultdict(float)
    functions: defaultdict[str, float] = defaultdict(float)
    db_callers: defaultdict[str, float] = defaultdict(float)
    # (frame, best activity index on the stack so far, inside pymongo?, nearest app caller)
    stack: list[tuple[Frame, int, bool, str | None]] = [(root, len(ACTIVITIES), False, None)]
    while stack:
        frame, best, in_pymongo, caller = stack.pop()
        path = frame.file_path or ""
        if not frame.is_synthetic and path and not path.startswith("<"):
            best = min(best, _activity(path))
            in_pymongo = in_pymongo or "/pymongo/" in path
            if _is_db_caller(frame) and not in_pymongo:
                caller = _function_label(frame)
        exclusive = frame.time - sum(child.time for child in frame.children)
        if exclusive > 0:
            # A [self] leaf is its parent's own time.
            owner = frame.parent if frame.identifier == "[self]" and frame.parent is not None else frame
            if _is_waiting(owner, in_pymongo):
                activities[WAITING] += exclusive
            else:
                label = ACTIVITIES[best][0] if best < len(ACTIVITIES) else OTHER
                activities[label] += exclusive
                cpu[label] += exclusive
                functions[_function_label(owner)] += exclusive
                if in_pymongo:
                    db_callers[caller or "(event-loop callbacks: reading replies)"] += exclusive
        for child in frame.children:
            stack.append((child, best, in_pymongo, caller))
    total = root.time or 1.0
    cpu_total = sum(cpu.values()) or 1.0
    return ProfileSummary(
        name=name,
        total_s=root.time,
        activities=_shares(activities, total),
        cpu_activities=_shares(cpu, cpu_total),
        hot_functions=_shares(functions, cpu_total),
        db_cpu_callers=_shares(db_callers, cpu_total),
        report_path=report_path,
    )


async def profile_async(work: Callable[[], Awaitable[Any]], name: str, server: str) -> ProfileSummary:
    """Run `work()` under pyinstrument; without pyinstrument installed the profile is skipped.

    `server` (BenchContext.server) names the database server in the report's header.
    """
    try:
        from pyinstrument import Profiler
    except ImportError:
        await work()
        return ProfileSummary(name, 0.0, error="pyinstrument is not installed (pip install -r requirements-dev.txt)")
    # async_mode disabled: sample the thread's real stack, so CPU lands on the code running it.
    profiler = Profiler(interval=INTERVAL_SECONDS, async_mode="disabled")
    profiler.start()
    try:
        await work()
    finally:
        profiler.stop()
    session = profiler.last_session
    root = session.root_frame() if session else None
    if root is None:
        return ProfileSummary(name, 0.0, error="no samples")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"profile_{name}.txt"
    header = f"pyinstrument profile: {name}, against {server}\n\n"
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")
    path.write_text(f"{header}{tree}\n\nSelf time per function:\n{flat}", encoding="utf-8")
    return summarise(root, name, str(path.relative_to(Path(PROJECT_ROOT))))
