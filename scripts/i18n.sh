#!/usr/bin/env bash
# Refresh the translations after changing texts in app/:
#   1. extract every _() / __() msgid into app/locales/messages.pot;
#   2. merge the template into each catalog (app/locales/<lang>/LC_MESSAGES/messages.po),
#      creating a missing uk/en catalog;
#   3. compile the catalogs into the messages.mo files the bot loads (commit them too).
# Afterwards translate the new or changed (fuzzy) entries in the uk catalog, run this
# script again, and check with: python -m pytest tests/unit/test_locales.py
# The en catalog stays untranslated on purpose: English msgids are the English texts.
set -euo pipefail

cd "$(dirname "$0")/.."

LOCALES_DIR=app/locales
DOMAIN=messages
TEMPLATE="$LOCALES_DIR/$DOMAIN.pot"
LANGUAGES=(uk en)

pybabel extract -k _ -k __ --no-location --omit-header -o "$TEMPLATE" app

for lang in "${LANGUAGES[@]}"; do
    po="$LOCALES_DIR/$lang/LC_MESSAGES/$DOMAIN.po"
    if [[ -f "$po" ]]; then
        # --previous keeps the old msgid next to a fuzzy guess, to show the translator what changed.
        pybabel update -i "$TEMPLATE" -d "$LOCALES_DIR" -D "$DOMAIN" -l "$lang" \
            --previous --ignore-pot-creation-date
    else
        pybabel init -i "$TEMPLATE" -d "$LOCALES_DIR" -D "$DOMAIN" -l "$lang"
    fi
done

# Fuzzy (unchecked) translations are not compiled: the bot shows the English text instead.
pybabel compile -d "$LOCALES_DIR" -D "$DOMAIN" --statistics
# en has only empty translations; --use-fuzzy makes sure its .mo is written regardless,
# so that "en" stays an available locale (it has no fuzzy entries with text to leak).
pybabel compile -d "$LOCALES_DIR" -D "$DOMAIN" -l en --use-fuzzy
