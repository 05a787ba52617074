#!/usr/bin/env bash
# `make demo`: the whole flow without a network. A local demo provider answers like Open Library
# and Google Books from recorded bodies; a bundled export is imported and enriched against it by
# a worker while the web server runs. Its own database (demo.sqlite3) and files (demo-data/),
# both started afresh on every run: a real catalog's are never touched. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ROOT=$PWD
DEMO_EXPORT=enrichment/demo/data/synthetic-bookwyrm-export.csv
WEB_PORT=${DEMO_WEB_PORT:-8000}

# Start afresh: the demo shows covers arriving and a review queue only on a new catalog.
rm -f demo.sqlite3 demo.sqlite3-wal demo.sqlite3-shm demo.sqlite3-waiters
rm -rf demo-data
mkdir -p demo-data

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
provider="http://127.0.0.1:$port"

# Everything the app reads is the demo's, whatever the environment or .env says: its database,
# covers and uploads, a local broker, and only the two providers the demo provider stands in for.
export DEBUG=1 DEMO_MODE=1
export DATABASE_URL="sqlite:///$ROOT/demo.sqlite3"
export MEDIA_ROOT="$ROOT/demo-data/media" IMPORT_STORAGE_LOCATION="$ROOT/demo-data/private-imports"
export STORAGE_BACKEND=filesystem REDIS_URL="" Q_SYNC=0
# One cluster works the demo's 20 books and their covers (no covers cluster: COVER_CLUSTER empty).
export COVER_CLUSTER=""
export ENRICHMENT_PROVIDERS=openlibrary,google_books GOOGLE_BOOKS_API_KEY=""
export OPENLIBRARY_URL="$provider" OPENLIBRARY_COVERS_URL="$provider"
export GOOGLE_BOOKS_URL="$provider/books/v1"
# A local server has no rate limit to respect.
export OPENLIBRARY_RATE=100 GOOGLE_BOOKS_RATE=100
export ADMIN_PASSWORD=${ADMIN_PASSWORD:-demo}

# Job control puts each child in its own process group, so a terminal's Ctrl-C reaches only
# this script, which then stops the children in order (as scripts/run.sh does).
set -m
"$PY" manage.py demo_provider --port "$port" --cover-delay "${DEMO_COVER_DELAY:-0.3}" &
demo_provider=$!
set +m
cluster="" web=""

stop() {
  trap - INT TERM EXIT
  echo "Stopping the demo..."
  # The cluster's own process stops its workers; signalling them too makes it hang.
  for pid in $web $cluster $demo_provider; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=""
    for pid in $web $cluster $demo_provider; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && exit 0
    sleep 0.5
  done
  for pid in $web $cluster $demo_provider; do kill -KILL -- -"$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

"$PY" manage.py migrate --no-input >/dev/null
"$PY" manage.py ensure_admin
"$PY" - "$port" <<'PYTHON'
import socket, sys, time
for _ in range(100):  # up to 10 s for the demo provider to listen
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("The demo provider did not start.")
PYTHON
"$PY" manage.py import_books "$DEMO_EXPORT"

set -m
"$PY" manage.py qcluster &
cluster=$!
"$PY" manage.py runserver --noreload "127.0.0.1:$WEB_PORT" &
web=$!
set +m

cat <<EOF

Bookstore DEMO at http://127.0.0.1:$WEB_PORT/admin/ - log in as 'admin', password '$ADMIN_PASSWORD'.
Data comes from a local demo provider ($provider), not from the real Open Library:
no network is used. Within a minute: covers arriving (Catalog > Works), a review queue
(Enrichment > Enrichment requests), the audit log and its Revert button.
The demo has its own database (demo.sqlite3) and files (demo-data/); both start afresh on
every 'make demo'. Press Ctrl-C to stop.
EOF
wait -n "$cluster" "$web" "$demo_provider" || true
