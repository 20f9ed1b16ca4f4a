#!/usr/bin/env bash
# Set up and run Apogee on this machine: a virtualenv, the pinned dependencies, the
# SQLite database, the demo workspace, then the web server and the background worker
# at http://127.0.0.1:8000. Safe to run again: each step only does what is missing.
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

# Local development: a generated secret kept in var/, never committed.
mkdir -p var
if [ -z "${APOGEE_SECRET_KEY:-}" ]; then
  [ -f var/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
  export APOGEE_SECRET_KEY="$(cat var/secret_key)"
fi

.venv/bin/apogee migrate --noinput -v 0
.venv/bin/apogee seed-demo
exec .venv/bin/apogee serve --port "${APOGEE_PORT:-8000}"
