"""Ticket search: /find and «🔎 Search» — every key, paging, cards and their way back,
employees limited to their own tickets, uk and en, and tickets indexed at start-up."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from app.db.admins import AdminRepository
from app.db.repositories import Repositories
from app.db.ticket_search import TERMS_COLLECTION
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, seed_tickets, ticket_doc

ADMIN_ID = 3001
IVAN, OLENA, PATRICK, OKSANA = 5001, 5002, 5003, 5004


def doc(number: int, user_id: int, username: str | None, name: str, phone: str, text: str) -> dict[str, Any]:
    return {
        **ticket_doc(number, user_id, minutes_ago=100 - number),
        "username": username,
        "full_name": name,
        "phone": phone,
        "description": text,
    }


DESK = [
    doc(1, IVAN, "Ivan_P", "Іван Петренко", "+380501234567", "Принтер на третьому поверсі не друкує"),
    doc(2, OLENA, "olena", "Олена Ковальчук", "+380671112233", "VPN не підключається після оновлення"),
    doc(3, PATRICK, None, "Patrick O'Brien", "+447700900123", "Laptop screen is blank after the update"),
    doc(4, IVAN, "Ivan_P", "Іван Петренко", "+380501234567", "Не працюють п’ять принтерів у бухгалтерії"),
    doc(5, OKSANA, "oksana", "Оксана Олійник", "+380931234567", "Миша не працює, кабінет 305"),
]


def numbers(message: BotMessage) -> list[int]:
    """Ticket numbers on the result buttons, in order."""
    return [int(m.group(1)) for text in message.button_texts() if (m := re.search(r"#(\d+)", text))]


async def find(person: FakeUser, query: str) -> BotMessage:
    await person.send_text(f"/find {query}")
    return await person.wait_message()


async def desk(bot: BotHarness) -> FakeUser:
    admin = await make_admin(bot, ADMIN_ID, "Olha")
    await seed_tickets(bot, DESK)
    return admin


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("#2", [2]),
        ("2", [2]),
        ("# 4", [4]),
        ("050 123 45 67", [4, 1]),
        ("+380501234567", [4, 1]),
        ("380501234567", [4, 1]),
        ("(050) 123-45-67", [4, 1]),
        ("+44 7700 900123", [3]),
        ("@IVAN_P", [4, 1]),
        ("@olena", [2]),
        (str(PATRICK), [3]),
        ("петренко", [4, 1]),
        ("ПЕТР", [4, 1]),  # a name by how it starts
        ("принтер", [4, 1]),  # «Принтер» and «принтерів»: the same word with another ending
        ("ПРИНТЕРА", [4, 1]),
        ("o’brien", [3]),
        ("O'Brien", [3]),
        ("OBRIEN", [3]),
        ("п'ять", [4]),  # typed with ' , stored with ’
        ("Олiйник", [5]),  # a Latin «i» in a Cyrillic word
        ("vpn оновлення", [2]),  # Latin and Cyrillic words together: both must match
        ("Олена VPN", [2]),
        ("update", [3]),
        ("305", [5]),  # a number written in the description
        ("іван vpn", []),
    ],
)
async def test_staff_find_by_each_key(bot: BotHarness, query: str, expected: list[int]) -> None:
    admin = await desk(bot)
    found = await find(admin, query)
    assert numbers(found) == expected, found.body
    assert "Search:" in found.body
    if not expected:
        assert "Nothing found." in found.body


async def test_results_page_newest_first_and_a_card_comes_back_to_them(bot: BotHarness) -> None:
    admin = await make_admin(bot, ADMIN_ID, "Olha")
    await seed_tickets(
        bot, [doc(n, IVAN, None, "Іван Петренко", "+380501234567", "Monitor flickers") for n in range(1, 14)]
    )
    first = await find(admin, "monitor")
    assert "Page 1 of 2 · tickets: 13" in first.body and "Newest first" in first.body
    assert numbers(first) == list(range(13, 3, -1))
    await admin.click("▶️", first)
    second = await admin.wait_edit(first.message_id)
    assert "Page 2 of 2" in second.body and numbers(second) == [3, 2, 1]
    await admin.click(next(t for t in second.button_texts() if "#2 " in t), second)
    card = await admin.wait_edit(first.message_id)
    assert "#2" in card.body and "Monitor flickers" in card.body
    await admin.click("🛠 Take into work", card)
    taken = await admin.wait_edit(first.message_id)
    await admin.click("⬅️ Back to the list", taken)
    back = await admin.wait_edit(first.message_id)
    assert "Search:" in back.body and "Page 2 of 2" in back.body and numbers(back) == [3, 2, 1]


async def test_search_button_keeps_searching_until_cancel(bot: BotHarness) -> None:
    admin = await desk(bot)
    await admin.tap("🔎 Search")
    prompt = await admin.wait_message()
    assert "What should I look for?" in prompt.body
    assert admin.reply_keyboard == [["❌ Cancel"]]
    await admin.send_text("Петренко")
    assert numbers(await admin.wait_message()) == [4, 1]
    await admin.send_text("@olena")  # still searching: every text is a query
    assert numbers(await admin.wait_message()) == [2]
    await admin.send_text("?!")
    assert "at least one word" in (await admin.wait_message()).body
    await admin.send_sticker()
    assert "as text" in (await admin.wait_message()).body
    await admin.tap("❌ Cancel")
    closed = await admin.wait_message()
    assert "Search closed." in closed.body
    assert admin.reply_keyboard is not None and "🔎 Search" in admin.reply_keyboard[0]
    await admin.send_text("Петренко")  # no longer a query
    assert "Search:" not in (await flows.barrier(admin)).body


async def test_new_search_button_under_results(bot: BotHarness) -> None:
    admin = await desk(bot)
    found = await find(admin, "петренко")
    await admin.click("🔎 New search", found)
    assert "What should I look for?" in (await admin.wait_message()).body
    await admin.send_text("#5")
    assert numbers(await admin.wait_message()) == [5]


async def test_employee_finds_only_their_own_tickets(bot: BotHarness) -> None:
    await seed_tickets(bot, DESK)
    ivan = bot.fake.user(IVAN, first_name="Ivan", username="Ivan_P", language_code="en")
    await flows.start(ivan)
    assert numbers(await find(ivan, "принтер")) == [4, 1]
    assert numbers(await find(ivan, "#1")) == [1]
    for other in ("#2", "2", "vpn", "@olena", "+380671112233", str(OLENA)):
        found = await find(ivan, other)
        assert numbers(found) == [] and "Nothing found among your tickets." in found.body, other
    found = await find(ivan, "принтер")
    await ivan.click(next(t for t in found.button_texts() if "#4" in t), found)
    card = await ivan.wait_edit(found.message_id)
    assert "Ticket #4" in card.body
    await ivan.click("⬅️ Back to the list", card)
    back = await ivan.wait_edit(found.message_id)
    assert "Search:" in back.body and numbers(back) == [4, 1]


async def test_employee_searches_from_my_tickets(bot: BotHarness) -> None:
    await seed_tickets(bot, DESK)
    ivan = bot.fake.user(IVAN, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await ivan.tap(flows.MY_TICKETS)
    listing = await ivan.wait_message()
    await ivan.click("🔎 Search my tickets", listing)
    assert "among your tickets" in (await ivan.wait_message()).body
    await ivan.send_text("друкує")
    assert numbers(await ivan.wait_message()) == [1]
    await ivan.send_text("/cancel")
    assert "Search closed." in (await ivan.wait_message()).body


async def test_staff_searching_their_own_tickets_see_only_theirs(bot: BotHarness) -> None:
    """A staff member is an employee too: «🔎 Search my tickets» in their own list stays theirs."""
    admin = await desk(bot)
    await seed_tickets(bot, [doc(6, ADMIN_ID, None, "Olha", "+380661112233", "My printer jams")])
    await admin.tap(flows.MY_TICKETS)
    listing = await admin.wait_message()
    await admin.click("🔎 Search my tickets", listing)
    await admin.wait_message()
    await admin.send_text("printer")
    assert numbers(await admin.wait_message()) == [6]


async def test_search_in_ukrainian(bot: BotHarness) -> None:
    await seed_tickets(bot, DESK)
    oksana = bot.fake.user(OKSANA, first_name="Оксана", language_code="uk")
    await flows.start(oksana)
    found = await find(oksana, "миша")
    assert "🔎 Пошук: миша" in found.body and "Сторінка 1 з 1" in found.body
    assert numbers(found) == [5]
    assert "Серед ваших заявок нічого не знайдено." in (await find(oksana, "принтер")).body
    admin = bot.fake.user(ADMIN_ID + 1, first_name="Ольга", language_code="uk")
    await AdminRepository(bot.db).add(ADMIN_ID + 1, name="Ольга", username=None, added_by=1, added_at=datetime.now(UTC))
    await flows.start(admin)
    await admin.tap("🔎 Пошук")
    assert "Що шукати?" in (await admin.wait_message()).body
    await admin.send_text("Ковальчук")
    assert numbers(await admin.wait_message()) == [2]
    await admin.tap("❌ Скасувати")
    assert "Пошук закрито." in (await admin.wait_message()).body


async def test_tickets_written_before_the_index_are_found_after_start_up(bot: BotHarness) -> None:
    """An older database: tickets without terms get them at start-up, once (idempotent)."""
    repos = bot.workflow("repos", Repositories)
    await bot.db.tickets.insert_many([dict(d) for d in DESK])  # as an older version wrote them
    await bot.db[TERMS_COLLECTION].drop()
    await repos.tickets.search_index.reset()
    await bot.restart()
    admin = await make_admin(bot, ADMIN_ID, "Olha")
    assert numbers(await find(admin, "петренко")) == [4, 1]
    postings = await bot.db[TERMS_COLLECTION].count_documents({})
    await bot.workflow("repos", Repositories).prepare()
    assert await bot.db[TERMS_COLLECTION].count_documents({}) == postings


async def test_after_a_restore_only_the_restored_tickets_are_found(bot: BotHarness) -> None:
    """The index is not in backups: a restore builds it again from the restored tickets."""
    admin = await desk(bot)
    repos = bot.workflow("repos", Repositories)
    await bot.db.tickets.delete_many({})  # what a restore does before loading the backup's tickets
    await bot.db.tickets.insert_many([dict(d) for d in DESK[:2]])
    await repos.prepare(replaced=True)
    assert numbers(await find(admin, "петренко")) == [1]
    assert numbers(await find(admin, "олійник")) == []
