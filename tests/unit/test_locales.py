"""The gettext catalogs in app/locales stay in step with the texts in app/.

Ukrainian is what the bot's users see by default, so every text the code can show must have a
Ukrainian translation that keeps its placeholders and HTML; English is the source language, so
its catalog only has to exist (with empty translations). The compiled .mo files are committed
and must match their .po files. Whatever fails here is fixed by running scripts/i18n.sh and
translating what it added to the uk catalog.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "app"
LOCALES_DIR = APP_DIR / "locales"
DOMAIN = "messages"
LANGUAGES = ("uk", "en")
DEFAULT_LANGUAGE = "uk"
# The same keywords as `pybabel extract -k _ -k __` (which keeps babel's default ones too).
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "__": None}

FIX = (
    "Run scripts/i18n.sh, translate the new or changed entries in "
    "app/locales/uk/LC_MESSAGES/messages.po (no fuzzy ones), then run scripts/i18n.sh again."
)

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
QUOTED = re.compile(r"«([^«»]*)»")

MsgKey = tuple[str, str | None]  # (msgid, context); a plural message is keyed by its singular


@dataclass
class Extracted:
    msgid: str | tuple[str, ...]
    context: str | None
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> MsgKey:
        return _key(self.msgid, self.context)


def _key(msgid: str | tuple[str, ...] | list[str], context: str | None) -> MsgKey:
    singular = msgid if isinstance(msgid, str) else msgid[0]
    return singular, context


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _report(problem: str, lines: Iterable[str]) -> str:
    listed = "\n".join(f"  - {line}" for line in lines)
    return f"{problem}:\n{listed}\n{FIX}"


@cache
def extracted() -> dict[MsgKey, Extracted]:
    """What the code marks for translation right now, straight from the sources, with locations."""
    found: dict[MsgKey, Extracted] = {}
    for filename, lineno, msgid, _comments, context in extract_from_dir(
        APP_DIR, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if not any(_forms(msgid)):
            continue
        item = found.setdefault(_key(msgid, context), Extracted(msgid, context))
        item.locations.append(f"app/{Path(filename).as_posix()}:{lineno}")
    return found


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def po_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.is_file():
        pytest.fail(_report(f"The {language} catalog is missing", [str(path.relative_to(ROOT))]))
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def entries(catalog: Catalog) -> list[Message]:
    """The catalog's messages without its header (obsolete #~ entries are not iterated)."""
    return [message for message in catalog if message.id]


def describe(message: Message | Extracted) -> str:
    msgid = message.id if isinstance(message, Message) else message.msgid
    text = repr(msgid[0] if isinstance(msgid, tuple | list) else msgid)
    if message.context:
        text += f" (context {message.context!r})"
    if isinstance(message, Extracted):
        text += f" at {', '.join(message.locations)}"
    return text


def test_the_code_has_texts_to_translate() -> None:
    assert extracted(), "No msgids extracted from app/: the extraction keywords or the path are wrong."


def test_every_text_has_a_ukrainian_translation() -> None:
    catalog = po_catalog("uk")
    problems = []
    for key, item in sorted(extracted().items()):
        message = catalog.get(*key)
        if message is None:
            problems.append(f"{describe(item)}: not in the uk catalog")
        elif message.fuzzy:
            problems.append(f"{describe(item)}: fuzzy (unchecked) translation")
        elif not all(_forms(message.string)) or not _forms(message.string):
            problems.append(f"{describe(item)}: empty translation")
    assert not problems, _report(f"{len(problems)} text(s) lack a Ukrainian translation", problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_matches_the_code(language: str) -> None:
    """No msgid the code no longer uses, none the code uses but the catalog lacks."""
    in_code = extracted()
    in_catalog = {_key(m.id, m.context): m for m in entries(po_catalog(language))}
    missing = [describe(in_code[key]) for key in sorted(in_code.keys() - in_catalog.keys())]
    stale = [describe(in_catalog[key]) for key in sorted(in_catalog.keys() - in_code.keys())]
    problems = [f"missing: {text}" for text in missing] + [f"no longer used: {text}" for text in stale]
    assert not problems, _report(f"The {language} catalog is out of date with app/", problems)


def test_english_catalog_keeps_the_source_texts() -> None:
    """English msgids are the English texts: a translation there would only hide a source edit."""
    translated = [describe(m) for m in entries(po_catalog("en")) if any(_forms(m.string))]
    assert not translated, _report(
        "The en catalog must leave msgstr empty (gettext then shows the msgid); clear it for", translated
    )


def _markup(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text)) + Counter(HTML_TAG.findall(text))


def test_ukrainian_translations_keep_placeholders_and_html() -> None:
    problems = []
    for message in entries(po_catalog("uk")):
        sources = _forms(message.id)
        for index, translation in enumerate(_forms(message.string)):
            if not translation:
                continue  # reported by test_every_text_has_a_ukrainian_translation
            source = sources[min(index, len(sources) - 1)]
            expected, actual = _markup(source), _markup(translation)
            if expected != actual:
                lost = sorted((expected - actual).elements())
                added = sorted((actual - expected).elements())
                problems.append(f"{describe(message)}: missing {lost}, unexpected {added}")
    assert not problems, _report(
        "Ukrainian translations must keep exactly the msgid's {placeholders} and HTML tags", problems
    )


def test_ukrainian_texts_name_buttons_as_the_buttons_are_labelled() -> None:
    """«{button}» stays a quoted placeholder; a button named literally, like «❌ Cancel», must be
    quoted with the same Ukrainian label the button itself gets, or the user looks for a button
    that does not exist."""
    catalog = po_catalog("uk")
    problems = []
    for message in entries(catalog):
        if not isinstance(message.id, str) or not message.string:
            continue
        translation = message.string
        for quoted in QUOTED.findall(message.id):
            if PLACEHOLDER.fullmatch(quoted):
                expected = f"«{quoted}»"
            else:
                label = catalog.get(quoted)
                if label is None or not label.string:
                    continue  # quoted words, not a button label
                expected = f"«{label.string}»"
            if expected not in translation:
                problems.append(f"{describe(message)}: should contain {expected}")
    assert not problems, _report("Ukrainian texts quote buttons differently from their labels", problems)


def _compiled(catalog: Catalog) -> dict[MsgKey, tuple[str, ...]]:
    """What babel's write_mo puts in the .mo for this catalog (non-fuzzy, non-empty messages)."""
    result = {}
    for message in entries(catalog):
        if not message.string or message.fuzzy:
            continue
        forms = _forms(message.string)
        if message.pluralizable:  # an empty plural form falls back to the msgid
            ids = _forms(message.id)
            forms = tuple(form or ids[min(index, 1)] for index, form in enumerate(forms))
        result[_key(message.id, message.context)] = forms
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_up_to_date(language: str) -> None:
    path = mo_path(language)
    assert path.is_file(), _report(f"The compiled {language} catalog is missing", [str(path.relative_to(ROOT))])
    with path.open("rb") as file:
        compiled_catalog = read_mo(file)
    source = _compiled(po_catalog(language))
    compiled = {_key(m.id, m.context): _forms(m.string) for m in entries(compiled_catalog)}
    problems = [f"not compiled: {key[0]!r}" for key in sorted(source.keys() - compiled.keys())]
    problems += [
        f"compiled, but missing, empty or fuzzy in the .po: {key[0]!r}"
        for key in sorted(compiled.keys() - source.keys())
    ]
    problems += [
        f"outdated translation: {key[0]!r}"
        for key in sorted(source.keys() & compiled.keys())
        if source[key] != compiled[key]
    ]
    if po_catalog(language).plural_forms != compiled_catalog.plural_forms:
        problems.append("outdated Plural-Forms header")
    assert not problems, _report(f"{path.relative_to(ROOT)} does not match its .po", problems)


def test_aiogram_finds_both_languages() -> None:
    i18n = I18n(path=LOCALES_DIR, default_locale=DEFAULT_LANGUAGE, domain=DOMAIN)
    missing = sorted(set(LANGUAGES) - set(i18n.available_locales))
    assert not missing, _report(
        f"aiogram's I18n found {sorted(i18n.available_locales)} in app/locales; no compiled catalog for", missing
    )
    # The catalogs are really used: Ukrainian by default, English falls back to the msgid.
    assert i18n.gettext("❌ Cancel") == i18n.gettext("❌ Cancel", locale="uk") != "❌ Cancel"
    assert i18n.gettext("❌ Cancel", locale="en") == "❌ Cancel"
    assert i18n.gettext("Language changed to English.", locale="uk") == "Мову змінено на українську."
    assert i18n.gettext("Language changed to English.", locale="en") == "Language changed to English."


# One wording per concept in each language (the audit found two or three for each).
ONE_WORDING = {
    "en": [
        ("in work", "in progress", re.compile(r"\bin work\b", re.IGNORECASE)),
        ("server room", "the server room", re.compile(r"\bto server room\b", re.IGNORECASE)),
    ],
    "uk": [
        ("бекап", "резервна копія", re.compile(r"бекап", re.IGNORECASE)),
        ("у роботі", "в роботі", re.compile(r"\bу роботі\b", re.IGNORECASE)),
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_wording_for_backups_in_progress_and_the_server_room(language: str) -> None:
    texts = [
        (message, form)
        for message in entries(po_catalog("uk"))
        for form in (_forms(message.string) if language == "uk" else _forms(message.id))
    ]
    problems = [
        f"{describe(message)}: says {found!r}, the catalog's word is {wanted!r}"
        for found, wanted, pattern in ONE_WORDING[language]
        for message, form in texts
        if pattern.search(form)
    ]
    assert not problems, _report("Another wording than the rest of the catalog", problems)
