"""The API throttle holds for the whole site, not for one web process: several gunicorns (one
worker each, as gunicorn's workers or several machines are) on one database take one user's
requests, and the request past API_THROTTLE_RATE is a 429 with Retry-After whichever of them
serves it. Counted in the database without REDIS_URL, in Redis with it (skipped without
redis-server, unless REQUIRE_REDIS=1)."""

import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from bench.redis_server import free_port
from tests.enrichment.processes import kill_group, process_env, shared_database_url, start, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SERVERS = 3
RATE = 4  # a minute: every request of a test falls within the minute
QUEUE_URL = "/api/v1/enrichment/queue"

# A superuser (every view lets them in, so the throttle decides) and their token, on the
# servers' database.
MAKE_USER = """
import django
django.setup()
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
user = User.objects.create_superuser("synthetic-api-caller", password=None)
print(Token.objects.create(user=user).key)
"""


def get(base: str, token: str) -> tuple[int, str | None]:
    """(status, Retry-After) of the queue's first page from the server at `base`."""
    request = urllib.request.Request(base + QUEUE_URL, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Retry-After"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Retry-After"]


def answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # 503 (a broker missing) is an answer: the server is up
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def counted_in(request) -> dict[str, str]:
    """The settings that say where the count is kept."""
    if request.param == "database":
        return {"REDIS_URL": ""}
    url = request.getfixturevalue("redis_url")  # skips without redis-server
    redis.Redis.from_url(url).flushdb()  # the module's server: no count of another test
    return {"REDIS_URL": url}


@pytest.fixture
def site(tmp_path: Path, counted_in) -> tuple[list[str], str]:
    """SERVERS gunicorns on one database ([base URL, ...]) and a user's token."""
    env = process_env(
        shared_database_url(tmp_path),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        API_THROTTLE_RATE=f"{RATE}/min",
        STORAGE_BACKEND="filesystem",
        MEDIA_ROOT=tmp_path / "media",
        IMPORT_STORAGE_LOCATION=tmp_path / "imports",
        WEB_CONCURRENCY=1,
        LOG_FORMAT="plain",
        **counted_in,
    )
    made = subprocess.run(
        [sys.executable, "-c", MAKE_USER], env=env, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    ports = [free_port() for _ in range(SERVERS)]
    servers, logs = [], []
    try:
        for port in ports:
            logs.append(log := (tmp_path / f"gunicorn-{port}.log").open("w"))
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            env_here = {**env, "BIND": f"127.0.0.1:{port}"}
            servers.append(start(command, env_here, stdout=log, stderr=subprocess.STDOUT))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        wait_for(lambda: all(answers(base) for base in bases), 60, "the servers to answer")
        yield bases, made.stdout.strip()
    finally:
        for server in servers:
            kill_group(server)
        for log in logs:
            log.close()


def test_the_request_past_the_rate_is_429_whichever_process_serves_it(site):
    bases, token = site

    # One user's requests, each to the next server in turn, then one more to every server.
    statuses = [get(bases[i % SERVERS], token) for i in range(RATE + SERVERS)]

    assert [status for status, _ in statuses] == [200] * RATE + [429] * SERVERS
    for _, retry_after in statuses[RATE:]:
        assert 0 < int(retry_after) <= 60


def test_requests_at_once_on_every_process_let_through_the_rate_and_no_more(site):
    """Two processes cannot both take the last request's place (the database's count is one
    conditional upsert, Redis's one script)."""
    bases, token = site
    targets = [bases[i % SERVERS] for i in range(RATE * SERVERS)]

    with ThreadPoolExecutor(max_workers=2 * SERVERS) as pool:
        statuses = [status for status, _ in pool.map(lambda base: get(base, token), targets)]

    assert sorted(statuses) == [200] * RATE + [429] * (RATE * SERVERS - RATE)
