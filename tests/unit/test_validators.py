from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import validators
from app.models.validators import InputProblem, InvalidInput
from tests.support.fake_telegram.markup import utf16_len

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
        ("Zoë Müller", "Zoë Müller"),
        ("Zoe\u0308 Mu\u0308ller", "Zoë Müller"),  # decomposed diacritics are stored composed
        ("José", "José"),
        ("Łukasz Żółć", "Łukasz Żółć"),
        ("Şevket Çelik", "Şevket Çelik"),
        ("Петренко І. В.", "Петренко І. В."),
        ("Петренко І.В.", "Петренко І.В."),
        ("O’Neil", "O’Neil"),
        ("Мар'яна", "Мар'яна"),
        ("Jean-Luc Picard Jr.", "Jean-Luc Picard Jr."),
        ("Σωκράτης", "Σωκράτης"),
        ("山田 太郎", "山田 太郎"),
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
        ("Ivan 2nd", InputProblem.BAD_CHARACTERS),
        ("Ivan!", InputProblem.BAD_CHARACTERS),
        ("Ivan@corp", InputProblem.BAD_CHARACTERS),
        ("Ivan ©", InputProblem.BAD_CHARACTERS),
        ("Ivan $", InputProblem.BAD_CHARACTERS),
        ("Іван ٣", InputProblem.BAD_CHARACTERS),  # a digit of another script is still a digit
        (". Ivan", InputProblem.BAD_CHARACTERS),
        ("Ivan..", InputProblem.BAD_CHARACTERS),
        ("Ivan'", InputProblem.BAD_CHARACTERS),
        ("ʼʼ", InputProblem.BAD_CHARACTERS),
        ("\u0308\u0308", InputProblem.BAD_CHARACTERS),  # diacritics with no letter
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
        assert 2 <= utf16_len(name) <= 100 and name == name.strip() and "  " not in name
        # Only letters (with their diacritics), spaces, hyphens, apostrophes and dots get through.
        assert all(unicodedata.category(c)[0] in "LM" or c in " -.'’ʼ" for c in name), name


# Letters of every script, as a person types them (precomposed, as keyboards send them).
ANY_LETTER = st.characters(categories=["Lu", "Ll", "Lt", "Lo"]).filter(
    lambda c: unicodedata.normalize("NFC", c) == c and c != "ʼ"
)
WORD = st.text(alphabet=ANY_LETTER, min_size=1, max_size=12)
SEPARATOR = st.sampled_from([" ", "-", "'", "’", "ʼ", ". ", "."])


@given(st.lists(st.tuples(SEPARATOR, WORD), max_size=4), WORD, st.booleans())
def test_letters_of_any_alphabet_with_separators_make_a_name(
    rest: list[tuple[str, str]], first: str, initial: bool
) -> None:
    name = first + "".join(separator + word for separator, word in rest) + ("." if initial else "")
    if not 2 <= utf16_len(name) <= 100:
        return
    assert validators.full_name(name) == name


SYMBOL_OR_DIGIT = st.characters(categories=["Nd", "Nl", "No", "Sm", "Sc", "Sk", "So", "Pc", "Ps", "Pe", "Pi", "Po"])


@given(WORD, SYMBOL_OR_DIGIT, WORD)
def test_a_digit_or_a_symbol_anywhere_is_refused(before: str, bad: str, after: str) -> None:
    if bad in "'’.-" or unicodedata.normalize("NFC", bad) != bad:
        return  # the separators a name may have (or a symbol that composes with the letter before it)
    with pytest.raises(InvalidInput) as error:
        validators.full_name(f"{before}{bad}{after}")
    assert error.value.problem in (InputProblem.BAD_CHARACTERS, InputProblem.TOO_LONG)


def test_name_length_is_counted_as_telegram_counts_it() -> None:
    wide = "\U00020000"  # a CJK letter outside the BMP: two UTF-16 units
    assert validators.full_name(wide * 50) == wide * 50
    with pytest.raises(InvalidInput) as error:
        validators.full_name(wide * 51)
    assert error.value.problem is InputProblem.TOO_LONG


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
    if 10 <= utf16_len(stripped) <= 2000:
        assert validators.description(text) == stripped
    else:
        with pytest.raises(InvalidInput):
            validators.description(text)


EMOJI = "😀"  # two UTF-16 code units, as Telegram counts it


@pytest.mark.parametrize(
    "check, limit",
    [
        (validators.description, validators.DESCRIPTION_MAX),
        (validators.note, validators.NOTE_MAX),
        (validators.comment, validators.COMMENT_MAX),
        (validators.reason, validators.REASON_MAX),
    ],
)
def test_every_limit_counts_utf16_units(check: Callable[[str], str], limit: int) -> None:
    assert check(EMOJI * (limit // 2)) == EMOJI * (limit // 2)
    with pytest.raises(InvalidInput) as error:
        check(EMOJI * (limit // 2) + "x")
    assert error.value.problem is InputProblem.TOO_LONG


def test_note_limit() -> None:
    assert validators.note(" rack 3 ") == "rack 3"
    with pytest.raises(InvalidInput):
        validators.note("x" * 201)


def test_comment_may_be_empty_and_a_reason_may_not_be_short() -> None:
    assert validators.comment("  ") == ""
    assert validators.comment(" toner replaced ") == "toner replaced"
    with pytest.raises(InvalidInput) as error:
        validators.reason("no")
    assert error.value.problem is InputProblem.TOO_SHORT
    assert validators.reason(" dup of #3 ") == "dup of #3"


def test_mask_phone_hides_the_middle() -> None:
    assert validators.mask_phone("+380501234567") == "+380*******67"
