#!/usr/bin/env bash
# `make serve`: the web process as production runs it: DEBUG off, static files collected (for
# WhiteNoise), then gunicorn with gunicorn.conf.py. Needs SECRET_KEY and ALLOWED_HOSTS set (the
# settings refuse to start without them); `migrate` is a deploy step of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=0
"$PY" manage.py collectstatic --noinput --verbosity 0
exec "$PY" -m gunicorn -c gunicorn.conf.py
