#!/usr/bin/env bash
# pytest, with "collected no tests" (exit 5) counted as a failure.
cd "$(dirname "$0")/.."
"${PY:-.venv/bin/python}" -m pytest "$@"
rc=$?
[ $rc -eq 5 ] && { echo "pytest collected no tests" >&2; exit 1; }
exit $rc
