"""The queue's queries at scale-shaped data: every view and page shows exactly the tickets it should,
status counts stay equal to a recount, and tickets written by an older version are migrated."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from app.db.repositories import Repositories
from app.models.tickets import StatusChange, Ticket, TicketStatus, epoch_ms
from app.models.users import Person
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, seed_tickets, ticket_doc

ADMIN = 3001
OTHER = 3002
WORKED = ("in_progress", "waiting")  # taken tickets: the Mine and All in progress views list both
VIEWS = {"🆕 New": "new", "🛠 Mine": "mine", "👥 All in progress": "in_work", "🗂 Finished": "finished"}


def seeded_docs(rng: random.Random, count: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    docs = []
    for number in range(1, count + 1):
        status = rng.choice(["new", "new", "in_progress", "waiting", "closed", "rejected"])
        assignee = None
        if status != "new":
            assignee = rng.choice([{"id": ADMIN, "name": "Admin"}, {"id": OTHER, "name": "Other"}])
        doc = ticket_doc(number, 2000 + number % 7, priority=rng.randint(1, 4), status=status, assignee=assignee)
        created = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1000))
        updated = created + timedelta(hours=rng.randint(0, 200))
        doc.update(created_at=created, updated_at=min(updated, now))
        docs.append(doc)
    return docs


def expected(view: str, docs: list[dict[str, Any]]) -> list[int]:
    """What each view must list, in order, computed here without the app's queries."""
    now = datetime.now(UTC)

    def queue_key(doc: dict[str, Any]) -> tuple[int, datetime, int]:
        return (-doc["priority"], doc["created_at"], doc["number"])

    if view == "new":
        chosen = sorted((d for d in docs if d["status"] == "new"), key=queue_key)
    elif view == "mine":
        mine = (d for d in docs if d["status"] in WORKED and d["assignee"]["id"] == ADMIN)
        chosen = sorted(mine, key=queue_key)
    elif view == "in_work":
        chosen = sorted((d for d in docs if d["status"] in WORKED), key=queue_key)
    else:
        recent = [
            d for d in docs if d["status"] in ("closed", "rejected") and d["updated_at"] >= now - timedelta(days=30)
        ]
        chosen = sorted(recent, key=lambda d: (d["updated_at"], d["number"]), reverse=True)
    return [d["number"] for d in chosen]


def numbers(message: BotMessage) -> list[int]:
    return [int(text.split("#")[1].split(" ")[0]) for text in message.button_texts() if "#" in text]


async def every_page(admin: FakeUser, listing: BotMessage) -> list[int]:
    shown = numbers(listing)
    while "▶️" in listing.button_texts():
        await admin.click("▶️", listing)
        listing = await admin.wait_edit(listing.message_id)
        shown += numbers(listing)
    return shown


async def test_every_view_and_page_lists_exactly_the_expected_tickets(bot: BotHarness) -> None:
    docs = seeded_docs(random.Random(7), 120)
    admin = await make_admin(bot, ADMIN)
    await seed_tickets(bot, docs)
    await admin.tap("📥 Queue")
    listing = await admin.wait_message()
    counts = {s: sum(d["status"] == s for d in docs) for s in ("new", "in_progress", "waiting", "closed", "rejected")}
    assert counts["waiting"]  # the seed has tickets waiting for their employee
    assert (
        f"🆕 {counts['new']} · 🛠 {counts['in_progress']} · ⏳ {counts['waiting']} · ✅ {counts['closed']}"
        f" · ⛔ {counts['rejected']}" in listing.body
    )
    for label, view in VIEWS.items():
        assert label in listing.button_texts() or f"• {label}" in listing.button_texts(), label
        if label in listing.button_texts():  # not the view on screen (that one is marked "• ")
            await admin.click(label, listing)
            listing = await admin.wait_edit(listing.message_id)
        want = expected(view, docs)
        assert want, view  # the seed covers every view
        assert await every_page(admin, listing) == want, view


async def test_status_counts_equal_a_recount_after_a_random_mix_of_operations(bot: BotHarness) -> None:
    repos = bot.workflow("repos", Repositories)
    rng = random.Random(11)
    admin = Person(ADMIN, "Admin")
    expected_counts = dict.fromkeys(("new", "in_progress", "waiting", "closed", "rejected"), 0)
    number = 0
    for _step in range(150):
        tickets = [t async for t in _all(repos)]
        if not tickets or rng.random() < 0.3:
            number += 1
            await repos.tickets.insert(Ticket.from_doc(ticket_doc(number, 2001)))
            expected_counts["new"] += 1
            continue
        ticket = rng.choice(tickets)
        target = rng.choice(list(TicketStatus))
        change = StatusChange(datetime.now(UTC), admin, ticket.status, target)
        changed = await repos.tickets.change_status(ticket.number, {}, change)
        assert changed is not None and changed.status is target
        expected_counts[ticket.status.value] -= 1
        expected_counts[target.value] += 1
        # The same change again finds the ticket in another status: nothing is counted twice.
        if ticket.status is not target:
            assert await repos.tickets.change_status(ticket.number, {}, change) is None
    assert await repos.tickets.count_by_status() == expected_counts
    assert await repos.tickets.recount_by_status() == expected_counts


async def _all(repos: Repositories) -> Any:
    async for doc in repos.tickets.collection.find({}):
        yield Ticket.from_doc(doc)


async def test_tickets_from_an_older_version_are_migrated_at_start_up(bot: BotHarness) -> None:
    admin = await make_admin(bot, ADMIN)
    # As an older version stored them: no finished_ts, and no status counts at all.
    docs = [ticket_doc(1, 2001, status="closed"), ticket_doc(2, 2001, status="rejected"), ticket_doc(3, 2001)]
    await bot.db.tickets.insert_many(docs)
    await bot.db.ticket_counts.delete_many({})
    await bot.restart()
    assert await bot.db.tickets.count_documents({"finished_ts": {"$exists": True}}) == 2
    taken = ticket_doc(4, 2001, status="in_progress", assignee={"id": ADMIN, "name": "A"}, minutes_ago=30)
    taken["history"].append(
        {"at": datetime.now(UTC) - timedelta(minutes=20), "by": None, "from": "new", "to": "in_progress"}
    )
    await bot.db.tickets.insert_one(taken)  # written before tickets carried their report stamps
    await bot.restart()
    stamped = {doc["number"]: doc async for doc in bot.db.tickets.find({})}
    assert all(doc["created_ts"] == epoch_ms(doc["created_at"]) for doc in stamped.values())
    assert stamped[4]["response_ts"] == epoch_ms(stamped[4]["history"][1]["at"])
    assert "response_ts" not in stamped[3]
    await admin.tap("📥 Queue")
    listing = await admin.wait_message()
    assert "🆕 1 · 🛠 1 · ⏳ 0 · ✅ 1 · ⛔ 1" in listing.body
    await admin.click("🗂 Finished", listing)
    assert sorted(numbers(await admin.wait_edit(listing.message_id))) == [1, 2]
    log = "".join(path.read_text() for path in bot.settings.log_dir.glob("*.log"))
    assert "Migrating 2 finished tickets" in log
    await bot.restart()  # a second start finds nothing to migrate
    log_after = "".join(path.read_text() for path in bot.settings.log_dir.glob("*.log"))
    assert log_after.count("Migrating 2 finished tickets") == 1
