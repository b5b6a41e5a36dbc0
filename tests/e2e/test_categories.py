"""The service catalogue: the form's first step, cards, notices and the queue's filter, and the
super-admin's screen — end to end through the fake Bot API, in English and Ukrainian."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.db.repositories import Repositories
from app.models.backups import BackupKind
from app.models.tickets import Priority
from tests.support import flows
from tests.support.fake_telegram import BotMessage, FakeUser
from tests.support.harness import BotHarness
from tests.support.reliability import craft_backup, reliability
from tests.support.reliability import ticket_doc as reliability_ticket
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

DEFAULT_ROWS = [["Hardware", "Software"], ["Network / Internet", "Accounts & access"], ["Printers", "Other"]]
NETWORK_HINT = "💡 Say whether only you or everyone nearby is offline, and since when."
PRINTER_HINT = "💡 Say where the printer is and what its screen shows."


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or "")


def repos(bot: BotHarness) -> Repositories:
    return bot.workflow("repos", Repositories)


async def employee(bot: BotHarness, user_id: int = 2001, language: str = "en") -> FakeUser:
    user = bot.fake.user(user_id, first_name="Ivan", username="ivan_p", language_code=language)
    await flows.start(user)
    return user


async def boss(bot: BotHarness) -> FakeUser:
    bot.superadmin.language_code = "en"
    await flows.start(bot.superadmin)
    return bot.superadmin


def numbers(message: BotMessage) -> list[int]:
    return sorted(int(t.split("#")[1].split(" ")[0]) for t in message.button_texts() if "#" in t)


async def test_the_category_comes_first_with_its_hint_and_usual_priority_and_can_be_edited(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    await repos(bot).categories.set_priority(3, Priority.HIGH)  # Network / Internet: usually High
    user = await employee(bot)
    await user.tap(flows.NEW_TICKET)
    first = await user.wait_message()
    assert first.body.startswith("Step 1 of 6.") and "Choose a category" in first.body
    assert user.reply_keyboard == [*DEFAULT_ROWS, ["❌ Cancel"]]  # one tap; no Back on the first step

    await user.tap("Network / Internet")
    named = await user.wait_message()
    assert named.body.startswith(f"Network / Internet\n{NETWORK_HINT}\n\nStep 2 of 6.")
    await user.send_text("Ivan Petrenko")
    await user.wait_message(predicate=flows.at_step("phone"))
    await user.send_text("0501234567")
    described = await user.wait_message(predicate=flows.at_step("description"))
    assert NETWORK_HINT in described.body  # again where the employee describes the problem
    await user.send_text("No internet on the whole second floor since 9:00.")
    await user.wait_message(predicate=flows.at_step("media"))
    await user.tap(flows.SKIP)
    urgency = await user.wait_message(predicate=flows.at_step("priority"))
    assert "For «Network / Internet» it is usually 🟠 High: it is the first button below." in urgency.body
    assert (user.reply_keyboard or [])[:4] == [["🟠 High"], ["🔴 Critical"], ["🟡 Normal"], ["🟢 Low"]]
    await user.tap("🟠 High")
    summary = await user.wait_message(predicate=has("Please check your ticket"))
    assert "Category: Network / Internet" in summary.body

    await user.tap(flows.EDIT)
    menu = await user.wait_message()
    assert "Category" in menu.button_texts()
    await user.tap("Category")
    await user.wait_message(predicate=flows.at_step("category"))
    await user.tap("Printers")
    summary = await user.wait_message(predicate=has("Please check your ticket"))
    assert PRINTER_HINT in summary.body and "Category: Printers" in summary.body
    assert "Priority: 🟠 High" in summary.body  # the employee's own choice stays
    await user.tap(flows.SUBMIT)
    created = await user.wait_message(predicate=has("created"))
    assert "Category: Printers" in created.body

    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["category"] == 5 and doc["priority"] == 3
    notice = await admin.wait_message(predicate=has("#1"))
    assert notice.body.startswith("🆕 New ticket #1 · 🟠 High · Printers\n")
    card = await open_card(admin, 1)
    assert "Category: Printers" in card.body


async def test_names_are_in_each_readers_language(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")  # English
    await flows.start(bot.superadmin)  # Ukrainian
    ivan = await employee(bot, language="uk")
    await ivan.tap("📝 Нова заявка")
    first = await ivan.wait_message()
    assert first.body.startswith("Крок 1 з 6.") and "Виберіть категорію" in first.body
    assert (ivan.reply_keyboard or [])[:3] == [
        ["Обладнання", "Програмне забезпечення"],
        ["Мережа / Інтернет", "Облікові записи й доступ"],
        ["Принтери", "Інше"],
    ]
    await ivan.tap("Принтери")
    named = await ivan.wait_message()
    assert "💡 Напишіть, де стоїть принтер і що показує його екран." in named.body
    assert flows.step("name", uk=True) in named.body
    await ivan.send_text("Іван Петренко")
    await ivan.send_text("0501234567")
    await ivan.send_text("Принтер на третьому поверсі не друкує.")
    await ivan.wait_message(predicate=flows.at_step("media", uk=True))
    await ivan.tap("⏭ Пропустити")
    await ivan.wait_message(predicate=flows.at_step("priority", uk=True))
    await ivan.tap("🟡 Звичайний")
    await ivan.wait_message(predicate=has("Категорія: Принтери"))  # the summary
    await ivan.tap("✅ Надіслати")
    await ivan.wait_message(predicate=has("Категорія: Принтери"))
    assert (await bot.superadmin.wait_message(predicate=has("#1"))).body.startswith(
        "🆕 Нова заявка #1 · 🟡 Звичайний · Принтери\n"
    )
    assert "· Printers\n" in (await admin.wait_message(predicate=has("#1"))).body


async def test_a_ticket_without_a_category_shows_a_dash_everywhere(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    user = await employee(bot)
    gone = {**ticket_doc(2, 2001), "category": 99}  # an id no category has (any more)
    await seed_tickets(bot, [ticket_doc(1, 2001), gone])  # #1 from before the catalogue: no field at all
    for number in (1, 2):
        card = await open_card(admin, number)
        assert "Category: —" in card.body, card.body
    await user.tap(flows.MY_TICKETS)
    listing = await user.wait_message()
    await user.click(next(t for t in listing.button_texts() if "#1 " in t), listing)
    owner_card = await user.wait_edit(listing.message_id)
    assert "Category: —" in owner_card.body
    await admin.tap("📥 Queue")
    queue = await admin.wait_message()
    await admin.click("🏷 Category: all", queue)
    await admin.click("Printers", await admin.wait_edit(queue.message_id))
    assert "Nothing here." in (await admin.wait_edit(queue.message_id)).body  # filtered out, nothing broken


async def test_the_queue_filters_by_category_and_keeps_the_filter_while_paging(bot: BotHarness) -> None:
    admin = await make_admin(bot, 3001, name="Olha")
    await repos(bot).categories.set_hidden(2, True)  # Software: hidden, its tickets still listed
    olha = {"id": 3001, "name": "Olha"}
    await seed_tickets(
        bot,
        [
            {**ticket_doc(1, 2001), "category": 1},
            {**ticket_doc(2, 2001), "category": 5},
            {**ticket_doc(3, 2001, priority=4), "category": 5},
            ticket_doc(4, 2001),
            {**ticket_doc(5, 2001, status="in_progress", assignee=olha), "category": 5},
            {**ticket_doc(6, 2001, status="closed"), "category": 5},
            {**ticket_doc(7, 2001, status="closed"), "category": 2},
        ],
    )
    await admin.tap("📥 Queue")
    queue = await admin.wait_message()
    assert numbers(queue) == [1, 2, 3, 4] and queue.button_texts()[-1] == "🏷 Category: all"
    await admin.click("🏷 Category: all", queue)
    choice = await admin.wait_edit(queue.message_id)
    assert "Show the tickets of which category?" in choice.body
    assert choice.button_texts() == [
        "Hardware",
        "Software (hidden)",
        "Network / Internet",
        "Accounts & access",
        "Printers",
        "Other",
        "• All categories",
    ]
    await admin.click("Printers", choice)
    printers = await admin.wait_edit(queue.message_id)
    assert "🏷 Category: Printers" in printers.body and "tickets: 2" in printers.body
    assert next(t for t in printers.button_texts() if "#" in t).startswith("🔴 #3 ")  # still critical first
    assert numbers(printers) == [2, 3] and printers.button_texts()[-1] == "🏷 Category: Printers"
    await admin.click("👥 All in progress", printers)
    assert numbers(await admin.wait_edit(queue.message_id)) == [5]
    await admin.click("🗂 Finished", queue)
    finished = await admin.wait_edit(queue.message_id)
    assert numbers(finished) == [6]
    await admin.click(next(t for t in finished.button_texts() if "#6 " in t), finished)
    card = await admin.wait_edit(queue.message_id)
    assert "Category: Printers" in card.body
    await admin.click("⬅️ Back to the list", card)
    assert numbers(await admin.wait_edit(queue.message_id)) == [6]  # the filter survived the card

    await admin.click("🏷 Category: Printers", queue)
    await admin.click("Software (hidden)", await admin.wait_edit(queue.message_id))
    assert numbers(await admin.wait_edit(queue.message_id)) == [7]  # a hidden category keeps its tickets
    await admin.tap("📥 Queue")  # from the menu: every category again
    fresh = await admin.wait_message()
    assert numbers(fresh) == [1, 2, 3, 4] and "🏷 Category" not in fresh.body.split("\n")[2]
    user_doc = await bot.db.users.find_one({"_id": 3001})
    assert user_doc is not None and user_doc["queue_category"] is None


async def test_the_superadmin_adds_renames_reorders_and_hides(bot: BotHarness) -> None:
    chief = await boss(bot)
    await chief.tap("🗂 Categories")
    panel = await chief.wait_message()
    assert "1. 🇺🇦 Обладнання · 🇬🇧 Hardware" in panel.body and "6. 🇺🇦 Інше · 🇬🇧 Other" in panel.body
    assert panel.button_texts()[-1] == "➕ Add category"

    await chief.click("➕ Add category", panel)
    assert "New category: its name in Ukrainian." in (await chief.wait_message()).body
    for bad, problem in (("Т", "Too short"), ("/телефон", "cannot start with «/»"), ("принтери", "already has")):
        await chief.send_text(bad)
        assert problem in (await chief.wait_message()).body
    await chief.send_text("  Телефонія ")
    assert "its name in English" in (await chief.wait_message()).body
    await chief.send_text("T" * 41)
    assert "Too long: at most 40 characters." in (await chief.wait_message()).body
    await chief.send_text("Telephony")
    assert "✅ Category «Telephony» added, last in the list." in (await chief.wait_message()).body
    assert chief.reply_keyboard and chief.reply_keyboard[-1] == ["🌐 Language", "❓ Help"]  # the menu is back
    seventh = await chief.wait_edit(panel.message_id)
    assert "Category 7 of 7" in seventh.body and "Name 🇺🇦: Телефонія" in seventh.body

    await chief.click("✏️ Name 🇬🇧", seventh)
    assert "New name in English for «Telephony» (now: Telephony)." in (await chief.wait_message()).body
    await chief.send_text("Phones")
    assert "✅ Saved." in (await chief.wait_message()).body
    renamed = await chief.wait_edit(panel.message_id)
    assert "Name 🇬🇧: Phones" in renamed.body

    await chief.click("⬆️ Up", renamed)
    moved = await chief.wait_edit(panel.message_id)
    assert "Category 6 of 7" in moved.body
    await chief.click("💡 Hint 🇬🇧", moved)
    await chief.wait_message(predicate=has("one line the employee sees"))
    assert chief.reply_keyboard == [["🗑 No hint"], ["❌ Cancel"]]
    await chief.send_text("Say your desk <extension> number.")
    await chief.wait_message(predicate=has("Saved"))
    hinted = await chief.wait_edit(panel.message_id)
    assert "Hint 🇬🇧: Say your desk <extension> number." in hinted.body
    await chief.click("⚡ Default priority", hinted)
    choice = await chief.wait_edit(panel.message_id)
    assert "• No default priority" in choice.button_texts()
    await chief.click("🔴 Critical", choice)
    assert "Default priority: 🔴 Critical" in (await chief.wait_edit(panel.message_id)).body

    user = await employee(bot)
    await user.tap(flows.NEW_TICKET)
    await user.wait_message(predicate=flows.at_step("category"))
    assert (user.reply_keyboard or [])[2:4] == [["Printers", "Phones"], ["Other"]]  # the new order
    await user.tap("Phones")
    assert "💡 Say your desk <extension> number." in (await user.wait_message()).body  # escaped, shown as typed
    await user.tap(flows.CANCEL)
    await user.wait_message()
    await flows.file_ticket(user, category="Phones", priority="critical")

    await chief.click("🙈 Hide from the form", choice)
    hidden = await chief.wait_edit(panel.message_id)
    assert "🙈 Hidden: not offered in the form." in hidden.body and "👁 Show in the form" in hidden.button_texts()
    await user.tap(flows.NEW_TICKET)
    await user.wait_message(predicate=flows.at_step("category"))
    assert user.reply_keyboard == [*DEFAULT_ROWS, ["❌ Cancel"]]
    await user.send_text("Phones")  # an older keyboard's button: no longer a category to choose
    assert "choose one of the buttons" in (await user.wait_message()).body
    await user.tap(flows.CANCEL)
    await user.wait_message()
    card = await open_card(chief, 1)
    assert "Category: Phones" in card.body  # its ticket keeps it

    await chief.tap("🗂 Categories")
    listing = await chief.wait_message()
    assert "6. 🇺🇦 Телефонія · 🇬🇧 Phones · 🔴 Critical · 💡 · 🙈 hidden" in listing.body
    assert "6. Phones 🙈" in listing.button_texts()
    await chief.click("7. Other", listing)
    other = await chief.wait_edit(listing.message_id)
    query = await chief.click("⬇️ Down", other)
    assert await chief.wait_callback_answer(query) == ("It is already at the end of the list.", True)
    audit = [doc["action"] async for doc in bot.db.audit.find({"action": {"$regex": "^category"}}).sort("at", 1)]
    assert audit == [
        "category.added",
        "category.renamed",
        "category.moved",
        "category.hint",
        "category.priority",
        "category.hidden",
    ]


async def test_the_last_category_in_the_form_cannot_be_hidden(bot: BotHarness) -> None:
    chief = await boss(bot)
    for category_id in range(1, 6):
        await repos(bot).categories.set_hidden(category_id, True)
    await chief.send_command("/categories")
    panel = await chief.wait_message()
    await chief.click("6. Other", panel)
    other = await chief.wait_edit(panel.message_id)
    query = await chief.click("🙈 Hide from the form", other)
    text, alert = await chief.wait_callback_answer(query)
    assert alert and text == "The form needs at least one category: show another one first."
    doc = await bot.db.categories.find_one({"_id": 6})
    assert doc is not None and doc["hidden"] is False


async def test_typing_a_category_text_can_be_cancelled_and_a_hint_removed(bot: BotHarness) -> None:
    await flows.start(bot.superadmin)  # Ukrainian
    chief = bot.superadmin
    await chief.send_command("/categories")
    panel = await chief.wait_message()
    await chief.click("5. Принтери", panel)
    printers = await chief.wait_edit(panel.message_id)
    await chief.click("✏️ Назва 🇺🇦", printers)
    assert "Нова назва українською для «Принтери» (зараз: Принтери)." in (await chief.wait_message()).body
    await chief.send_sticker()
    assert "Надішліть текст" in (await chief.wait_message()).body
    await chief.tap("❌ Скасувати")
    assert "Скасовано. Нічого не змінено." in (await chief.wait_message()).body
    doc = await bot.db.categories.find_one({"_id": 5})
    assert doc is not None and doc["names"]["uk"] == "Принтери"

    await chief.click("💡 Підказка 🇺🇦", printers)
    await chief.wait_message()
    await chief.tap("🗑 Без підказки")
    await chief.wait_message(predicate=has("Збережено"))
    cleared = await chief.wait_edit(panel.message_id)
    assert "Підказка 🇺🇦: —" in cleared.body and "Підказка 🇬🇧: Say where the printer is" in cleared.body
    doc = await bot.db.categories.find_one({"_id": 5})
    assert doc is not None and "uk" not in doc["hints"]
    user = await employee(bot, language="uk")
    await user.tap("📝 Нова заявка")
    await user.wait_message()
    await user.tap("Принтери")
    named = await user.wait_message()
    assert "💡" not in named.body and named.body.startswith(flows.step("name", uk=True))


async def test_defaults_are_seeded_once_and_changes_survive_a_restart(bot: BotHarness) -> None:
    store = repos(bot).categories
    assert [c.name("en") for c in (await store.fresh()).categories] == [
        "Hardware",
        "Software",
        "Network / Internet",
        "Accounts & access",
        "Printers",
        "Other",
    ]
    await store.rename(6, "en", "Anything else")
    assert await store.seed_defaults() is False  # not empty: nothing added
    await repos(bot).prepare()
    await bot.restart()
    names = [c.name("en") for c in (await repos(bot).categories.fresh()).categories]
    assert len(names) == 6 and names[-1] == "Anything else"
    await bot.db.categories.delete_many({})
    await repos(bot).prepare()  # an empty catalogue (a backup from before it): the defaults again
    assert await bot.db.categories.count_documents({}) == 6


async def test_forged_category_buttons_and_commands_do_nothing_for_staff(bot: BotHarness) -> None:
    """The super-admin's router alone handles them (tests/e2e/test_authorization.py forges every
    action; here the admin also has the real buttons' data from the super-admin's screen)."""
    chief = await boss(bot)
    olha = await make_admin(bot, 3001, name="Olha")
    await chief.tap("🗂 Categories")
    panel = await chief.wait_message()
    before = [doc async for doc in bot.db.categories.find({}).sort("_id", 1)]
    sent_before = len(bot.fake.all_messages())
    for _, data in [button for row in panel.inline_buttons for button in row]:
        assert data is not None
        query = await olha.press_data(data)
        assert (await olha.wait_callback_answer(query))[0] == "This button is no longer active."
    for text in ("🗂 Categories", "/categories"):
        await olha.send_text(text)
        assert "did not understand" in (await olha.wait_message()).body
    assert [doc async for doc in bot.db.categories.find({}).sort("_id", 1)] == before
    assert {m.chat_id for m in bot.fake.all_messages()[sent_before:]} == {olha.id}


async def test_backups_carry_the_catalogue_and_an_older_backup_gets_the_defaults(
    bot: BotHarness, tmp_path: Path
) -> None:
    backups = reliability(bot).backups
    await repos(bot).categories.rename(6, "en", "Anything else")
    result = await backups.create(BackupKind.MANUAL, by="cli")
    assert result.metadata.records_count.get("categories") == 6
    await repos(bot).categories.rename(6, "en", "Misc")
    await backups.restore(result.path, by="cli")
    assert [c.name("en") for c in (await repos(bot).categories.fresh()).categories][-1] == "Anything else"

    older = tmp_path / "before-categories.zip"  # a backup taken before the catalogue existed
    craft_backup(older, {"tickets": [reliability_ticket(1)]})
    await backups.restore(older, by="cli")
    catalogue = await repos(bot).categories.fresh()
    assert [c.name("en") for c in catalogue.categories][-1] == "Other"  # emptied, then seeded again
    admin = await make_admin(bot, 3001, name="Olha")
    assert "Category: —" in (await open_card(admin, 1)).body
