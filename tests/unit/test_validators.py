from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import validators
from app.models.validators import InputProblem, InvalidInput

LETTERS = "abcxyzABCXYZабвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙ"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Ivan Petrenko", "Ivan Petrenko"),
        ("  Олена   Коваль-Шевчук ", "Олена Коваль-Шевчук"),
        ("Ґанна О'Ніл", "Ґанна О'Ніл"),
        ("Їжак Євген", "Їжак Євген"),
        ("Марʼяна", "Марʼяна"),
        ("Li", "Li"),
    ],
)
def test_valid_names(typed: str, expected: str) -> None:
    assert validators.full_name(typed) == expected


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("", InputProblem.EMPTY),
        ("   ", InputProblem.EMPTY),
        ("I", InputProblem.TOO_SHORT),
        ("A" * 101, InputProblem.TOO_LONG),
        ("R2-D2", InputProblem.BAD_CHARACTERS),
        ("Ivan_Petrenko", InputProblem.BAD_CHARACTERS),
        ("-Ivan", InputProblem.BAD_CHARACTERS),
        ("Ivan 😀", InputProblem.BAD_CHARACTERS),
        ("--", InputProblem.BAD_CHARACTERS),
    ],
)
def test_invalid_names(typed: str, problem: InputProblem) -> None:
    with pytest.raises(InvalidInput) as error:
        validators.full_name(typed)
    assert error.value.problem is problem


@given(st.text(alphabet=LETTERS, min_size=2, max_size=100))
def test_any_run_of_letters_is_a_name(name: str) -> None:
    assert validators.full_name(name) == name


@given(st.text(max_size=300))
def test_name_validator_either_accepts_a_clean_name_or_names_the_problem(text: str) -> None:
    try:
        name = validators.full_name(text)
    except InvalidInput as error:
        assert error.problem in InputProblem
    else:
        assert 2 <= len(name) <= 100 and name == name.strip() and "  " not in name


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("0501234567", "+380501234567"),
        ("050 123 45 67", "+380501234567"),
        ("(050) 123-45-67", "+380501234567"),
        ("380501234567", "+380501234567"),
        ("+380501234567", "+380501234567"),
        ("+38 (050) 123-45-67", "+380501234567"),
        ("00380501234567", "+380501234567"),
        ("+48221234567", "+48221234567"),
    ],
)
def test_phones_are_normalized_to_e164(typed: str, expected: str) -> None:
    assert validators.phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "050123456", "05012345678", "+3805012345", "+38050123456789", "phone", "+0501234567", "48221234567"],
)
def test_bad_phones_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        validators.phone(typed)


@given(st.from_regex(r"\A0[1-9]\d{8}\Z"))
def test_every_ukrainian_local_number_becomes_plus_380(local: str) -> None:
    assert validators.phone(local) == "+38" + local


@given(st.text(max_size=40))
def test_phone_validator_output_is_always_e164(text: str) -> None:
    try:
        value = validators.phone(text)
    except InvalidInput:
        return
    assert value.startswith("+") and value[1:].isdigit() and 8 <= len(value) - 1 <= 15


def test_contact_phone_accepts_telegram_formats() -> None:
    assert validators.contact_phone("380501234567") == "+380501234567"
    assert validators.contact_phone("+48 22 123 45 67") == "+48221234567"
    with pytest.raises(InvalidInput):
        validators.contact_phone("12")


@given(st.text(min_size=0, max_size=2100))
def test_description_length_rule(text: str) -> None:
    stripped = text.strip()
    if 10 <= len(stripped.encode("utf-16-le")) // 2 <= 2000:  # Telegram's units
        assert validators.description(text) == stripped
    else:
        with pytest.raises(InvalidInput):
            validators.description(text)


def test_note_limit() -> None:
    assert validators.note(" rack 3 ") == "rack 3"
    with pytest.raises(InvalidInput):
        validators.note("x" * 201)


def test_mask_phone_hides_the_middle() -> None:
    assert validators.mask_phone("+380501234567") == "+380*******67"
