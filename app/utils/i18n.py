"""Translations: gettext catalogs in app/locales, Ukrainian by default, English as the source language."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n

LOCALES_DIR = Path(__file__).parents[1] / "locales"


def create_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain="messages")


def pick_language(language_code: str | None, available: tuple[str, ...], default: str) -> str:
    """Telegram sends codes like `uk`, `en-GB` or nothing at all."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in available:
            return base
    return default
