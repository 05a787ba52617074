#!/usr/bin/env bash
# Start the web server and one django-q2 cluster together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=${DEBUG:-1}

"$PY" manage.py migrate --no-input
"$PY" manage.py ensure_admin

# Job control puts each child in its own process group, so a terminal's Ctrl-C reaches only
# this script, which then stops the children in order (a cluster whose workers all receive
# SIGINT at once can hang while stopping).
set -m
"$PY" manage.py qcluster &
cluster=$!
"$PY" manage.py runserver --noreload 127.0.0.1:8000 &
web=$!
set +m

stop() {
  trap - INT TERM EXIT
  echo "Stopping the web server and the worker..."
  # The cluster's own process stops its workers; signalling them too makes it hang.
  kill -TERM "$web" "$cluster" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$web" 2>/dev/null || kill -0 "$cluster" 2>/dev/null || exit 0
    sleep 0.5
  done
  kill -KILL -- -"$web" -"$cluster" 2>/dev/null || true
}
# Stop both on Ctrl-C, or as soon as either one exits on its own.
trap stop INT TERM EXIT

echo
echo "Bookstore is starting at http://127.0.0.1:8000/admin/ (user 'admin'); a worker is running."
echo "Press Ctrl-C to stop both."
wait -n "$cluster" "$web" || true
