"""/start registration, language, menus and command menus."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.db.admins import AdminRepository
from tests.support import flows
from tests.support.harness import SUPERADMIN_ID, BotHarness

CYRILLIC = re.compile(r"[а-яіїєґ]", re.IGNORECASE)


async def test_first_start_creates_profile_and_later_ones_update_it(bot: BotHarness) -> None:
    user = bot.fake.user(2001, first_name="Taras", last_name="Shevchenko", username="taras", language_code="en")
    hello = await flows.start(user)
    assert "Hello, Taras!" in hello.body
    assert user.reply_keyboard == [
        ["📝 New ticket", "📋 My tickets"],
        ["🚨 Call to the server room"],
        ["🌐 Language", "❓ Help"],
    ]  # no staff buttons for a plain user
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None
    assert (doc["first_name"], doc["last_name"], doc["username"], doc["language"]) == (
        "Taras",
        "Shevchenko",
        "taras",
        "en",
    )
    created_at = doc["created_at"]
    assert created_at.tzinfo is not None

    user.username = "taras_new"
    await flows.start(user)
    assert await bot.db.users.count_documents({}) == 1
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["username"] == "taras_new" and doc["created_at"] == created_at


async def test_ukrainian_is_the_default_and_language_can_be_switched(bot: BotHarness) -> None:
    user = bot.fake.user(2002, first_name="Оксана", language_code=None)
    hello = await flows.start(user)
    assert CYRILLIC.search(hello.body) and "Hello" not in hello.body
    doc = await bot.db.users.find_one({"_id": 2002})
    assert doc is not None and doc["language"] == "uk"
    ukrainian_menu = user.reply_keyboard
    assert ukrainian_menu is not None and ukrainian_menu[0][0] != "📝 New ticket"

    await user.send_command("/language")
    chooser = await user.wait_message()
    assert chooser.button_texts() == ["🇺🇦 Українська", "🇬🇧 English"]
    await user.click("🇬🇧 English")
    switched = await user.wait_message()
    assert switched.text == "Language changed to English."
    assert user.reply_keyboard and user.reply_keyboard[0] == ["📝 New ticket", "📋 My tickets"]
    doc = await bot.db.users.find_one({"_id": 2002})
    assert doc is not None and doc["language"] == "en"

    await user.tap("🌐 Language")
    await user.wait_message()
    await user.click("🇺🇦 Українська")
    back = await user.wait_message()
    assert back.text == "Мову змінено на українську."


async def test_help_and_unknown_input(bot: BotHarness) -> None:
    user = bot.fake.user(2003, language_code="en")
    await flows.start(user)
    await user.tap("❓ Help")
    help_text = await user.wait_message()
    assert "How to get help" in help_text.body and "/new" in help_text.body
    await user.send_text("hello?")  # written outside any form: offered as a new ticket, never dropped
    offer = await user.wait_message()
    assert offer.text == "You have no active tickets. Create a ticket from this?"
    await user.send_text("📥 Queue")  # a menu button's label typed by someone without that menu
    assert "did not understand" in (await user.wait_message()).body
    await user.send_sticker()
    assert "did not understand" in (await user.wait_message()).body


async def test_command_menus_for_users_and_staff(bot: BotHarness) -> None:
    private = bot.fake.commands_for("all_private_chats")
    assert [c for c, _ in private] == ["start", "new", "my", "find", "call", "language", "help", "cancel"]
    english = bot.fake.commands_for("all_private_chats", language_code="en")
    assert english[1][1] == "New ticket"
    ukrainian = bot.fake.commands_for("all_private_chats", language_code="uk")
    assert CYRILLIC.search(ukrainian[1][1])


async def test_staff_menu_on_a_fresh_install_comes_with_the_first_start(bot: BotHarness) -> None:
    # The super-admin never wrote to the bot, so Telegram refused their menu at start-up.
    assert bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID) == []
    await flows.start(bot.superadmin)
    staff = bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID)
    assert "staff" in [c for c, _ in staff] and CYRILLIC.search(staff[0][1])
    # A language change re-applies it in the new language.
    await bot.superadmin.tap("🌐 Мова")
    await bot.superadmin.wait_message()
    await bot.superadmin.click("🇬🇧 English")
    await bot.superadmin.wait_message(predicate=lambda m: "Language changed" in (m.text or ""))
    assert ("queue", "Ticket queue") in bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID)


async def test_admin_added_before_writing_gets_the_menu_on_first_start(bot: BotHarness) -> None:
    await flows.start(bot.superadmin)
    await bot.db.users.update_one({"_id": SUPERADMIN_ID}, {"$set": {"language": "en"}})
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    await AdminRepository(bot.db).add(3001, name="Admin", username=None, added_by=1, added_at=datetime.now(UTC))
    await bot.restart()  # start-up applies menus; Telegram refuses the one for a chat that never wrote
    assert bot.fake.commands_for("chat", chat_id=3001) == []
    await flows.start(admin)
    assert ("queue", "Ticket queue") in bot.fake.commands_for("chat", chat_id=3001)


async def test_staff_get_their_own_keyboard_and_refresh(bot: BotHarness) -> None:
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    await AdminRepository(bot.db).add(3001, name="Admin", username=None, added_by=1, added_at=datetime.now(UTC))
    await flows.start(admin)
    assert admin.reply_keyboard and admin.reply_keyboard[:2] == [
        ["📥 Queue", "🛠 In my work", "🔎 Search"],
        ["📨 Broadcast", "🔄 Refresh panel"],
    ]
    await admin.tap("🔄 Refresh panel")
    refreshed = await admin.wait_message()
    assert "up to date" in refreshed.body
    assert "menu" in [c for c, _ in bot.fake.commands_for("chat", chat_id=3001)]
    # A plain user has no such button and /menu gives the plain keyboard.
    user = bot.fake.user(2001, language_code="en")
    await user.send_command("/menu")
    await user.wait_message()
    assert user.reply_keyboard and all("🔄 Refresh panel" not in row for row in user.reply_keyboard)


async def test_blocked_user_who_writes_again_becomes_reachable(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await bot.db.users.update_one({"_id": 2001}, {"$set": {"reachable": False}})
    await flows.start(user)
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["reachable"] is True


async def test_language_button_pressed_mid_form_keeps_the_form(bot: BotHarness) -> None:
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await user.tap("🌐 Language")
    chooser = await user.wait_message()
    await flows.open_form(user)
    keyboard = user.reply_keyboard

    query = await user.click("🇺🇦 Українська", chooser)
    text, alert = await user.wait_callback_answer(query)
    assert (text, alert) == ("Finish or cancel what you are doing first, then change the language.", True)
    assert user.reply_keyboard == keyboard
    await user.send_text("Ivan Petrenko")
    assert flows.step("phone") in ((await user.wait_message()).text or "")  # still English, still the form
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["language"] == "en"


async def test_staff_get_a_staff_help(bot: BotHarness) -> None:
    admin = bot.fake.user(3001, first_name="Admin", language_code="en")
    await AdminRepository(bot.db).add(3001, name="Admin", username=None, added_by=1, added_at=datetime.now(UTC))
    await flows.start(admin)
    await admin.tap("❓ Help")
    text = (await admin.wait_message()).text or ""
    assert "How to get help" in text and "For support staff" in text and "/queue" in text
    assert "/backup_list" not in text
    bot.superadmin.language_code = "en"
    await flows.start(bot.superadmin)
    await bot.db.users.update_one({"_id": SUPERADMIN_ID}, {"$set": {"language": "en"}})
    await bot.superadmin.send_command("/help")
    text = (await bot.superadmin.wait_message()).text or ""
    assert "For support staff" in text and "/backup_list" in text and "/staff" in text
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    await user.send_command("/help")
    assert "For support staff" not in ((await user.wait_message()).text or "")
