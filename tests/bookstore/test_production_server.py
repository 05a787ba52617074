"""The web process as production runs it (gunicorn.conf.py, DEBUG off, WhiteNoise, collected
static files), in a subprocess on a free loopback port: what a browser and a load balancer get.
scripts/check_production.sh checks the same in CI from the shell."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("gunicorn")

ROOT = Path(__file__).resolve().parents[2]
FAR_FUTURE = 365 * 24 * 3600
pytestmark = pytest.mark.slow  # collectstatic, migrate and a gunicorn in subprocesses


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, *, headers=None, follow=True):
    """(status, headers, body); an error status is an answer, not an exception."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("production")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "REDIS_URL": "",
        "STORAGE_BACKEND": "filesystem",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "IMPORT_STORAGE_LOCATION": str(work / "imports"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "LOG_FORMAT": "plain",
    }
    # The two deploy steps side by side (a few seconds each).
    steps = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command, "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in (["collectstatic"], ["migrate"])
    ]
    for step in steps:
        _, errors = step.communicate(timeout=120)
        assert step.returncode == 0, errors
    log = work / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.1)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_healthz_answers_ok(server):
    base, _ = server
    status, headers, body = fetch(base + "/healthz")
    assert status == 200, body
    assert b'"status": "ok"' in body
    assert headers["Content-Type"] == "application/json"


def test_the_admin_login_page_is_served_with_its_form(server):
    base, _ = server
    status, _, body = fetch(base + "/admin/login/")
    assert status == 200
    assert b'id="login-form"' in body


def hashed_admin_css(base) -> str:
    page = fetch(base + "/admin/login/")[2].decode()
    found = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert found, "the login page links the admin's CSS by its hashed name"
    return found.group(1)


def max_age(headers) -> int:
    found = re.search(r"max-age=(\d+)", headers.get("Cache-Control", ""))
    return int(found.group(1)) if found else 0


def test_static_files_come_from_whitenoise_hashed_and_cached_for_a_year(server):
    base, _ = server
    status, headers, body = fetch(base + hashed_admin_css(base))
    assert status == 200
    assert b"body" in body
    assert max_age(headers) >= FAR_FUTURE
    assert "immutable" in headers["Cache-Control"]


def test_static_files_are_sent_compressed_to_a_browser_that_accepts_it(server):
    base, _ = server
    _, headers, _ = fetch(base + hashed_admin_css(base), headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"


def test_the_favicon_redirects_to_its_hashed_file_cached_for_a_year(server):
    base, _ = server
    status, headers, _ = fetch(base + "/favicon.ico", follow=False)
    assert status == 302
    assert re.fullmatch(r"/static/bookstore/favicon\.[0-9a-f]{12}\.ico", headers["Location"])

    status, headers, body = fetch(base + headers["Location"])
    assert status == 200 and body
    assert max_age(headers) >= FAR_FUTURE


def test_debug_is_off_and_each_answer_has_a_request_id_in_the_access_log(server):
    base, log = server
    status, headers, body = fetch(base + "/no-such-page", headers={"X-Request-ID": "ci-404"})
    assert status == 404
    assert b"URLconf" not in body  # not Django's debug page
    assert headers["X-Request-ID"] == "ci-404"
    time.sleep(0.2)  # the access line is written after the answer
    assert re.search(r'"GET /no-such-page HTTP/1\.1" 404 .* request_id=ci-404', log.read_text())


def test_the_apis_longest_documented_query_reaches_the_api(server):
    """`enrichment/status` with its 500 work ids (API_MAX_WORK_IDS) of seven digits, the commas
    percent-encoded as urllib and requests send them, is a 5 KB request line: gunicorn's default
    limit (4094) answered its own HTML 414 before the API saw it."""
    query = urllib.parse.urlencode({"work_ids": ",".join(str(1_000_000 + i) for i in range(500))})
    assert len(query) > 4094

    base, _log = server
    status, headers, body = fetch(f"{base}/api/v1/enrichment/status?{query}")

    # Anonymous: the API's own JSON 401, which it answers only once it has the request.
    assert status == 401
    assert headers["Content-Type"] == "application/json"
    assert b"not_authenticated" in body


def test_make_serve_refuses_to_start_without_allowed_hosts(tmp_path):
    """`make serve` with DEBUG off and no ALLOWED_HOSTS: gunicorn would start and answer every
    request 400 Bad Request, with no word why. The script stops first and says what to set."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("ALLOWED_HOSTS", "DEBUG")}
    env.update(
        PY=sys.executable,
        DJANGO_SETTINGS_MODULE="bookstore.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        IMPORT_STORAGE_LOCATION=str(tmp_path / "imports"),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    process = subprocess.Popen(
        ["scripts/serve.sh"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # it started gunicorn: serving nobody
        process.kill()
        process.communicate()
        pytest.fail("scripts/serve.sh started a server without ALLOWED_HOSTS")
    assert process.returncode != 0
    assert "ALLOWED_HOSTS" in errors and "books.example.org" in errors


def test_gunicorn_reads_the_env_file_beside_manage_py_as_the_settings_do(tmp_path):
    """The README: everything comes from the environment or a `.env` file beside manage.py.
    gunicorn reads its settings before Django's, so BIND or WEB_CONCURRENCY in `.env` were
    ignored (the server listened on 127.0.0.1:8000 with two workers). The environment wins."""
    config = tmp_path / "gunicorn.conf.py"
    config.write_text((ROOT / "gunicorn.conf.py").read_text())
    (tmp_path / ".env").write_text("BIND=127.0.0.1:8123\nWEB_CONCURRENCY=5\nWEB_TIMEOUT=90\n")
    probe = (
        "import json, runpy, sys; conf = runpy.run_path(sys.argv[1]); "
        "print(json.dumps([conf['bind'], conf['workers'], conf['timeout']]))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BIND", "PORT", "WEB_CONCURRENCY", "WEB_TIMEOUT")
    }
    env["WEB_TIMEOUT"] = "45"  # set in the environment: it wins over .env
    result = subprocess.run(
        [sys.executable, "-c", probe, str(config)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == '[["127.0.0.1:8123"], 5, 45]'


def raw_answer(base: str, request: bytes) -> tuple[int, str, bytes]:
    """(status, Content-Type, body) of what the server answers these bytes."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    types = [
        line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("content-type:")
    ]
    return int(lines[0].split()[1]), types[0] if types else "", body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /api/v1/works/?q=" + b"a" * 8200 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        (
            b"GET /api/v1/works/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: "
            + b"a" * 8200
            + b"\r\n\r\n",
            431,
        ),
        (
            b"GET /api/v1/works/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"X-Many: 1\r\n" * 101
            + b"\r\n",
            431,
        ),
        (b"GET /api/v1/works/ HTTX/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        (b"GET /api/v1/works/ HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: a-pony\r\n\r\n", 417),
    ],
    ids=[
        "request line over 8190 bytes",
        "a header over 8190 bytes",
        "over 100 headers",
        "not HTTP",
        "an Expect not 100-continue",
    ],
)
def test_what_gunicorn_refuses_before_the_api_is_its_own_html_page_as_the_readme_says(
    server, request_bytes, status
):
    """gunicorn answers these itself, before Django sees the request, and has no setting or hook
    for the answer's form: its short HTML page whatever the path, which the README's API
    section says (a client reads the status code). This pins what the README says."""
    base, _log = server

    answered, content_type, body = raw_answer(base, request_bytes)

    assert answered == status
    assert content_type == "text/html" and b"<html>" in body


def test_two_authorization_headers_reach_the_api_joined_and_are_told_so(server):
    """gunicorn hands two Authorization headers on as one, joined by a comma: DRF answered
    "Token string should not contain spaces" (test_api_authorization_twice)."""
    base, _log = server
    request = (
        b"GET /api/v1/works/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Authorization: Token abc\r\nAuthorization: Token abc\r\n\r\n"
    )

    status, content_type, body = raw_answer(base, request)

    assert status == 401 and content_type == "application/json"
    assert b"Authorization was sent more than once" in body
