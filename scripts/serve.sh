#!/usr/bin/env bash
# `make serve`: the web process as production runs it: DEBUG off, static files collected (for
# WhiteNoise), then gunicorn with gunicorn.conf.py. Needs SECRET_KEY (the settings refuse to
# start without one) and ALLOWED_HOSTS (without it every request is refused, 400: this script
# stops first); `migrate` is a deploy step of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=0
hosts=$("$PY" manage.py shell -v 0 -c 'from django.conf import settings; print(*settings.ALLOWED_HOSTS)')
if [ -z "$hosts" ]; then
  echo "ALLOWED_HOSTS is empty: with DEBUG off every request would be refused (400). Set it to" \
    "the names this server answers to, e.g. ALLOWED_HOSTS=books.example.org." >&2
  exit 1
fi
"$PY" manage.py collectstatic --noinput --verbosity 0
exec "$PY" -m gunicorn -c gunicorn.conf.py
