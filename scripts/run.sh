#!/usr/bin/env bash
# Start the web server and the django-q2 clusters together: the main one (enrichment batches,
# imports, schedules) and the covers one (COVER_CLUSTER: cover downloads); Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=${DEBUG:-1}

"$PY" manage.py migrate --no-input
"$PY" manage.py ensure_admin
# The covers queue's name as the settings read it (the environment or .env); empty: none, the
# main cluster downloads covers too.
cover_cluster=$("$PY" manage.py shell -v 0 -c 'from django.conf import settings; print(settings.COVER_CLUSTER)')

# Job control puts each child in its own process group, so a terminal's Ctrl-C reaches only
# this script, which then stops the children in order (a cluster whose workers all receive
# SIGINT at once can hang while stopping).
set -m
"$PY" manage.py qcluster &
children=($!)
if [ -n "$cover_cluster" ]; then
  Q_CLUSTER_NAME="$cover_cluster" "$PY" manage.py qcluster &
  children+=($!)
fi
"$PY" manage.py runserver --noreload 127.0.0.1:8000 &
children+=($!)
set +m

stop() {
  trap - INT TERM EXIT
  echo "Stopping the web server and the workers..."
  # A cluster's own process stops its workers; signalling them too makes it hang.
  kill -TERM "${children[@]}" 2>/dev/null || true
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${children[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && exit 0
    sleep 0.5
  done
  for pid in "${children[@]}"; do
    kill -KILL -- -"$pid" 2>/dev/null || true
  done
}
# Stop them all on Ctrl-C, or as soon as any one exits on its own.
trap stop INT TERM EXIT

echo
echo "Bookstore is starting at http://127.0.0.1:8000/admin/ (user 'admin'); the workers are running"
echo "(the main cluster${cover_cluster:+ and the '$cover_cluster' cluster for cover downloads})."
echo "Press Ctrl-C to stop them all."
wait -n "${children[@]}" || true
