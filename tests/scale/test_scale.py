"""The scale test's short form: bench/scale.py on 300 works with 2 qclusters on the Redis broker
and a PostgreSQL of its own, one cluster SIGKILLed (its whole process group) at 30 % and
restarted; every request must end final, none lost, applied twice or stuck, and the fake
providers must have refused nothing (the rate limits are shared through the database).

It brings its own PostgreSQL and Redis (started in temp dirs on free loopback ports, stopped at
the end), so it runs once, in the SQLite pass of `make test`, and is skipped in the PostgreSQL
pass. Skipped without `redis-server` or PostgreSQL's server binaries, unless REQUIRE_REDIS=1 (CI),
which makes that a failure. Select it with `-m scale`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.redis_server import redis_server_binary

ROOT = Path(__file__).resolve().parents[2]
EXIT_NO_POSTGRES = 97
EXIT_NO_REDIS = 98
WORKS = 300

pytestmark = [pytest.mark.scale, pytest.mark.slow]


def skip_or_fail(reason: str):
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1 but {reason}")
    pytest.skip(f"{reason}; REQUIRE_REDIS=1 makes this a failure")


@pytest.fixture
def scale_run():
    """bench/scale.py's report (JSON) of one short run."""
    if connection.vendor != "sqlite":
        pytest.skip("runs in the SQLite pass only: it starts a PostgreSQL of its own")
    if redis_server_binary() is None:
        skip_or_fail("redis-server is not installed")
    command = [
        sys.executable,
        str(ROOT / "bench/scale.py"),
        "--works",
        str(WORKS),
        "--clusters",
        "2",
        "--kill",
        "--kill-at",
        "0.3",
        "--stale",
        "15",
        "--sweep-every",
        "2",
        "--poll",
        "0.5",
        "--timeout",
        "150",
        "--json",
    ]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=400)
    if result.returncode == EXIT_NO_POSTGRES:
        skip_or_fail("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    if result.returncode == EXIT_NO_REDIS:
        skip_or_fail("redis-server is not installed")
    lines = result.stdout.strip().splitlines()
    assert lines and lines[-1].startswith("{"), result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(lines[-1]), result


def test_two_clusters_one_killed_lose_nothing_and_apply_nothing_twice(scale_run):
    report, result = scale_run
    (run,) = report["runs"]
    details = json.dumps(run, indent=1) + result.stderr[-3000:]
    assert run["works"] == WORKS, details
    assert run["killed"] and run["killed"]["processes"] >= 2, details
    assert run["requests"] == WORKS, details
    assert run["seconds"], f"not every request final within the timeout: {details}"
    assert run["lost"] == 0, details
    assert run["applied_twice"] == 0, details
    assert run["stuck"] == 0, details
    # The killed cluster had taken tasks (it prefetches up to queue_limit): put back, not lost.
    assert run["broker_tasks_reclaimed"] >= 1, details
    # Within Q_RETRY: none held by a live cluster was put back (that is for a dead worker's).
    assert run["broker_tasks_reclaimed_overdue"] == 0, details
    assert run["sent_again_unclaimed"] == 0, details  # nothing copied for waiting its turn
    assert run["provider_429"] == 0, details
    assert sum(run["statuses"].values()) == WORKS, details
    assert "pending" not in run["cover_statuses"], details
    assert report["ok"], details
