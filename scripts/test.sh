#!/usr/bin/env bash
# Installs the development dependencies into .venv and runs the whole test suite.
# The tests start their own MongoDB-wire server (nx-27017) and fake Telegram Bot API;
# set MONGODB_URI to run them against a real MongoDB instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
