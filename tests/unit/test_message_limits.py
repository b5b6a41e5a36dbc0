"""Whatever a person may type, every card, summary and notice the bot renders fits Telegram.

Lengths are measured by the fake Bot API's own parser (tests/support/fake_telegram/markup.py):
UTF-16 code units of the text after HTML entity parsing, exactly as Telegram counts them, and
the parser refuses broken HTML as Telegram does. Tickets stored before the limits counted
UTF-16 units (a 2000-emoji description) must render too: those are the tickets nobody could open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from aiogram.utils.i18n import I18n
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import validators
from app.models.categories import HINT_MAX, NAME_MAX, Category
from app.models.conversation import Content, DeliveryState, Direction, Part, PartKind, TicketMessage
from app.models.telegram_text import fit, fit_html, shorten, split_text, utf16_len, visible_len
from app.models.tickets import (
    RATING_MAX,
    RATING_MIN,
    ChangeNote,
    Draft,
    Feedback,
    Outcome,
    Priority,
    StatusChange,
    Ticket,
    TicketStatus,
)
from app.models.users import Person, User
from app.models.validators import InvalidInput
from app.texts.feedback import feedback_refusal, low_rating_alert, reopened_owner, reopened_staff
from app.texts.form import category_chosen, description_prompt, priority_prompt, summary_prompt
from app.texts.notices import new_ticket_notice, server_room_notice, status_notice
from app.texts.tickets import created_line, full_text_messages, refusal, staff_card, ticket_card
from app.utils.i18n import LOCALES_DIR
from tests.support.fake_telegram.markup import CALLBACK_ANSWER_LIMIT, TEXT_LIMIT, parse_html
from tests.support.fake_telegram.markup import utf16_len as telegram_utf16_len

LANGUAGES = ("uk", "en")
I18N = I18n(path=LOCALES_DIR, default_locale="uk", domain="messages")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WIDE = "😀"  # two UTF-16 units
FAMILY = "👨‍👩‍👧‍👦"  # one picture, eleven UTF-16 units


def telegram_length(html: str) -> int:
    """What Telegram would count (and a 400 for HTML it cannot parse)."""
    return telegram_utf16_len(parse_html(html).plain)


@contextmanager
def language(code: str) -> Iterator[None]:
    with I18N.context(), I18N.use_locale(code):
        yield


def accepted(check: Callable[[str], str], texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Texts the bot accepts from a person through `check`."""

    def passes(text: str) -> str | None:
        try:
            return check(text)
        except InvalidInput:
            return None

    return texts.map(passes).filter(lambda value: value is not None)  # type: ignore[return-value]


def typed(limit: int) -> st.SearchStrategy[str]:
    """Anything around `limit` units, with a good share of long runs of two-unit emoji, pictures and
    HTML-special characters, and the longest text the limit lets through."""
    pieces = st.sampled_from([WIDE, FAMILY, "&", "<b>", '"', "я", "a", " ", "\n", "e\u0301", "\U00020000"])
    runs = st.lists(st.tuples(pieces, st.integers(1, limit)), min_size=1, max_size=4).map(
        lambda parts: "".join(piece * count for piece, count in parts)
    )
    return st.one_of(st.text(max_size=limit + 50), runs, st.just(WIDE * (limit // 2)))


NAMES = accepted(
    validators.full_name,
    st.lists(st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=60), min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda name: name.strip() != ""),
) | st.just("\U00020000" * 50)
DESCRIPTIONS = accepted(validators.description, typed(validators.DESCRIPTION_MAX))
COMMENTS = accepted(validators.comment, typed(validators.COMMENT_MAX)).filter(bool)
REASONS = accepted(validators.reason, typed(validators.REASON_MAX))
NOTES = accepted(validators.note, typed(validators.NOTE_MAX))
# Telegram's first and last names: up to 64 characters each, anything at all.
TELEGRAM_NAMES = st.text(min_size=1, max_size=64) | st.just(FAMILY * 64)
USERNAMES = st.none() | st.from_regex(r"\A[a-z][a-z0-9_]{4,31}\Z")
PEOPLE = st.builds(Person, st.integers(1, 2**40), st.builds(lambda a, b: f"{a} {b}", TELEGRAM_NAMES, TELEGRAM_NAMES))


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    """A ticket as the bot can store it: accepted answers, then any run of staff actions."""
    at = NOW - timedelta(days=draw(st.integers(0, 400)))
    history = [StatusChange(at, None, None, TicketStatus.NEW)]
    assignee: Person | None = None
    for _ in range(draw(st.integers(0, 25))):  # taken, then the assignee left the staff: back to the queue
        assignee = draw(PEOPLE)
        history.append(StatusChange(at, assignee, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
        left = "the assignee left the support staff"
        history.append(StatusChange(at, assignee, TicketStatus.IN_PROGRESS, TicketStatus.NEW, left))
        assignee = None
    status = draw(st.sampled_from(TicketStatus))
    if status is not TicketStatus.NEW:
        assignee = draw(PEOPLE)
        history.append(StatusChange(at, assignee, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    feedback = None
    if status is TicketStatus.CLOSED:
        history.append(StatusChange(at, assignee, TicketStatus.IN_PROGRESS, status, draw(st.none() | COMMENTS)))
        rating = draw(st.none() | st.integers(RATING_MIN, RATING_MAX))
        comment = draw(st.none() | COMMENTS) if rating is not None else None
        feedback = draw(st.none() | st.just(Feedback(solved=True, at=at, rating=rating, comment=comment)))
    if status is TicketStatus.REJECTED:
        history.append(StatusChange(at, draw(PEOPLE), TicketStatus.IN_PROGRESS, status, draw(REASONS)))
    return Ticket(
        number=draw(st.integers(1, 10**9)),
        user_id=draw(st.integers(1, 2**40)),
        username=draw(USERNAMES),
        full_name=draw(NAMES),
        phone=draw(st.sampled_from(["+380501234567", "+861012345678901"])),
        description=draw(DESCRIPTIONS),
        priority=draw(st.sampled_from(Priority)),
        status=status,
        created_at=at,
        updated_at=at,
        assignee=assignee,
        history=history,
        feedback=feedback,
    )


def legacy_ticket(status: TicketStatus) -> Ticket:
    """The worst a ticket stored before this fix can hold: every limit was counted in code points."""
    wide_person = Person(7, WIDE * 64 + " " + WIDE * 64)
    history = [StatusChange(NOW, None, None, TicketStatus.NEW)]
    if status is not TicketStatus.NEW:
        history.append(StatusChange(NOW, wide_person, TicketStatus.NEW, TicketStatus.IN_PROGRESS))
    if status in (TicketStatus.CLOSED, TicketStatus.REJECTED):
        history.append(StatusChange(NOW, wide_person, TicketStatus.IN_PROGRESS, status, WIDE * 1000))
    return Ticket(
        number=10**9,
        user_id=1,
        username="a" * 32,
        full_name="\U00020000" * 100,
        phone="+380501234567",
        description=WIDE * 2000,
        priority=Priority.CRITICAL,
        status=status,
        created_at=NOW,
        updated_at=NOW + timedelta(days=1),
        assignee=None if status is TicketStatus.NEW else wide_person,
        history=history,
    )


# The widest category the super-admin can save: every name and hint at its limit in UTF-16 units.
LONGEST_CATEGORY = Category(
    10**6,
    {code: "🙂" * (NAME_MAX // 2) for code in LANGUAGES},
    1,
    priority=Priority.CRITICAL,
    hints={code: "<&>" + "🙂" * ((HINT_MAX - 3) // 2) for code in LANGUAGES},
)


def recent_messages(ticket: Ticket) -> list[TicketMessage]:
    """The worst a card's latest messages can hold: long texts, wide names, albums."""
    content = Content(text=WIDE * 4096, parts=tuple(Part(PartKind.PHOTO, "x") for _ in range(10)))
    return [
        TicketMessage(ticket.number, direction, 1, WIDE * 128, content, NOW, DeliveryState.SENT)
        for direction in (Direction.IN, Direction.OUT, Direction.NOTE)
    ]


def every_message_about(ticket: Ticket) -> list[str]:
    category = LONGEST_CATEGORY
    created = ticket_card(ticket, category, lead=created_line(ticket.number))
    recent = recent_messages(ticket)
    messages = [ticket_card(ticket, category).text, created.text, staff_card(ticket, category).text]
    messages += [new_ticket_notice(ticket, category), new_ticket_notice(ticket, None)]
    messages += [ticket_card(ticket, category, recent=recent).text, staff_card(ticket, category, recent).text]
    messages += [status_notice(ticket, change) for change in ticket.history[1:]]
    draft = Draft(ticket.full_name, ticket.phone, ticket.description, [], ticket.priority, category.id)
    messages += [summary_prompt(draft, category), summary_prompt(draft, category, "Please use the buttons below.")]
    messages += [category_chosen(category) or "", description_prompt(category), priority_prompt(category, Priority.LOW)]
    messages += full_text_messages(ticket, staff=True) + full_text_messages(ticket, staff=False)
    if ticket.feedback is not None and ticket.feedback.rating is not None:
        messages.append(low_rating_alert(ticket))
    messages += [reopened_staff(ticket, note) for note in (ChangeNote.NOT_SOLVED, ChangeNote.WROTE_AGAIN)]
    messages.append(reopened_owner(ticket))
    return messages


def assert_all_fit(ticket: Ticket) -> None:
    for code in LANGUAGES:
        with language(code):
            for message in every_message_about(ticket):
                assert telegram_length(message) <= TEXT_LIMIT, (code, message[:200])
            alerts = [refusal(Outcome.ALREADY_TAKEN, ticket)]
            alerts += [feedback_refusal(outcome, ticket, 365) for outcome in Outcome]
            for alert in alerts:
                assert telegram_utf16_len(alert) <= CALLBACK_ANSWER_LIMIT, alert
            for staff in (True, False):
                parts = "".join(parse_html(part).plain for part in full_text_messages(ticket, staff=staff))
                assert "".join(ticket.description.split()) in "".join(parts.split())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tickets())
def test_any_accepted_ticket_renders_within_telegram_limits(ticket: Ticket) -> None:
    assert_all_fit(ticket)


@pytest.mark.parametrize("status", list(TicketStatus))
def test_tickets_stored_before_the_fix_render_too(status: TicketStatus) -> None:
    ticket = legacy_ticket(status)
    assert_all_fit(ticket)
    with language("en"):
        for card in (ticket_card(ticket, None), staff_card(ticket, None)):
            assert card.shortened and "…" in card.text and "<b>Category:</b> —" in card.text


def test_a_card_that_fits_is_whole_and_not_marked_shortened() -> None:
    olha = Person(7, "Olha")
    ticket = Ticket(
        number=1,
        user_id=1,
        username=None,
        full_name="Ivan Petrenko",
        phone="+380501234567",
        description=WIDE * 1000,
        priority=Priority.HIGH,
        status=TicketStatus.CLOSED,
        created_at=NOW,
        updated_at=NOW,
        assignee=olha,
        history=[
            StatusChange(NOW, None, None, TicketStatus.NEW),
            StatusChange(NOW, olha, TicketStatus.NEW, TicketStatus.IN_PROGRESS),
            StatusChange(NOW, olha, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED, "Replaced the toner"),
        ],
    )
    with language("uk"):
        for card in (staff_card(ticket, LONGEST_CATEGORY), ticket_card(ticket, LONGEST_CATEGORY)):
            assert not card.shortened and WIDE * 1000 in card.text and "…" not in card.text


@settings(deadline=None)
@given(NOTES, TELEGRAM_NAMES, st.none() | TELEGRAM_NAMES, USERNAMES)
def test_server_room_alert_fits(note: str, first: str, last: str | None, username: str | None) -> None:
    caller = User(42, first, last, username, "uk", NOW)
    for code in LANGUAGES:
        with language(code):
            assert telegram_length(server_room_notice(caller, "+380501234567", note)) <= TEXT_LIMIT


# --- the helpers themselves -------------------------------------------------------------


@given(st.text(max_size=300), st.integers(1, 400))
def test_shorten_keeps_within_the_limit_and_marks_the_cut(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert utf16_len(short) <= limit
    if utf16_len(text) <= limit:
        assert short == text
    else:
        assert short.endswith("…") and text.startswith(short[:-1].rstrip())


def test_shorten_never_splits_a_picture_or_a_letter_from_its_accent() -> None:
    assert shorten("ab" + FAMILY, 8) == "ab…"
    assert shorten("Zoe\u0301 Muller", 4) == "Zo…"
    assert shorten(WIDE * 3, 4) == WIDE + "…"


@given(st.text(max_size=3000), st.integers(1, 4096))
def test_fit_html_cuts_visible_text_and_keeps_markup_valid(text: str, limit: int) -> None:
    html = f'<b>Title</b>\n<i>{escape(text)}</i> <a href="tg://user?id=1">link</a>'
    fitted = fit_html(html, limit)
    assert telegram_length(fitted) <= limit
    assert visible_len(fitted) >= telegram_length(fitted)
    if visible_len(html) <= limit:
        assert fitted == html


def test_fit_shortens_the_long_fields_evenly_and_says_so() -> None:
    def render(room: int | None) -> str:
        def cut(value: str) -> str:
            return value if room is None else shorten(value, room)

        return f"<b>A:</b> {cut('x' * 3000)}\n<b>B:</b> {cut('y' * 300)}"

    fitted = fit(render, 2000)
    assert fitted.shortened and telegram_length(fitted.text) <= 2000
    assert "y" * 300 in fitted.text  # the short field stays whole; the long one gives way
    whole = fit(render, 4000)
    assert not whole.shortened and whole.text == render(None)


@given(st.text(min_size=1, max_size=9000), st.integers(50, 4096))
def test_split_text_keeps_every_character_in_pieces_that_fit(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(utf16_len(piece) <= limit for piece in pieces)
