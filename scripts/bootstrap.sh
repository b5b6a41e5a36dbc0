#!/usr/bin/env bash
# Creates .venv with Python 3.11+ and installs a requirements file into it.
# Usage: scripts/bootstrap.sh requirements.txt   (sourced by run.sh and test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Python 3.11 or newer is needed (found: $("$python" --version 2>&1 || echo none))." >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    # Debian and Ubuntu ship venv/ensurepip as a separate package.
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null && command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq python3-venv
    fi
    "$python" -m venv .venv
fi

.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
