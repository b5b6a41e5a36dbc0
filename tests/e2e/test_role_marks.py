"""The role comes with the sender's profile (one read per update); the `admins` list stays
the truth: these are the ways the two could part, and how they are brought back together."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.admins import AdminRepository
from app.models.backups import BackupKind
from tests.support import flows
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.reliability import reliability

STAFF_KEYBOARD_TOP = ["📥 Queue", "🛠 In my work", "🔎 Search"]


async def keyboard_top(bot: BotHarness, user_id: int) -> list[str]:
    person = bot.fake.users[user_id]
    await flows.start(person)
    return person.reply_keyboard[0] if person.reply_keyboard else []


async def role_mark(bot: BotHarness, user_id: int) -> str | None:
    doc = await bot.db.users.find_one({"_id": user_id})
    assert doc is not None
    return doc.get("role")


async def test_adding_and_removing_keeps_the_profile_mark_in_step(bot: BotHarness) -> None:
    bot.fake.user(3001, first_name="Olha", language_code="en")
    assert await keyboard_top(bot, 3001) != STAFF_KEYBOARD_TOP
    admins = AdminRepository(bot.db)
    added = await admins.add(3001, name="Olha", username=None, added_by=SUPERADMIN_ID, added_at=datetime.now(UTC))
    assert added and await role_mark(bot, 3001) == "admin"
    assert await keyboard_top(bot, 3001) == STAFF_KEYBOARD_TOP
    await admins.remove(3001)
    assert await role_mark(bot, 3001) is None
    assert await keyboard_top(bot, 3001) != STAFF_KEYBOARD_TOP


async def test_an_admin_added_before_their_first_message_is_staff_from_it(bot: BotHarness) -> None:
    admins = AdminRepository(bot.db)
    await admins.add(3001, name="3001", username=None, added_by=SUPERADMIN_ID, added_at=datetime.now(UTC))
    stub = await bot.db.users.find_one({"_id": 3001})
    assert stub is not None and stub["reachable"] is False  # no broadcast to someone who never wrote
    bot.fake.user(3001, first_name="Olha", language_code="en")
    assert await keyboard_top(bot, 3001) == STAFF_KEYBOARD_TOP
    profile = await bot.db.users.find_one({"_id": 3001})
    assert profile is not None
    assert (profile["role"], profile["reachable"], profile["first_name"], profile["language"]) == (
        "admin",
        True,
        "Olha",
        "en",
    )


async def test_removing_an_admin_who_never_wrote_leaves_no_profile(bot: BotHarness) -> None:
    admins = AdminRepository(bot.db)
    await admins.add(3001, name="3001", username=None, added_by=SUPERADMIN_ID, added_at=datetime.now(UTC))
    await admins.remove(3001)
    assert await bot.db.users.find_one({"_id": 3001}) is None


async def test_the_list_edited_by_hand_takes_effect_at_the_next_start(bot: BotHarness) -> None:
    for user_id, name in ((3001, "Olha"), (3002, "Petro")):
        bot.fake.user(user_id, first_name=name, language_code="en")
        await flows.start(bot.fake.users[user_id])
    await AdminRepository(bot.db).add(3002, name="Petro", username=None, added_by=1, added_at=datetime.now(UTC))
    await bot.db.admins.insert_one({"_id": 3001, "name": "Olha", "added_by": 1, "added_at": datetime.now(UTC)})
    await bot.db.admins.delete_one({"_id": 3002})
    await bot.db.admins.insert_one({"_id": 3003, "name": "Taras", "added_by": 1, "added_at": datetime.now(UTC)})
    await bot.restart()
    assert await keyboard_top(bot, 3001) == STAFF_KEYBOARD_TOP
    assert await keyboard_top(bot, 3002) != STAFF_KEYBOARD_TOP
    bot.fake.user(3003, first_name="Taras", language_code="en")  # never wrote before the restart
    assert await keyboard_top(bot, 3003) == STAFF_KEYBOARD_TOP


async def test_a_backup_from_before_the_marks_restores_staff_access(bot: BotHarness) -> None:
    bot.fake.user(3001, first_name="Olha", language_code="en")
    await flows.start(bot.fake.users[3001])
    await AdminRepository(bot.db).add(3001, name="Olha", username=None, added_by=1, added_at=datetime.now(UTC))
    await bot.db.users.update_many({}, {"$unset": {"role": ""}})  # as profiles were before the marks
    backups = reliability(bot).backups
    older = await backups.create(BackupKind.MANUAL, by=SUPERADMIN_ID)
    await backups.restore(older.path, by=SUPERADMIN_ID)
    assert await role_mark(bot, 3001) == "admin"
    assert await keyboard_top(bot, 3001) == STAFF_KEYBOARD_TOP


async def test_the_staff_list_shows_an_admins_name_as_last_seen(bot: BotHarness) -> None:
    olha = bot.fake.user(3001, first_name="Olha", language_code="en")
    await AdminRepository(bot.db).add(3001, name="Olha", username=None, added_by=1, added_at=datetime.now(UTC))
    await flows.start(olha)
    olha.first_name, olha.username = "Olha Kovalenko", "olha_k"
    await flows.start(olha)
    admin = await bot.db.admins.find_one({"_id": 3001})
    assert admin is not None and (admin["name"], admin["username"]) == ("Olha Kovalenko", "olha_k")
