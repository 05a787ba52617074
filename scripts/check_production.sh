#!/usr/bin/env bash
# CI: the web process as production runs it. Collects static files and migrates a database, both
# in a temp dir; starts gunicorn (gunicorn.conf.py) with DEBUG off on a free loopback port; checks
# that /healthz answers 200 "ok", that the admin's login page is served, and that WhiteNoise
# serves static files (the admin's base.css by the hashed URL the page links, and our favicon)
# with a far-future cache header. gunicorn is stopped and the temp dir removed however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

work=$(mktemp -d)
gunicorn_pid=""
cleanup() {
  if [ -n "$gunicorn_pid" ]; then
    kill "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Everything production-like and private to this check; a local .env cannot add a broker or S3.
export DJANGO_SETTINGS_MODULE=bookstore.settings DEBUG=0 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="check-production-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DATABASE_URL="sqlite:///$work/db.sqlite3" REDIS_URL="" STORAGE_BACKEND=filesystem
export STATIC_ROOT="$work/static" MEDIA_ROOT="$work/media" IMPORT_STORAGE_LOCATION="$work/imports"
export BIND="127.0.0.1:$port" WEB_CONCURRENCY=1

"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" -m gunicorn -c gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!

if ! "$PY" - "http://127.0.0.1:$port" <<'PROBE'; then
import json, re, sys, time, urllib.error, urllib.request

base = sys.argv[1]
FAR_FUTURE = 365 * 24 * 3600


def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


deadline = time.monotonic() + 30
while True:
    try:
        status, _, body = get("/healthz")
        break
    except OSError:  # not listening yet
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not answer within 30 s")
        time.sleep(0.2)

problems = []
if status != 200 or json.loads(body)["status"] != "ok":
    problems.append(f"/healthz: {status} {body.decode()}")

status, _, body = get("/admin/login/")
page = body.decode()
has_form = 'id="login-form"' in page
if status != 200 or not has_form:
    problems.append(f"/admin/login/: {status}, login form: {has_form}")
css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
if css is None:
    problems.append("/admin/login/ links no hashed admin/css/base.css")

for label, path in [("base.css", css.group(1) if css else None), ("favicon", "/favicon.ico")]:
    if path is None:
        continue
    status, headers, _ = get(path)  # the favicon's redirect to its hashed URL is followed
    cache = headers.get("Cache-Control", "")
    max_age = re.search(r"max-age=(\d+)", cache)
    if status != 200 or not max_age or int(max_age.group(1)) < FAR_FUTURE:
        problems.append(f"{label} ({path}): {status}, Cache-Control {cache!r}")

if problems:
    sys.exit("\n".join(problems))
print(f"Production check passed: {base} (gunicorn, WhiteNoise, /healthz).")
PROBE
  echo "--- gunicorn's log:" >&2
  cat "$work/gunicorn.log" >&2
  exit 1
fi
