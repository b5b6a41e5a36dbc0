#!/usr/bin/env bash
# Installs the bot's dependencies into .venv and runs it (embedded database unless MONGODB_URI is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements.txt
if [ ! -f .env ] && [ -z "${BOT_TOKEN:-}" ]; then
    cp .env.example .env
    echo "Created .env from .env.example: put your BOT_TOKEN and SUPERADMIN_ID into it and run this again." >&2
    exit 2
fi
exec .venv/bin/python main.py "$@"
