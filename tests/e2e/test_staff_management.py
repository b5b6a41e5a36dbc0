"""The super-admin adds and removes admins; every role change refreshes the person's navigation."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from app.keyboards.callback_data import StaffAction, StaffCallback
from app.models.tickets import StatusChange, Ticket, TicketStatus
from app.models.users import Person
from app.services.staff import StaffService
from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin, open_card

ADMIN_ROWS = [["📥 Queue", "🛠 In my work", "🔎 Search"], ["📨 Broadcast", "🔄 Refresh panel"]]


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
    assert chief.reply_keyboard and chief.reply_keyboard[2:4] == [
        ["👥 Staff", "🗂 Categories"],
        ["💾 Backups", "🩺 Health"],
    ]
    await chief.send_command("/menu")
    await chief.wait_message()
    assert chief.reply_keyboard and chief.reply_keyboard[:2] == ADMIN_ROWS
    staff_menu = [c for c, _ in bot.fake.commands_for("chat", chat_id=SUPERADMIN_ID)]
    assert {"queue", "staff", "menu"} <= set(staff_menu)


async def test_removed_admin_in_a_staff_dialogue_is_not_stuck(bot: BotHarness) -> None:
    chief = await boss(bot)
    olha = await make_admin(bot, 3001, name="Olha")
    owner = bot.fake.user(2001, language_code="en")
    await flows.start(owner)
    await flows.file_ticket(owner)
    card = await open_card(olha, 1)
    await olha.click("⛔ Reject", card)
    await olha.wait_message(predicate=lambda m: "Rejecting ticket #1" in (m.text or ""))

    await chief.tap("👥 Staff")
    panel = await chief.wait_message(predicate=lambda m: "Support staff" in (m.text or ""))
    await chief.click("➖ Remove Olha", panel)
    confirm = await chief.wait_edit(panel.message_id)
    await chief.click("✅ Yes, remove", confirm)
    await chief.wait_edit(panel.message_id)
    notice = await olha.wait_message(predicate=lambda m: "access has been removed" in (m.text or ""))
    assert "You can still file tickets" in (notice.text or "")
    assert olha.reply_keyboard and olha.reply_keyboard[0] == ["📝 New ticket", "📋 My tickets"]
    assert await bot.db.fsm_states.find_one({"_id": "fsm:3001:3001"}) is None

    await olha.tap("📝 New ticket")
    assert flows.step("category") in ((await olha.wait_message()).text or "")
    await olha.tap(flows.CANCEL)
    await olha.wait_message()
    await olha.tap("📋 My tickets")
    assert "did not understand" not in ((await olha.wait_message()).text or "")
    await olha.send_command("/start")
    assert "Hello, Olha!" in ((await olha.wait_message()).text or "")
    ticket = await bot.db.tickets.find_one({"number": 1})
    assert ticket is not None and ticket["status"] == "new"


async def test_a_leftover_staff_dialogue_does_not_trap_a_plain_user(bot: BotHarness) -> None:
    # The removal raced with the person's own update, which wrote the dialogue back.
    user = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(user)
    await bot.db.fsm_states.insert_one(
        {"_id": "fsm:2001:2001", "state": "BroadcastCompose:content", "data": {"kind": "text"}}
    )
    await user.tap("📝 New ticket")
    assert flows.step("category") in ((await user.wait_message()).text or "")


async def test_a_take_racing_the_removal_leaves_no_ticket_with_a_non_admin(bot: BotHarness) -> None:
    await boss(bot)
    olha = await make_admin(bot, 3001, name="Olha")
    owner = bot.fake.user(2001, language_code="en")
    await flows.start(owner)
    await flows.file_ticket(owner)
    card = await open_card(olha, 1)
    assert bot.app is not None and bot.app.dispatcher is not None
    staff: StaffService = bot.app.dispatcher["staff"]
    tickets = staff.repos.tickets
    take_ticket = tickets.change_status

    async def removed_meanwhile(
        number: int, condition: dict[str, Any], change: StatusChange, assignee: Person | bool | None = False
    ) -> Ticket | None:
        # Olha's role was read when her tap arrived; the removal completes before her take lands.
        if change.to_status is TicketStatus.IN_PROGRESS and await bot.db.admins.count_documents({"_id": 3001}):
            await staff.remove(3001, Person(SUPERADMIN_ID, "Olena"))
        return await take_ticket(number, condition, change, assignee)

    tickets.change_status = removed_meanwhile  # type: ignore[method-assign]
    query = await olha.click("🛠 Take into work", card)
    text, alert = await olha.wait_callback_answer(query)
    assert text == "You are no longer on the support staff." and alert
    ticket = await bot.db.tickets.find_one({"number": 1})
    assert ticket is not None and ticket["status"] == "new" and ticket["assignee"] is None
    assert await bot.db.admins.count_documents({}) == 0


async def test_history_note_is_worded_in_the_readers_language(bot: BotHarness) -> None:
    chief = bot.superadmin  # Ukrainian
    await flows.start(chief)
    olha = await make_admin(bot, 3001, name="Olha")
    petro = await make_admin(bot, 3002, name="Petro")
    owner = bot.fake.user(2001, language_code="en")
    await flows.start(owner)
    await flows.file_ticket(owner)
    card = await open_card(olha, 1)
    await olha.click("🛠 Take into work", card)
    await olha.wait_edit(card.message_id)
    assert bot.app is not None and bot.app.dispatcher is not None
    staff: StaffService = bot.app.dispatcher["staff"]
    i18n = bot.app.dispatcher["i18n"]
    with i18n.context(), i18n.use_locale("uk"):  # the remover's language
        await staff.remove(3001, Person(SUPERADMIN_ID, "Olena"))
    doc = await bot.db.tickets.find_one({"number": 1})
    assert doc is not None and doc["history"][-1]["note"] == "assignee_left" and not doc["history"][-1]["comment"]
    card = await open_card(petro, 1)
    assert "(Olena): the assignee left the support staff" in (card.text or "")


async def seed_admins(bot: BotHarness, count: int, first_id: int = 5000) -> None:
    now = datetime.now(UTC)
    await bot.db.admins.insert_many(
        [
            {
                "_id": uid,
                "name": f"Admin Number{uid} With A Rather Long Family Name",
                "username": f"admin_user_{uid}_long",
                "added_by": SUPERADMIN_ID,
                "added_at": now - timedelta(minutes=first_id + count - uid),
            }
            for uid in range(first_id, first_id + count)
        ]
    )


async def test_staff_list_of_a_hundred_and_one_admins_is_paged(bot: BotHarness) -> None:
    chief = await boss(bot)
    await seed_admins(bot, 101)
    await chief.tap("👥 Staff")
    panel = await chief.wait_message(predicate=lambda m: "Support staff" in (m.text or ""))
    assert "Page 1 of 11" in (panel.text or "") and "Number5000 " in (panel.text or "")
    assert "by Olena" in (panel.text or "")  # who added them, by name
    assert "▶️" in panel.button_texts()
    last = panel
    for _page in range(10):
        await chief.click("▶️", last)
        last = await chief.wait_edit(panel.message_id)
    assert "Page 11 of 11" in (last.text or "") and "Number5100 " in (last.text or "")
    assert "▶️" not in last.button_texts()
    remove = next(t for t in last.button_texts() if "Number5100" in t)
    await chief.click(remove, last)
    confirm = await chief.wait_edit(panel.message_id)
    await chief.click("✅ Yes, remove", confirm)
    after = await chief.wait_edit(panel.message_id)
    # The list shrank to 100 under the buttons: the last page that exists is shown.
    assert "Page 10 of 10" in (after.text or "") and "Number5099 " in (after.text or "")
    assert await bot.db.admins.count_documents({}) == 100
    await chief.click("➕ Add admin", after)
    await chief.wait_message(predicate=lambda m: "numeric Telegram ID" in (m.text or ""))
    await chief.send_text("7777")
    assert "(id 7777) is now an admin" in ((await chief.wait_message()).text or "")
    # The panel the Add started from is refreshed in place, on its last page, with the newcomer.
    refreshed = await chief.wait_edit(panel.message_id)
    assert "Page 11 of 11" in (refreshed.text or "") and "7777" in (refreshed.text or "")


async def test_backups_list_survives_planted_names_and_counts(bot: BotHarness) -> None:
    chief = await boss(bot)
    directory = bot.settings.backup_dir
    directory.mkdir(parents=True, exist_ok=True)
    # Five shifts of the text: a cut at any fixed offset lands inside "&amp;" for one of them.
    for shift in range(5):
        evil = {"x" * shift + f"<b>&amp;{i}&lt;" + "&" * 300: 1 for i in range(40)}
        for second in range(5):
            with zipfile.ZipFile(directory / f"backup_20250101_00000{second}.zip", "w") as archive:
                metadata = {
                    "backup_version": "1.0",
                    "created_at": "2025-01-01T00:00:00+00:00",
                    "records_count": evil,
                    "data_sha256": "0" * 64,
                }
                archive.writestr("metadata.json", json.dumps(metadata))
                archive.writestr("data.json", "{}")
        await chief.send_command("/backup_list")
        listing = await chief.wait_message()
        assert "Backups" in (listing.text or "") and "backup_20250101_000000.zip" in (listing.text or "")
        assert "<b>&amp;0&lt;" in (listing.text or "")  # shown as written, not as markup
