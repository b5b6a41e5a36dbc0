"""/block and /unblock: an employee staff have blocked files no tickets and calls nobody to the
server room, but still follows and answers the tickets they have."""

from __future__ import annotations

from collections.abc import Callable

from app.keyboards.callback_data import ServerRoomAction, ServerRoomCallback
from tests.support import flows
from tests.support.fake_telegram import BotMessage
from tests.support.harness import SUPERADMIN_ID, BotHarness
from tests.support.staff import make_admin, seed_tickets, ticket_doc

REFUSAL = (
    "🚫 You cannot file new tickets or call the server room: support has blocked this for you. "
    "Your existing tickets still work."
)


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def test_a_blocked_employee_keeps_their_tickets_but_files_no_new_ones(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(7, 2001, status="in_progress", assignee={"id": 3001, "name": "Olha"})])

    await olha.send_command("/block #7 Forty tickets about the same printer in one day")
    assert (await olha.wait_message()).body == "🚫 Ivan can no longer file tickets or call the server room."
    told = await ivan.wait_message()
    assert told.body == (
        "🚫 Support has stopped you from filing new tickets and calling the server room.\n"
        "Reason: Forty tickets about the same printer in one day\n"
        "Your existing tickets still work: you can follow and answer them."
    )
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["blocked"]["reason"] == "Forty tickets about the same printer in one day"
    assert doc["blocked"]["by"] == {"id": 3001, "name": "Olha"}
    audit = await bot.db.audit.find_one({"action": "block_user"})
    assert audit is not None and audit["user"] == 2001 and audit["by"] == 3001

    # Every way to a new ticket or a call is refused, with the same words and no reason again.
    for attempt in (flows.NEW_TICKET, flows.SERVER_ROOM):
        await ivan.tap(attempt)
        assert (await ivan.wait_message()).body == REFUSAL
    for command in ("/new", "/call"):
        await ivan.send_command(command)
        assert (await ivan.wait_message()).body == REFUSAL
    query = await ivan.press_data(ServerRoomCallback(action=ServerRoomAction.NO_NOTE).pack())
    assert await ivan.wait_callback_answer(query) == (REFUSAL, True)
    await ivan.send_text("The printer again, and another one")  # outside any form: to #7 or a new ticket
    asked = await ivan.wait_message(predicate=has("#7"))
    query = await ivan.click("📝 New ticket with this", asked)
    assert await ivan.wait_callback_answer(query) == (REFUSAL, True)
    assert await bot.db.tickets.count_documents({}) == 1
    assert await bot.db.server_room_calls.count_documents({}) == 0

    # …but the ticket they have still works both ways.
    await ivan.click(next(t for t in asked.button_texts() if "#7" in t), asked)
    assert (await olha.wait_message(predicate=has("another one"))).body.startswith("💬 #7")

    await olha.send_command("/unblock #7")
    assert (await olha.wait_message()).body == "✅ Ivan can file tickets and call the server room again."
    assert (await ivan.wait_message(predicate=has("again"))).body == (
        "✅ You can file tickets and call the server room again."
    )
    await ivan.tap(flows.NEW_TICKET)
    assert flows.step("category") in (await ivan.wait_message()).body
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["blocked"] is None


async def test_block_mid_form_keeps_the_draft_and_unblock_lets_it_be_submitted(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await flows.fill_until_summary(ivan, description="The scanner on floor 2 jams every sheet.")
    await olha.send_command("/block 2001 Filing tickets for other departments")
    await olha.wait_message()
    await ivan.wait_message(predicate=has("Support has stopped you"))
    await ivan.tap(flows.SUBMIT)
    assert (await ivan.wait_message()).body == REFUSAL
    assert await bot.db.tickets.count_documents({}) == 0
    await olha.send_command("/unblock 2001")
    await olha.wait_message()
    await ivan.wait_message(predicate=has("again"))
    await ivan.tap(flows.SUBMIT)
    assert (await ivan.wait_message(predicate=has("created"))).body.startswith("✅ Ticket #1 created.")


async def test_what_block_refuses(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    await make_admin(bot, 3002, name="Taras")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001)])
    for command, answer in (
        ("/block", "To block an employee: /block #N reason"),
        ("/block #1", "To block an employee"),  # no reason
        ("/block #1 no", "To block an employee"),  # a reason of 2 characters
        ("/block #99 Spamming the queue", "Ticket not found."),
        ("/block 555 Spamming the queue", "Nobody with Telegram id 555 has written to the bot."),
        ("/block 3002 Spamming the queue", "Support staff cannot be blocked."),
        (f"/block {SUPERADMIN_ID} Spamming the queue", "Support staff cannot be blocked."),
        ("/unblock #1", "Ivan is not blocked."),
        ("/block #1 Spamming the queue", "🚫 Ivan can no longer"),
        ("/block #1 Spamming the queue again", "Ivan is blocked already."),
    ):
        await olha.send_command(command)
        assert (await olha.wait_message()).body.startswith(answer), command
    assert await bot.db.audit.count_documents({"action": "block_user"}) == 1

    # Employees cannot use the commands.
    await ivan.send_command("/unblock #1")
    assert "To block" not in (await ivan.wait_message()).body
    doc = await bot.db.users.find_one({"_id": 2001})
    assert doc is not None and doc["blocked"] is not None


async def test_blocking_in_ukrainian(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    ivan = bot.fake.user(2001, first_name="Іван", language_code="uk")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001)])
    await olha.send_command("/block #1 Заявки від імені іншого відділу")
    await olha.wait_message()
    told = await ivan.wait_message()
    assert told.body.startswith("🚫 Підтримка заборонила вам створювати нові заявки й викликати до серверної.")
    assert "Причина: Заявки від імені іншого відділу" in told.body
    await ivan.tap("📝 Нова заявка")
    assert (await ivan.wait_message()).body.startswith("🚫 Ви не можете створювати нові заявки")
