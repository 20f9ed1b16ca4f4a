#!/usr/bin/env bash
# Set up everything the tests need (virtualenv, pinned dependencies, Debian's chromium
# for the browser tests) and run the whole suite: lint, layering contracts, tests.
# DATABASE_URL=postgres://… runs the same suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements.lock
  .venv/bin/pip install --quiet --no-deps -e .
  cp requirements.lock .venv/.installed-lock
fi

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/python manage.py makemigrations --check --dry-run --settings=tests.settings >/dev/null
.venv/bin/pytest -n "${APOGEE_TEST_WORKERS:-auto}" "$@"
