import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from django.db import connection

from enrichment import throttle
from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState
from tests.enrichment.providers.helpers import FakeClock

ROOT = Path(__file__).resolve().parents[2]
DAY = 24 * 3600
LIMITS = throttle.Limits(rate=2.0, breaker_failures=5, breaker_open_seconds=60.0)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    return FakeClock()


def acquire(clock, limits=LIMITS, **options):
    options.setdefault("max_wait", 0.0)
    return throttle.acquire_permit(
        provider="test", limits=limits, clock=clock.time, sleep=clock.sleep, **options
    )


def finish(clock, permit, status=LookupStatus.FOUND, limits=LIMITS, **options):
    throttle.record_outcome(
        permit=permit, status=status, limits=limits, clock=clock.time, **options
    )


def state():
    return ProviderState.objects.get(provider="test")


# --- token bucket -------------------------------------------------------------------------------


def test_tokens_come_one_per_interval(clock):
    assert acquire(clock).granted
    refused = acquire(clock)
    assert (refused.granted, refused.status) == (False, LookupStatus.THROTTLED)
    assert refused.retry_after == pytest.approx(0.5)

    clock.advance(0.5)
    assert acquire(clock).granted


def test_a_caller_waits_for_its_turn_outside_the_lock(clock):
    acquire(clock)

    permit = acquire(clock, max_wait=5.0)

    assert permit.granted
    assert clock.slept == [pytest.approx(0.5)]
    assert permit.waited == pytest.approx(0.5)


def test_waiting_callers_reserve_successive_turns(clock):
    acquire(clock)
    waits = []
    for _ in range(2):  # two callers at the same instant: their turns are 0.5 s and 1 s away
        permit = throttle.acquire_permit(
            provider="test", limits=LIMITS, max_wait=5.0, clock=clock.time, sleep=waits.append
        )
        assert permit.granted
    assert waits == [pytest.approx(0.5), pytest.approx(1.0)]


def test_a_wait_longer_than_max_wait_is_refused_without_reserving(clock):
    slow = throttle.Limits(rate=0.1)
    acquire(clock, slow)

    refused = acquire(clock, slow, max_wait=3.0)

    assert refused.status == LookupStatus.THROTTLED
    assert refused.retry_after == pytest.approx(10.0)
    assert clock.slept == []
    clock.advance(10.0)
    assert acquire(clock, slow).granted  # the refused caller took nothing


# --- daily budget -------------------------------------------------------------------------------


def test_the_daily_budget_is_spent_then_resets_at_the_utc_day_change(clock):
    clock.now = 1_700_006_399.0  # 2023-11-14 23:59:59 UTC
    limits = throttle.Limits(rate=0, daily_budget=3)
    assert [acquire(clock, limits).granted for _ in range(3)] == [True, True, True]

    spent = acquire(clock, limits)
    assert spent.status == LookupStatus.QUOTA_EXHAUSTED
    assert (state().requests_today, state().daily_budget) == (3, 3)

    clock.advance(1.0)  # 2023-11-15 00:00:00 UTC
    assert acquire(clock, limits).granted
    assert (str(state().day), state().requests_today) == ("2023-11-15", 1)


def test_a_batch_costs_its_size(clock):
    limits = throttle.Limits(rate=0, daily_budget=100)
    assert acquire(clock, limits, cost=60).granted

    refused = acquire(clock, limits, cost=60)

    assert refused.status == LookupStatus.QUOTA_EXHAUSTED
    assert "40 left" in refused.reason


def test_the_providers_own_quota_answer_holds_until_the_next_day(clock):
    limits = throttle.Limits(rate=0)
    permit = acquire(clock, limits)
    finish(clock, permit, LookupStatus.QUOTA_EXHAUSTED, limits, quota_exhausted=True)

    assert acquire(clock, limits).status == LookupStatus.QUOTA_EXHAUSTED
    clock.advance(DAY)
    assert acquire(clock, limits).granted


# --- circuit breaker ----------------------------------------------------------------------------


def fail(clock, times, status=LookupStatus.SERVER_ERROR):
    for _ in range(times):
        clock.advance(1.0)
        finish(clock, acquire(clock), status)


def test_five_faults_open_the_breaker_for_the_open_period(clock):
    fail(clock, 4)
    assert state().breaker_state == ProviderState.Breaker.CLOSED
    fail(clock, 1)
    assert state().breaker_state == ProviderState.Breaker.OPEN

    clock.advance(59.0)
    refused = acquire(clock)
    assert refused.status == LookupStatus.CIRCUIT_OPEN
    assert refused.retry_after == pytest.approx(1.0)


def test_half_open_lets_one_probe_through_and_closes_on_success(clock):
    fail(clock, 5)
    clock.advance(60.0)

    probe = acquire(clock)
    clock.advance(1.0)
    other = acquire(clock)

    assert probe.granted and probe.probe
    assert other.status == LookupStatus.CIRCUIT_OPEN  # one probe at a time
    finish(clock, probe, LookupStatus.NOT_FOUND)  # an answer, even "no match", is health
    assert state().breaker_state == ProviderState.Breaker.CLOSED
    clock.advance(1.0)
    assert acquire(clock).granted


def test_a_failed_probe_opens_the_breaker_again(clock):
    fail(clock, 5)
    clock.advance(60.0)

    finish(clock, acquire(clock), LookupStatus.TIMEOUT)

    assert state().breaker_state == ProviderState.Breaker.OPEN
    clock.advance(30.0)
    assert acquire(clock).status == LookupStatus.CIRCUIT_OPEN


def test_answers_reset_the_count_and_refusals_do_not_count(clock):
    fail(clock, 4)
    fail(clock, 1, LookupStatus.NOT_FOUND)
    fail(clock, 4)
    fail(clock, 3, LookupStatus.AUTH_REFUSED)

    current = state()
    assert current.breaker_state == ProviderState.Breaker.CLOSED
    assert current.consecutive_failures == 4
    # The last error, classified: a refused request (HTTP 4xx), its one line for people.
    assert current.last_error_kind == "http_4xx"
    assert current.last_error == "the provider answered HTTP 4xx: request refused"


# --- Retry-After and in-flight leases -----------------------------------------------------------


def test_retry_after_holds_every_caller_back(clock):
    finish(clock, acquire(clock), LookupStatus.THROTTLED, retry_after=30.0)
    clock.advance(1.0)

    refused = acquire(clock, max_wait=10.0)
    assert refused.status == LookupStatus.THROTTLED
    assert refused.retry_after == pytest.approx(29.0)

    assert acquire(clock, max_wait=30.0).granted
    assert clock.slept == [pytest.approx(29.0)]


def test_callers_held_back_by_retry_after_go_out_one_interval_apart(clock):
    """After a provider's Retry-After, the callers waiting for it are spaced at the rate, not
    all sent the instant it ends (which a strict provider answers with 429s again: the scale
    bench saw one 429 from the scheduler's jitter grow into 258)."""
    finish(clock, acquire(clock), LookupStatus.THROTTLED, retry_after=3.0)
    waits = []
    for _ in range(3):  # three callers at the same instant
        permit = throttle.acquire_permit(
            provider="test", limits=LIMITS, max_wait=10.0, clock=clock.time, sleep=waits.append
        )
        assert permit.granted
    assert waits == [pytest.approx(3.0), pytest.approx(3.5), pytest.approx(4.0)]
    clock.advance(4.0)  # the last one's turn: the next caller's is one interval later
    assert acquire(clock).retry_after == pytest.approx(0.5)


@pytest.mark.parametrize("retry_after", [1e12, 3153600000.0, float("inf")])
def test_an_absurd_retry_after_holds_callers_back_for_the_cap_only(clock, settings, retry_after):
    # 1e12 s once raised "year 33715 is out of range" here; 3153600000 held a provider to 2126.
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    finish(clock, acquire(clock), LookupStatus.THROTTLED, retry_after=retry_after)

    assert state().throttled_until.timestamp() == pytest.approx(clock.time() + 3600)
    assert acquire(clock, max_wait=10.0).retry_after == pytest.approx(3600)
    clock.advance(3600)
    assert acquire(clock).granted


@pytest.mark.parametrize("retry_after", [-30.0, float("nan"), None])
def test_a_negative_or_missing_retry_after_holds_nobody_back(clock, retry_after):
    finish(clock, acquire(clock), LookupStatus.THROTTLED, retry_after=retry_after)

    assert state().throttled_until is None
    assert state().consecutive_failures == 1  # the 429 still counts against the breaker


def test_a_throttle_stored_beyond_the_cap_is_brought_back_at_the_first_look(clock, settings):
    # A row written before the cap existed: a provider throttled until 2126.
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    ProviderState.objects.create(provider="test", throttled_until=datetime(2126, 1, 1, tzinfo=UTC))

    refused = acquire(clock, max_wait=10.0)

    assert refused.retry_after == pytest.approx(3600)
    assert state().throttled_until.timestamp() == pytest.approx(clock.time() + 3600)
    clock.advance(3600)
    assert acquire(clock).granted


def test_an_error_outside_any_request_counts_against_the_breaker(clock):
    limits = throttle.Limits(rate=0, breaker_failures=2)
    throttle.record_error(
        provider="test", error="RuntimeError: bug", limits=limits, clock=clock.time
    )
    assert (state().consecutive_failures, state().breaker_state) == (1, "closed")
    assert (state().last_error, state().last_error_kind) == ("RuntimeError: bug", "other")

    throttle.record_error(
        provider="test", error="RuntimeError: bug", limits=limits, clock=clock.time
    )
    assert state().breaker_state == ProviderState.Breaker.OPEN
    assert acquire(clock, limits).status == LookupStatus.CIRCUIT_OPEN


def test_no_more_than_the_in_flight_cap(clock):
    limits = throttle.Limits(rate=0, max_in_flight=5, lease_seconds=60.0)
    permits = [acquire(clock, limits) for _ in range(5)]
    assert all(permit.granted for permit in permits)
    assert state().in_flight == 5

    assert acquire(clock, limits).status == LookupStatus.THROTTLED
    finish(clock, permits[0], limits=limits)
    assert acquire(clock, limits).granted

    clock.advance(61.0)  # a crashed worker's lease runs out
    assert acquire(clock, limits).granted
    assert state().in_flight == 1


def test_limits_come_from_settings(settings):
    settings.ENRICHMENT_RATE_HEADROOM = 0
    settings.WIKIDATA_RATE = 1.0
    settings.WIKIDATA_MAX_IN_FLIGHT = 5
    settings.ENRICHMENT_BREAKER_FAILURES = 7

    limits = throttle.limits_for("wikidata")

    assert (limits.rate, limits.max_in_flight, limits.breaker_failures) == (1.0, 5, 7)
    assert throttle.limits_for("google_books").daily_budget == settings.GOOGLE_BOOKS_DAILY_BUDGET


def test_requests_go_out_a_little_under_the_published_rate(settings):
    settings.OPENLIBRARY_RATE = 1.0
    settings.ENRICHMENT_RATE_HEADROOM = 0.05
    assert throttle.limits_for("openlibrary").rate == pytest.approx(0.95)


# --- two processes, one limit -------------------------------------------------------------------

WORKER = """
import json, os, sys, time
from pathlib import Path
import django
django.setup()
from enrichment import throttle
from enrichment.candidates import LookupStatus

clock_file, stop_file, ready_file = map(Path, sys.argv[1:4])
limits = throttle.Limits(rate=float(sys.argv[4]))

def clock():
    return float(clock_file.read_text())

ready_file.touch()
granted = []
while not stop_file.exists():
    permit = throttle.acquire_permit(
        provider="shared", limits=limits, max_wait=0.0, clock=clock, sleep=time.sleep
    )
    if permit.granted:
        granted.append(permit.at)
        throttle.record_outcome(
            permit=permit, status=LookupStatus.FOUND, limits=limits, clock=clock
        )
    else:
        time.sleep(0.002)  # as a refused caller would: SQLite's lock is not fair to a busy loop
print(json.dumps(granted))
"""


def shared_database_url(tmp_path: Path) -> str:
    """The database the worker processes share: the test database on PostgreSQL (committed data,
    hence transaction=True), a migrated file on SQLite (the test one lives in memory)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    env["DJANGO_SETTINGS_MODULE"] = "bookstore.settings"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    return url


def set_clock(path: Path, value: float) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(repr(value))
    temporary.replace(path)  # atomic: a reader never sees half a number


@pytest.mark.slow  # two processes
@pytest.mark.django_db(transaction=True)
def test_two_processes_together_get_no_more_than_the_rate(tmp_path):
    rate = 2.0
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "DATABASE_URL": shared_database_url(tmp_path),
    }
    clock_file, stop_file = tmp_path / "clock", tmp_path / "stop"
    start = 1_700_000_000.0
    set_clock(clock_file, start)
    workers = []
    for name in ("a", "b"):
        args = [clock_file, stop_file, tmp_path / f"ready-{name}", rate]
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, *map(str, args)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in "ab"):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.05)

    # Ten fake seconds in steps of 0.05, while both workers ask as fast as they can.
    seconds = 10
    for step in range(1, seconds * 20 + 1):
        time.sleep(0.02)
        set_clock(clock_file, start + step * 0.05)
    stop_file.touch()
    grants = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        grants.append(json.loads(out))

    assert all(grants), "both workers got turns"
    merged = sorted(grants[0] + grants[1])
    gaps = [later - earlier for earlier, later in pairwise(merged)]
    assert min(gaps) >= 1 / rate - 1e-6  # never two turns closer than 1/rate, across processes
    per_second = [sum(start + s <= t < start + s + 1 for t in merged) for s in range(seconds + 1)]
    assert max(per_second) <= rate
    assert len(merged) >= seconds  # and the limit did not starve them
