"""The broadcast's pure parts: pacing, Telegram's length limits, content from a message, ETA and durations."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Chat, Message, MessageEntity, PhotoSize, Sticker
from hypothesis import given
from hypothesis import strategies as st

from app.models.broadcasts import BroadcastContent, BroadcastKind, Counters, Progress
from app.models.media import Media, MediaKind
from app.services.broadcast import content as broadcast_content
from app.services.broadcast.content import ContentError, Unsendable
from app.services.broadcast.pacing import Pacer
from app.services.media import media_of
from app.texts.formatting import stopwatch


def message(**fields: Any) -> Message:
    return Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type="private"), **fields)


def photo() -> list[PhotoSize]:
    return [
        PhotoSize(file_id="small", file_unique_id="s", width=90, height=90),
        PhotoSize(file_id="large", file_unique_id="l", width=1280, height=960),
    ]


def test_pacer_spaces_requests_to_the_rate_without_bursts() -> None:
    pacer = Pacer(100.0)
    waits = [pacer.reserve() for _ in range(5)]
    assert waits[0] == pytest.approx(0, abs=0.005)
    # Called back to back, each request waits one more interval of 10 ms.
    assert [round(b - a, 3) for a, b in itertools.pairwise(waits)] == [0.01] * 4
    assert pacer.reserve(3) == pytest.approx(0.05, abs=0.005)  # an album of 3 costs three slots
    assert pacer.reserve() == pytest.approx(0.08, abs=0.005)


def test_pacer_makes_up_late_slots_but_never_more_than_a_tenth_of_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("app.services.broadcast.pacing.time.monotonic", lambda: clock[0])
    pacer = Pacer(100.0)  # one slot per 10 ms
    assert pacer.reserve() == 0
    clock[0] += 0.013  # the request took 13 ms: 3 ms of the next slot are lost...
    assert pacer.reserve() == 0
    assert pacer.reserve() == pytest.approx(0.007)  # ...and made up on the following one
    clock[0] += 5.0  # a long pause (e.g. a slow page query) is not turned into a burst
    waits = [pacer.reserve() for _ in range(12)]
    assert waits[:10] == [0.0] * 10  # at most 0.1 s of catch-up: 10 slots at 100/s
    assert waits[10] == pytest.approx(0.0) and waits[11] == pytest.approx(0.01)


def test_pacer_holds_everyone_after_retry_after() -> None:
    pacer = Pacer(30.0)
    pacer.reserve()
    pacer.hold(2)
    assert pacer.reserve() == pytest.approx(2, abs=0.01)


def test_text_keeps_formatting_as_html() -> None:
    content = broadcast_content.from_message(
        message(text="Hello <all>", entities=[MessageEntity(type="bold", offset=0, length=5)])
    )
    assert content == BroadcastContent(BroadcastKind.TEXT, "<b>Hello</b> &lt;all&gt;")


def test_single_photo_takes_the_largest_size_and_the_caption() -> None:
    content = broadcast_content.from_message(message(photo=photo(), caption="Look"))
    assert content == BroadcastContent(BroadcastKind.PHOTO, "Look", (Media(MediaKind.PHOTO, "large"),))
    assert broadcast_content.from_message(message(photo=photo())).text is None


@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["a", "я", "🙂"]))
def test_length_limits_count_utf16_units(repeat: int, char: str) -> None:
    text = char * repeat
    units = repeat * (2 if char == "🙂" else 1)
    # Telegram's 4096 / 1024, less the room kept for the announcement header.
    text_room, caption_room = broadcast_content.TEXT_ROOM, broadcast_content.CAPTION_ROOM
    assert (text_room, caption_room) == (4096 - 64, 1024 - 64)
    try:
        broadcast_content.from_message(message(text=text))
        assert units <= text_room
    except ContentError as error:
        assert error.problem is Unsendable.TEXT_TOO_LONG and error.length == units > text_room
    try:
        broadcast_content.from_message(message(photo=photo(), caption=text))
        assert units <= caption_room
    except ContentError as error:
        assert error.problem is Unsendable.CAPTION_TOO_LONG and error.length == units > caption_room


def test_album_rules() -> None:
    photo_item, video_item, doc_item = (
        Media(MediaKind.PHOTO, "p"),
        Media(MediaKind.VIDEO, "v"),
        Media(MediaKind.DOCUMENT, "d"),
    )
    album = broadcast_content.album([photo_item, video_item], "Caption")
    assert album.kind is BroadcastKind.ALBUM and album.message_count == 2
    assert broadcast_content.album([doc_item, doc_item], None).kind is BroadcastKind.ALBUM
    assert broadcast_content.album([doc_item], None).kind is BroadcastKind.DOCUMENT
    with pytest.raises(ContentError) as error:
        broadcast_content.album([photo_item, doc_item], None)
    assert error.value.problem is Unsendable.MIXED_ALBUM
    assert BroadcastContent.from_doc(album.to_doc()) == album


def test_stickers_are_not_content() -> None:
    sticker = Sticker(
        file_id="s", file_unique_id="s", type="regular", width=1, height=1, is_animated=False, is_video=False
    )
    assert media_of(message(sticker=sticker)) is None


def test_eta_uses_the_configured_rate_until_there_is_a_sample() -> None:
    progress = Progress(1, Counters(total=3000, sent=0), rate=30.0)
    assert progress.eta_seconds() == pytest.approx(100)
    progress.counters.sent = 3000
    assert progress.eta_seconds() == 0


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (65, "1:05"), (3725, "1:02:05")])
def test_duration(seconds: float, text: str) -> None:
    assert stopwatch(seconds) == text
