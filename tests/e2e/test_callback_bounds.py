"""Numbers in button data are bounded: a forged 20-digit page or ticket number is a stale button,
never a database error with a traceback per tap."""

from __future__ import annotations

from tests.support import flows
from tests.support.fake_telegram import FakeUser
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, ticket_doc

HUGE = "99999999999999999999"  # 20 digits: above MongoDB's 8-byte integers
STALE = "This button is no longer active."
STALE_UK = "Ця кнопка вже неактивна."


def log_text(bot: BotHarness) -> str:
    return "".join(p.read_text() for p in bot.settings.log_dir.glob("*.log"))


async def press_all(who: FakeUser, callbacks: list[str], stale: str = STALE) -> None:
    for data in callbacks:
        query = await who.press_data(data)
        text, alert = await who.wait_callback_answer(query)
        assert (text, alert) == (stale, True), data


async def test_huge_numbers_in_buttons_are_stale_buttons_with_one_log_line(bot: BotHarness) -> None:
    await bot.db.tickets.insert_one(ticket_doc(1, 2001))
    user = bot.fake.user(2001, language_code="en")
    await flows.start(user)
    admin = await make_admin(bot, 3001, name="Olha")
    await flows.start(bot.superadmin)

    user_taps = [f"my:p:a:{HUGE}:0", f"my:o:a:0:{HUGE}", f"my:m:h:0:{HUGE}", "my:p:a:-1:0"]
    staff_taps = [f"q:n:{HUGE}", f"st:o:{HUGE}:n:0", f"st:t:{HUGE}:n:0", f"st:o:1:n:{HUGE}", f"qc:n:{HUGE}:0"]
    superadmin_taps = [f"sa:r:{HUGE}", f"sa:y:{HUGE}", f"bk:p:-:{HUGE}"]
    superadmin_taps += [f"ct:o:{HUGE}:uk:0", "ct:P:5:uk:9", "ct:n:5:ru:0"]  # a category, a priority, a language
    await press_all(user, user_taps)
    await press_all(admin, staff_taps)
    await press_all(bot.superadmin, superadmin_taps, STALE_UK)

    # The same buttons with numbers in range still work.
    query = await user.press_data("my:p:a:7:0", (await flows.start(user)).message_id)
    assert await user.wait_callback_answer(query) == (None, False)
    listing = await user.wait_edit()  # a page past the end: the last page
    assert "Page 1 of 1" in (listing.text or "") and any("#1" in t for t in listing.button_texts())
    query = await user.press_data("my:o:a:0:123456789")
    assert await user.wait_callback_answer(query) == ("Ticket not found.", True)

    assert [m.text for m in user.messages if "went wrong" in (m.text or "")] == []
    log = log_text(bot)
    assert "Traceback" not in log and "OverflowError" not in log
    stale_lines = [line for line in log.splitlines() if "Stale or unknown button" in line]
    assert len(stale_lines) == len(user_taps + staff_taps + superadmin_taps)
    assert await bot.db.tickets.count_documents({}) == 1
