"""«🔀 Reassign»: the assignee or the super-admin hands a ticket in progress to another staff member."""

from __future__ import annotations

from collections.abc import Callable

from app.db.repositories import Repositories
from app.keyboards.callback_data import HandoverAction, HandoverCallback
from app.models.tickets import Ticket
from tests.support import flows
from tests.support.fake_telegram import BotMessage
from tests.support.harness import BotHarness
from tests.support.staff import make_admin, open_card, seed_tickets, ticket_doc

OLHA, TARAS = {"id": 3001, "name": "Olha"}, {"id": 3002, "name": "Taras"}


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or m.caption or "")


async def test_the_assignee_hands_a_ticket_over_with_a_note(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    taras = await make_admin(bot, 3002, name="Taras")
    await flows.start(bot.superadmin)
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(
        bot,
        [
            ticket_doc(1, 2001, status="in_progress", assignee=OLHA),
            ticket_doc(2, 2002, status="in_progress", assignee=TARAS),
            ticket_doc(3, 2002, status="waiting", assignee=TARAS),
        ],
    )
    card = await open_card(olha, 1, view="🛠 Mine")
    assert "🔀 Reassign" in card.button_texts()
    await olha.click("🔀 Reassign", card)
    picker = await olha.wait_message(predicate=has("Hand ticket #1"))
    assert picker.body == "🔀 Hand ticket #1 to (how many tickets each has in progress):"
    labels = picker.button_texts()
    assert labels[1:] == ["Taras · 2 in progress", "❌ Cancel"] and labels[0].endswith(
        " · 0 in progress"
    )  # the super-admin

    await olha.click("Taras · 2 in progress", picker)
    prompt = await olha.wait_edit(picker.message_id)
    assert prompt.body.startswith("🔀 Handing ticket #1 to Taras. Write a note")
    assert prompt.button_texts() == ["⏭ Skip", "❌ Cancel"]
    await olha.send_text("He prefers calls after 10:00")
    assert (await olha.wait_message(predicate=has("now with"))).body == "✅ Ticket #1 is now with Taras."
    refreshed = await olha.wait_edit(card.message_id)
    assert "Assignee: Taras" in refreshed.body and "✅ Close" not in refreshed.button_texts()
    assert "🔀 handed to Taras (Olha): He prefers calls after 10:00" in refreshed.body

    told = await taras.wait_message(predicate=has("handed ticket #1"))
    assert told.body == "🔀 Olha handed ticket #1 to you.\nNote: He prefers calls after 10:00"
    his_card = await taras.wait_message(predicate=has("Ticket #1"))
    assert "Assignee: Taras" in his_card.body and his_card.button_texts()[:2] == ["✅ Close", "⛔ Reject"]
    assert (await ivan.wait_message(predicate=has("handled"))).body == "🔀 Your ticket #1 is now handled by Taras."

    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["assignee"] == TARAS and doc["status"] == "in_progress"
    last = doc["history"][-1]
    assert last["note"] == "reassigned" and last["assignee"] == TARAS and last["by"] == OLHA
    audit = await bot.db.audit.find_one({"action": "reassign"})
    assert audit is not None and audit["to"] == 3002 and audit["previous"] == 3001 and audit["by"] == 3001

    # The super-admin's staff list shows each admin's tickets in work.
    boss = bot.superadmin
    await bot.db.users.update_one({"_id": boss.id}, {"$set": {"language": "en"}})
    await boss.send_command("/staff")
    panel = await boss.wait_message(predicate=has("Support staff"))
    lines = {line.split(" — ")[0]: line for line in panel.body.split("\n") if line.startswith("• ")}
    assert lines["• Olha"].endswith("· in progress: 0") and lines["• Taras"].endswith("· in progress: 3")

    # Olha may not hand it on again.
    query = await olha.press_data(HandoverCallback(action=HandoverAction.LIST, number=1).pack())
    assert await olha.wait_callback_answer(query) == (
        "Only the assignee or the super-admin can do this with ticket #1.",
        True,
    )


async def test_the_superadmin_reassigns_a_waiting_ticket_and_its_clock_keeps_running(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    taras = await make_admin(bot, 3002, name="Taras")
    await bot.db.users.update_one({"_id": 3002}, {"$set": {"language": "uk"}})  # Taras reads Ukrainian
    boss = bot.superadmin
    await flows.start(boss)
    doc = ticket_doc(1, 2001, status="waiting", assignee=OLHA)
    await seed_tickets(bot, [doc])
    repos = bot.workflow("repos", Repositories)
    before = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert before is not None

    await boss.press_data(HandoverCallback(action=HandoverAction.LIST, number=1).pack())
    picker = await boss.wait_message(predicate=has("#1"))
    await boss.click(next(t for t in picker.button_texts() if t.startswith("Taras")), picker)
    prompt = await boss.wait_edit(picker.message_id)
    await boss.click(prompt.button_texts()[0], prompt)  # Skip, in the super-admin's language
    await boss.wait_message(predicate=has("Taras"))
    told = await taras.wait_message(predicate=has("#1"))
    assert told.body.startswith("🔀 ") and told.body.endswith("передає вам заявку #1.")
    assert (await olha.wait_message(predicate=has("was handed"))).body.startswith(
        "🔀 Ticket #1 was handed to Taras by "
    )
    after = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert after is not None and after["status"] == "waiting" and after["assignee"] == TARAS
    assert after["waiting_ts"] == before["waiting_ts"]  # the employee's silence is still counted from then
    ticket = await repos.tickets.get(1)
    assert isinstance(ticket, Ticket) and ticket.assignee is not None and ticket.assignee.id == 3002


async def test_forged_hand_overs_change_nothing(bot: BotHarness) -> None:
    olha = await make_admin(bot, 3001, name="Olha")
    taras = await make_admin(bot, 3002, name="Taras")
    ivan = bot.fake.user(2001, first_name="Ivan", language_code="en")
    await flows.start(ivan)
    await seed_tickets(bot, [ticket_doc(1, 2001, status="in_progress", assignee=OLHA), ticket_doc(2, 2001)])
    cases = [
        (taras, HandoverCallback(action=HandoverAction.LIST, number=1), "Only the assignee or the super-admin"),
        (
            taras,
            HandoverCallback(action=HandoverAction.PICK, number=1, to=3002),
            "Only the assignee or the super-admin",
        ),
        (olha, HandoverCallback(action=HandoverAction.LIST, number=2), "Take ticket #2 into work first."),
        (
            olha,
            HandoverCallback(action=HandoverAction.PICK, number=1, to=2001),
            "This person is not on the support staff.",
        ),
        (olha, HandoverCallback(action=HandoverAction.SKIP, number=1), "This question is out of date"),
    ]
    for who, data, answer in cases:
        query = await who.press_data(data.pack())
        text, alert = await who.wait_callback_answer(query)
        assert (text or "").startswith(answer) and alert, data
    query = await ivan.press_data(HandoverCallback(action=HandoverAction.PICK, number=1, to=2001).pack())
    assert (await ivan.wait_callback_answer(query))[0] == "This button is no longer active."
    doc = await bot.db.tickets.find_one({"number": {"$eq": 1}})
    assert doc is not None and doc["assignee"] == OLHA and len(doc["history"]) == 1
    assert await bot.db.audit.count_documents({"action": "reassign"}) == 0
