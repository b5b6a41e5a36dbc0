"""The search normaliser: what a ticket is found by and what a typed query asks for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.search import (
    PREFIX_MIN,
    QUERY_MAX,
    QUERY_TERMS_MAX,
    STEM,
    fold,
    name_terms,
    parse_query,
    text_terms,
    ticket_terms,
    words,
)


def terms(query: str) -> tuple[str, ...]:
    return parse_query(query).terms


def test_fold_lowercases_composes_and_drops_apostrophes() -> None:
    assert fold("П’ЯТЬ") == fold("п'ять") == fold("пʼять") == fold("п`ять") == "пять"
    assert fold("Zoe\u0308") == "zoë"  # typed with a combining diaeresis: one spelling
    assert fold("ÇA") == "ça"


def test_words_split_on_everything_but_letters_and_digits() -> None:
    assert words("Петренко-Іваненко, O'Brien; 3-й поверх_2") == [
        "петренко",
        "іваненко",
        "obrien",
        "3",
        "й",
        "поверх",
        "2",
    ]


def test_latin_look_alikes_in_a_cyrillic_word_are_read_as_cyrillic() -> None:
    assert words("Олiйник") == words("Олійник") == ["олійник"]
    assert words("Kiев")[0] == "кіев"
    assert words("printer") == ["printer"]  # a Latin word stays Latin


def test_name_terms_are_prefixes_from_three_letters_to_the_stem() -> None:
    assert name_terms("Петренко") == {"пет", "петр", "петре", "петрен"}
    assert name_terms("Іван") == {"іва", "іван"}
    assert name_terms("Ли Ю") == {"ли"}  # single letters are not terms


def test_text_terms_are_words_cut_to_the_stem() -> None:
    assert text_terms("Принтер не друкує, п’ять принтерів") == {"принте", "не", "друкує", "пять"}
    assert text_terms("кабінет 0305") == {"кабіне", "305"}


def test_a_ticket_is_found_by_its_keys() -> None:
    found = ticket_terms(42, 777000111, "Ivan_P", "+380501234567", "Іван", "Миша")
    assert {"#42", "42", "777000111", "@ivan_p", "+380501234567", "іван", "миша"} <= found
    assert "@" not in {t[0] for t in ticket_terms(1, 2, None, "+380501234567", "Іван", "Миша")}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("#123", ("#123",)),
        ("# 0123", ("#123",)),
        ("123", ("123",)),
        ("0042", ("42",)),
        ("050 123 45 67", ("+380501234567",)),
        ("0501234567", ("+380501234567",)),
        ("380501234567", ("+380501234567",)),
        ("+380 (50) 123-45-67", ("+380501234567",)),
        ("(050) 123-45-67", ("+380501234567",)),
        ("00380501234567", ("+380501234567",)),
        ("5012345678", ("5012345678",)),  # a Telegram id is not a phone: it never starts with 0, 380 or +
        ("@Ivan_P", ("@ivan_p",)),
        ("@ivan_p #7 принтер", ("#7", "@ivan_p", "принте")),
        ("ПРИНТЕРА", ("принте",)),
        ("O’Brien", ("obrien",)),
        ("Іван іван ІВАН", ("іван",)),
        ("a ! ?", ()),
        ("", ()),
    ],
)
def test_parse_query(query: str, expected: tuple[str, ...]) -> None:
    assert terms(query) == expected


def test_a_query_is_bounded() -> None:
    query = parse_query(" ".join(f"слово{i}" for i in range(100)))
    assert len(query.terms) == QUERY_TERMS_MAX
    assert len(parse_query("я" * 1000).text) == QUERY_MAX


CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
letters = st.one_of(
    st.text(alphabet=CYRILLIC, min_size=PREFIX_MIN, max_size=20),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=PREFIX_MIN, max_size=20),
)


@given(word=letters, cut=st.integers(min_value=PREFIX_MIN, max_value=20))
def test_a_name_is_found_by_any_start_of_three_letters_or_more(word: str, cut: int) -> None:
    start = word[:cut]
    assert set(terms(start.upper())) <= name_terms(word.capitalize())


@given(word=st.text(alphabet=CYRILLIC, min_size=1, max_size=20), ending=st.text(alphabet="аеиіоуюяєї", max_size=3))
def test_a_description_word_is_found_with_another_ending(word: str, ending: str) -> None:
    """A word of STEM letters or more is found whatever follows them."""
    if len(word) < STEM:
        word = (word * STEM)[:STEM]
    assert set(terms(word + ending)) <= text_terms(f"Текст: {word}, і далі")
