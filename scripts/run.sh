#!/usr/bin/env bash
# Start the web server and one django-q2 cluster together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=${DEBUG:-1}

"$PY" manage.py migrate --no-input
"$PY" manage.py ensure_admin

"$PY" manage.py qcluster &
cluster=$!
"$PY" manage.py runserver --noreload 127.0.0.1:8000 &
web=$!
# Stop both on Ctrl-C, or as soon as either one exits on its own.
trap 'kill $cluster $web 2>/dev/null; wait 2>/dev/null' INT TERM EXIT

echo
echo "Bookstore is starting at http://127.0.0.1:8000/admin/ (user 'admin'); a worker is running."
echo "Press Ctrl-C to stop both."
wait -n $cluster $web
