"""Drill: SIGKILL the real bot process in the middle of a broadcast to 500 users, start it again.

The broadcast resumes once the killed process's instance lease has run out (a few seconds
here: INSTANCE_LEASE_SECONDS=6); nobody gets a second copy. At most one recipient can be
in flight at the kill (see app/services/broadcast/runner.py): the drill reports that figure.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from pymongo import AsyncMongoClient

from tests.drills._support import BotProcess
from tests.drills.test_process_kill import process_env
from tests.support import broadcasting, flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import SUPERADMIN_ID

RECIPIENTS = 500
TEXT = "Planned maintenance tonight: e-mail is down from 22:00 to 23:00."


async def test_broadcast_resumes_after_sigkill_without_duplicates(
    fake: FakeTelegram, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    env = process_env(fake, tmp_path, MONGODB_URI=mongo_uri, MONGODB_DB=db_name)
    # The killed process cannot give up its lease: the restarted one waits for it to run out.
    env.update(BROADCAST_RATE_PER_SECOND="100", DEFAULT_LANGUAGE="en", INSTANCE_LEASE_SECONDS="6")
    chief = fake.user(SUPERADMIN_ID, first_name="Olena", language_code="en")
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    now = datetime.now(UTC)
    first = broadcasting.FIRST_USER_ID
    await client[db_name].users.insert_many(
        [
            {
                "_id": uid,
                "first_name": f"User{uid}",
                "last_name": None,
                "username": None,
                "language": "en",
                "reachable": True,
                "created_at": now,
            }
            for uid in range(first, first + RECIPIENTS)
        ]
    )
    users = [fake.user(uid, first_name=f"User{uid}", language_code="en") for uid in range(first, first + RECIPIENTS)]
    bot = BotProcess(env, tmp_path)
    try:
        bot.start()
        await bot.wait_until_polling(fake, since=0)
        await flows.start(chief)
        await broadcasting.compose_text(chief, TEXT)
        await broadcasting.send_and_wait_start(chief)

        def delivered() -> int:
            return sum(broadcasting.text_copies(u, TEXT) for u in users)

        await broadcasting.wait_until(lambda: delivered() >= RECIPIENTS // 3, timeout=60)
        bot.kill()
        await bot.wait_exit()
        at_kill = delivered()

        calls_before = len(fake.calls)
        started = time.monotonic()
        bot.start()
        await bot.wait_until_polling(fake, since=calls_before)
        resumed = await chief.wait_message(timeout=30, predicate=lambda m: "resumed" in (m.text or ""))
        await broadcasting.wait_report(chief, timeout=90)
        took = time.monotonic() - started

        copies = [broadcasting.text_copies(u, TEXT) for u in users]
        duplicates = sum(c - 1 for c in copies if c > 1)
        missed = sum(1 for c in copies if c == 0)
        print(
            f"\n[drill broadcast-kill] SIGKILL after {at_kill}/{RECIPIENTS} delivered; resumed "
            f"({resumed.text.splitlines()[0] if resumed.text else ''}); "
            f"{RECIPIENTS - missed}/{RECIPIENTS} have exactly one copy, duplicates {duplicates}, "
            f"missed (in flight at the kill) {missed}; resume → report {took:.1f}s"
        )
        assert duplicates == 0
        assert missed <= 1
    finally:
        await bot.ensure_stopped()
        await client.close()
