"""Drill: the database stops for 10 seconds under steady user traffic, with the real bot process.

Users get "temporarily unavailable" while it is down, nothing unhandled reaches the log, the
super-admin gets exactly one down alert and one recovery alert, and traffic after recovery works.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from app.db.embedded import EmbeddedMongo
from tests.drills._support import BotProcess
from tests.drills.test_process_kill import process_env
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.harness import SUPERADMIN_ID

DOWN = "MongoDB is unavailable"
BACK = "MongoDB is back"
UNAVAILABLE = "temporarily unavailable"
OUTAGE_SECONDS = 10


async def test_database_outage_under_steady_traffic(fake: FakeTelegram, tmp_path: Path) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")
    server.start()
    env = process_env(
        fake,
        tmp_path,
        MONGODB_URI=server.uri,
        MONGODB_DB="drill_outage",
        HEALTHCHECK_INTERVAL_SECONDS="5",
    )
    # Quicker answers while the database is away, English texts for the assertions.
    env.update(MONGODB_TIMEOUT_SECONDS="1", DEFAULT_LANGUAGE="en")
    bot = BotProcess(env, tmp_path)
    chief = fake.user(SUPERADMIN_ID, first_name="Olena", language_code="en")
    users = [fake.user(2001 + i, language_code="en") for i in range(3)]
    try:
        bot.start()
        await bot.wait_until_polling(fake, since=0)
        for person in (chief, *users):
            await flows.start(person)

        replies: list[tuple[float, str]] = []
        stop_traffic = asyncio.Event()

        async def traffic(user: FakeUser) -> None:
            while not stop_traffic.is_set():
                await user.send_command("/my")
                reply = await user.wait_message(timeout=15)
                replies.append((time.monotonic(), reply.text or ""))
                await asyncio.sleep(0.5)

        workers = [asyncio.create_task(traffic(u)) for u in users]
        await asyncio.sleep(2)
        went_down = time.monotonic()
        server.stop()
        await asyncio.sleep(OUTAGE_SECONDS)
        server.start()
        came_back = time.monotonic()
        await chief.wait_message(timeout=30, predicate=lambda m: BACK in (m.text or ""))
        back_reported = time.monotonic()
        await asyncio.sleep(3)
        stop_traffic.set()
        await asyncio.gather(*workers)

        during = [text for at, text in replies if went_down + 1 < at < came_back]
        after = [text for at, text in replies if at > back_reported + 0.5]
        alerts = [m.text or "" for m in chief.messages]
        downs = [a for a in alerts if DOWN in a and "still" not in a]
        backs = [a for a in alerts if BACK in a]
        log_text = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").glob("*.log"))
        print(
            f"\n[drill db-outage] {len(replies)} replies to steady traffic from {len(users)} users; "
            f"{sum(UNAVAILABLE in t for t in during)}/{len(during)} during the {OUTAGE_SECONDS}s outage said "
            f"'temporarily unavailable'; {len(after)} after recovery all normal: "
            f"{all('no active tickets' in t for t in after)}; alerts: {len(downs)} down, {len(backs)} recovery; "
            f"unhandled errors in the log: {log_text.count('Error while handling')}"
        )
        assert during and all(UNAVAILABLE in text for text in during)
        assert after and all("no active tickets" in text for text in after)
        assert len(downs) == 1 and len(backs) == 1
        assert "Error while handling" not in log_text and "Traceback" not in log_text
    finally:
        await bot.ensure_stopped()
        server.stop()
