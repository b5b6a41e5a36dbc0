"""Drill: no log file holds the bot token or a full phone number at INFO level.

1. A realistic session at LOG_LEVEL=INFO — two tickets (phones typed with separators and
   shared as a contact without '+'), someone else's contact, a server-room call whose note
   carries a phone, take/close/reject, a 500 and a 429 from Telegram, an owner who blocked
   the bot, and a MongoDB outage in the middle of the form — then every file the bot wrote
   to LOG_DIR is searched for the token and for each phone in every form it was written.
2. Run last (see conftest.py): every log file under the pytest base temp directory, i.e.
   the logs of every test of this run, searched for tokens and phone-shaped numbers in
   records at INFO level or above.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pymongo.errors import AutoReconnect

from app.db.embedded import EmbeddedMongo
from tests.drills._support import PHONE_PATTERN, Quiet, records_at_info_or_above
from tests.support import flows
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import BotHarness, make_settings
from tests.support.staff import make_admin, open_card

# Each phone of the session: (as typed or shared, E.164 it becomes).
PHONES = {
    "ivan": ("+38 (050) 123-45-67", "+380501234567"),
    "maria": ("380671112233", "+380671112233"),  # a shared contact, Telegram left out the '+'
    "stranger": ("+380939998877", "+380939998877"),  # someone else's contact: refused
    "note": ("0442223344", "+380442223344"),  # typed into the server-room note
    "outage": ("0631234567", "+380631234567"),  # typed while MongoDB was down
}
TOKEN_SHAPE = re.compile(r"(?<![\w.])\d{3,}:[A-Za-z][A-Za-z0-9_-]{2,}")


def phone_forms(typed: str, e164: str) -> set[str]:
    digits = e164.lstrip("+")
    forms = {typed, e164, digits}
    if digits.startswith("380"):
        forms.add("0" + digits[3:])  # the national form a user types
    return forms


def bot_log_files(directory: Path) -> list[Path]:
    """*.log files and main.py's captured console output (*.out), each once (pytest's
    `…current` symlinks point at directories already listed)."""
    found: dict[Path, Path] = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix in (".log", ".out") and path.is_file():
            found.setdefault(path.resolve(), path)
    return sorted(found.values())


async def test_realistic_session_writes_no_token_or_phone_to_the_logs(
    fake: FakeTelegram, db_name: str, tmp_path: Path
) -> None:
    server = EmbeddedMongo(tmp_path / "mongo")  # its own, so the outage disturbs no other test
    server.start()
    settings = make_settings(
        fake, server.uri, db_name, tmp_path, LOG_LEVEL="INFO", MONGODB_TIMEOUT_SECONDS=1, BACKUP_ENABLED=False
    )
    bot = BotHarness(fake, settings)
    try:
        await bot.start()
        quiet = Quiet(bot)
        admin = await make_admin(bot, 3001, name="Olha")
        ivan = fake.user(2001, first_name="Ivan", username="ivan_p", language_code="en")
        maria = fake.user(2002, first_name="Maria", language_code="en")

        # Ticket #1: the phone typed with separators.
        await flows.start(ivan)
        await flows.file_ticket(ivan, phone=PHONES["ivan"][0])
        # Ticket #2: first someone else's contact (refused), then her own, without '+'.
        await flows.start(maria)
        await flows.open_form(maria)
        await maria.send_text("Maria Kovalenko")
        await maria.wait_message(predicate=flows.at_step("phone"))
        await maria.send_contact(PHONES["stranger"][0], own=False, user_id=777)
        await maria.wait_message(predicate=lambda m: "someone else's" in (m.text or ""))
        await maria.share_contact(PHONES["maria"][0])
        await maria.wait_message(predicate=flows.at_step("description"))
        await maria.send_text("Outlook asks for the password every ten minutes.")
        await maria.wait_message(predicate=flows.at_step("media"))
        await maria.tap(flows.SKIP)
        await maria.wait_message(predicate=flows.at_step("priority"))
        await maria.tap(flows.PRIORITIES["normal"])
        await maria.wait_message(predicate=lambda m: "Please check" in (m.text or ""))
        await maria.tap(flows.SUBMIT)
        await maria.wait_message(predicate=lambda m: "Ticket #2 created" in (m.text or ""))

        # Server-room call: staff get the caller's phone; the note carries another one.
        await ivan.tap(flows.SERVER_ROOM)
        await ivan.wait_message(predicate=lambda m: "short note" in (m.text or ""))
        await ivan.send_text(f"Rack 3 smokes, call me at {PHONES['note'][0]}")
        await ivan.wait_message(predicate=lambda m: "alerted" in (m.text or ""))

        # Staff work, with Telegram answering 429 once and the owner of #2 having blocked the bot.
        card = await open_card(admin, 1)
        await quiet.settle()
        fake.inject_429(1, retry_after=1, methods=["sendMessage"])
        await admin.click("🛠 Take into work", card)
        taken = await admin.wait_edit(card.message_id, timeout=10)
        await admin.click("✅ Close", taken)
        await admin.wait_message(predicate=lambda m: "Closing ticket #1" in (m.text or ""), timeout=10)
        await admin.send_text(f"Done; if it happens again call {PHONES['ivan'][1]}")
        await admin.wait_message(predicate=lambda m: "closed" in (m.text or ""))
        fake.block(maria.id)
        card = await open_card(admin, 2)
        await admin.click("⛔ Reject", card)
        await admin.wait_message(predicate=lambda m: "Rejecting ticket #2" in (m.text or ""))
        await admin.send_text("Duplicate of an older request, see the mail")
        await admin.wait_message(predicate=lambda m: "rejected" in (m.text or ""))

        # An unexpected failure: Telegram answers 500 to the reply.
        await quiet.settle()
        fake.fail_next(1, status=500, methods=["sendMessage"])
        await ivan.tap(flows.MY_TICKETS)
        await ivan.wait_message(predicate=lambda m: "went wrong" in (m.text or ""))

        # MongoDB goes away while the phone step is answered, then comes back.
        await flows.open_form(ivan)
        await ivan.send_text("Ivan Petrenko")
        await ivan.wait_message(predicate=flows.at_step("phone"))
        await quiet.settle()
        server.stop()
        await ivan.send_text(PHONES["outage"][0])
        down = await ivan.wait_message(timeout=15)
        assert "temporarily unavailable" in down.body, down.text
        server.start()
        await ivan.send_text(PHONES["outage"][0])
        await ivan.wait_message(predicate=flows.at_step("description"), timeout=15)
        await ivan.tap(flows.CANCEL)
        await ivan.wait_message(predicate=lambda m: "Cancelled" in (m.text or ""))
        await quiet.settle()
    finally:
        try:
            # The test's own client still holds connections to the server before the outage.
            for _attempt in range(3 if server.process is not None else 0):
                try:
                    await bot.client.admin.command("ping")
                    break
                except AutoReconnect:
                    continue
            await bot.close()
        finally:
            server.stop()

    files = bot_log_files(settings.log_dir)
    assert files, "the bot wrote no log file"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    # The session did produce the noisy records we wanted to see redacted.
    for expected in ("Error while handling", "Database unavailable while handling", "has blocked the bot"):
        assert expected in text, f"the drill did not provoke {expected!r}"

    token = fake.token
    leaks = [f"token {what!r}" for what in (token, token.split(":", 1)[1]) if what in text]
    forms = {form for typed, e164 in PHONES.values() for form in phone_forms(typed, e164)}
    leaks += [f"phone {form!r}" for form in sorted(forms) if form in text]
    info_records = records_at_info_or_above(text)
    leaks += [f"phone-shaped {m!r} in: {r[:200]!r}" for r in info_records for m in PHONE_PATTERN.findall(r)]
    assert not leaks, "secrets in the bot's logs:\n" + "\n".join(leaks)

    # The embedded database server's own log (not the bot's): reported, not asserted.
    db_log = tmp_path / "mongo" / "nx-27017.log"
    db_text = db_log.read_text(errors="replace") if db_log.exists() else ""
    db_leaks = sorted(form for form in forms if form in db_text)
    print(
        f"\n[drill secrets] session: {len(files)} log file(s), {len(text.splitlines())} lines, "
        f"{len(info_records)} records at INFO+, {len(forms)} phone forms of {len(PHONES)} numbers "
        f"+ the token searched: 0 found (nx-27017's own log: {len(db_leaks)} phone forms)"
    )


@pytest.mark.filterwarnings("ignore")
def test_no_token_or_phone_in_any_log_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Moved to the end of the session by tests/drills/conftest.py, so it sees every test's logs."""
    base = tmp_path_factory.getbasetemp()
    files = [p for p in bot_log_files(base) if "mongo" not in p.parts and p.name != "nx-27017.log"]
    leaks: list[str] = []
    lines = records = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines += len(text.splitlines())
        # A token never belongs in a log, whatever the level.
        leaks += [f"{path.relative_to(base)}: token {m!r}" for m in TOKEN_SHAPE.findall(text)]
        for record in records_at_info_or_above(text):
            records += 1
            for match in PHONE_PATTERN.findall(record):
                leaks.append(f"{path.relative_to(base)}: phone {match!r} in {record[:200]!r}")
    assert not leaks, "secrets in the logs of this run:\n" + "\n".join(leaks[:20])
    print(
        f"\n[drill secrets] whole run: {len(files)} log files under {base.name}, {lines} lines, "
        f"{records} records at INFO+: 0 tokens, 0 phone numbers"
    )
