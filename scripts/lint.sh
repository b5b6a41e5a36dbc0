#!/usr/bin/env bash
# The static gates CI runs before the tests: lint, format, types, layers. Any finding fails.
# Run it locally before pushing (it installs the development tools into .venv first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements-dev.txt
bin=.venv/bin
echo "== ruff check";          "$bin/ruff" check .
echo "== ruff format --check"; "$bin/ruff" format --check .
echo "== mypy --strict";       "$bin/mypy" --strict app config.py main.py tests bench
echo "== import-linter";       "$bin/lint-imports"
