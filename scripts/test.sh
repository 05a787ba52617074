#!/usr/bin/env bash
# The whole suite on SQLite, then on a throwaway PostgreSQL cluster (skipped when PostgreSQL is
# not installed, unless REQUIRE_POSTGRES=1). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

echo "=== Test suite on SQLite"
env -u DATABASE_URL PY="$PY" scripts/pytest.sh "$@"
sqlite_rc=$?

echo "=== Test suite on PostgreSQL"
PY="$PY" scripts/with_postgres.sh scripts/pytest.sh "$@"
pg_rc=$?
if [ $pg_rc -eq 97 ]; then
  if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "REQUIRE_POSTGRES=1 but PostgreSQL is not installed: failing." >&2
  else
    echo "PostgreSQL is not installed: skipped the PostgreSQL run (REQUIRE_POSTGRES=1 makes this fail)."
    pg_rc=0
  fi
fi

echo "=== SQLite: $([ $sqlite_rc -eq 0 ] && echo passed || echo FAILED), PostgreSQL: $([ $pg_rc -eq 0 ] && echo passed || echo FAILED)"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
