#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temp dir, start it on a free
# loopback port, export DATABASE_URL, run "$@", then stop the server and remove the cluster.
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
# Exit 97 when no PostgreSQL server binaries are installed.
set -uo pipefail

find_pg_bin() {
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    # The real bin dir (PATH may hold symlinks to initdb/pg_ctl only) also has createdb.
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return
  fi
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  return 1
}

PG_BIN=$(find_pg_bin) || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found." >&2; exit 97; }
PG_DIR=$(mktemp -d /tmp/bookstore-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
# Durability off: this cluster lives for one test run.
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null \
  || { cat "$PG_DIR/server.log" >&2; exit 1; }

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres bookstore \
  || { echo "createdb failed" >&2; exit 1; }
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/bookstore"
echo "Throwaway PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
"$@"
