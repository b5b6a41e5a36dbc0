"""The super-admin adds and removes admins; every role change refreshes the person's navigation."""

from __future__ import annotations

from app.keyboards.callback_data import StaffAction, StaffCallback
from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin, open_card

ADMIN_ROWS = [["📥 Queue", "🛠 In my work"], ["📨 Broadcast", "🔄 Refresh panel"]]


async def boss(bot: BotHarness) -> FakeUser:
    user = bot.superadmin
    user.language_code = "en"
    await flows.start(user)
    return user


async def test_add_admin_by_id_refreshes_their_keyboard_and_menu(bot: BotHarness) -> None:
    chief = await boss(bot)
    candidate = bot.fake.user(3001, first_name="Olha", username="olha_it", language_code="en")
    await flows.start(candidate)
    assert candidate.reply_keyboard and candidate.reply_keyboard[0] == ["📝 New ticket", "📋 My tickets"]

    await chief.tap("👥 Staff")
    panel = await chief.wait_message()
    assert "No admins yet." in panel.body
    await chief.click("➕ Add admin", panel)
    await chief.wait_message(predicate=lambda m: "numeric Telegram ID" in (m.text or ""))
    for bad, hint in (
        ("abc", "positive whole number"),
        ("-5", "positive whole number"),
        ("0", "positive whole number"),
    ):
        await chief.send_text(bad)
        assert hint in (await chief.wait_message()).body
    await chief.send_text(str(SUPERADMIN_ID))
    assert "That is the super-admin" in (await chief.wait_message()).body

    await chief.tap("👥 Staff")
    panel = await chief.wait_message()
    await chief.click("➕ Add admin", panel)
    await chief.wait_message()
    await chief.send_text("3001")
    added = await chief.wait_message()
    assert added.text == "✅ Olha (id 3001) is now an admin."
    granted = await candidate.wait_message()
    assert "granted support staff access" in granted.body
    assert candidate.reply_keyboard and candidate.reply_keyboard[:2] == ADMIN_ROWS
    assert "queue" in [c for c, _ in bot.fake.commands_for("chat", chat_id=3001)]
    doc = await bot.db.admins.find_one({"_id": 3001})
    assert (
        doc is not None and doc["added_by"] == SUPERADMIN_ID and doc["name"] == "Olha" and doc["username"] == "olha_it"
    )

    await chief.tap("👥 Staff")
    panel = await chief.wait_message()
    assert "Olha (@olha_it) — id 3001" in panel.body
    await chief.click("➕ Add admin", panel)
    await chief.wait_message()
    await chief.send_text("3001")
    assert (await chief.wait_message()).text == "Olha is already an admin."


async def test_add_admin_by_picking_the_person(bot: BotHarness) -> None:
    chief = await boss(bot)
    bot.fake.user(3005, first_name="Picked", language_code="en")  # exists in Telegram, never wrote to the bot
    await chief.tap("👥 Staff")
    panel = await chief.wait_message()
    await chief.click("➕ Add admin", panel)
    await chief.wait_message()
    await chief.share_users("👤 Choose a person", [3005])
    added = await chief.wait_message()
    assert "(id 3005) is now an admin" in added.body
    assert await bot.db.admins.count_documents({"_id": 3005}) == 1


async def test_remove_admin_returns_their_work_to_the_queue(bot: BotHarness) -> None:
    chief = await boss(bot)
    olha = await make_admin(bot, 3001, name="Olha")
    owner = bot.fake.user(2001, language_code="en")
    await flows.start(owner)
    await flows.file_ticket(owner)
    card = await open_card(olha, 1)
    await olha.click("🛠 Take into work", card)
    await olha.wait_edit(card.message_id)

    await chief.tap("👥 Staff")
    panel = await chief.wait_message(predicate=lambda m: "Support staff" in (m.text or ""))
    await chief.click("➖ Remove Olha", panel)
    confirm = await chief.wait_edit(panel.message_id)
    assert "Remove Olha from the support staff?" in confirm.body
    await chief.click("✅ Yes, remove", confirm)
    after = await chief.wait_edit(panel.message_id)
    assert "No admins yet." in after.body and "Back to the queue: #1." in after.body

    notice = await olha.wait_message(predicate=lambda m: "access has been removed" in (m.text or ""))
    assert notice is not None
    assert olha.reply_keyboard and olha.reply_keyboard[0] == ["📝 New ticket", "📋 My tickets"]
    assert any(
        (c.method == "deleteMyCommands" and '"chat_id": 3001' in str(c.params).replace("'", '"'))
        or (c.method == "deleteMyCommands" and "3001" in str(c.params))
        for c in bot.fake.calls
    )
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "new" and doc["assignee"] is None
    assert doc["history"][-1]["from"] == "in_progress" and doc["history"][-1]["to"] == "new"
    back = await owner.wait_message(predicate=lambda m: "back in the queue" in (m.text or ""))
    assert back is not None

    # Her old card buttons now do nothing.
    query = await olha.click("✅ Close", card)
    text, _ = await olha.wait_callback_answer(query)
    assert text == "This button is no longer active."
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["status"] == "new"


async def test_superadmin_cannot_be_removed(bot: BotHarness) -> None:
    chief = await boss(bot)
    await chief.tap("👥 Staff")
    panel = await chief.wait_message()
    for action in (StaffAction.REMOVE, StaffAction.CONFIRM_REMOVE):
        query = await chief.press_data(StaffCallback(action=action, user_id=SUPERADMIN_ID).pack(), panel.message_id)
        text, alert = await chief.wait_callback_answer(query)
        assert text == "The super-admin cannot be removed — and cannot remove themselves." and alert
    query = await chief.press_data(
        StaffCallback(action=StaffAction.CONFIRM_REMOVE, user_id=777).pack(), panel.message_id
    )
    text, _ = await chief.wait_callback_answer(query)
    assert text == "This person is not an admin any more."


async def test_refresh_panel_and_menu_resend_the_role_keyboard(bot: BotHarness) -> None:
    chief = await boss(bot)
    assert chief.reply_keyboard and chief.reply_keyboard[2] == ["👥 Staff", "💾 Backups", "🩺 Health"]
    await chief.send_command("/menu")
    await chief.wait_message()
    assert chief.reply_keyboard and chief.reply_keyboard[:2] == ADMIN_ROWS
    staff_menu = [c for c, _ in bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID)]
    assert {"queue", "staff", "menu"} <= set(staff_menu)
