"""The providers' rate limit holds across machines whose clocks have drifted apart: each
decision reads the time from PostgreSQL (`throttle.shared_now`), not from the machine deciding.
Before, a machine 30 s ahead refilled the bucket with 30 s of tokens it never had (its next
caller went at once), and one 30 s behind held every other machine back for 30 s."""

import time

import pytest
from django.db import connection

from enrichment import throttle

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

LIMITS = throttle.Limits(rate=2.0)  # one request every 0.5 s


@pytest.mark.parametrize("drift", [30.0, -30.0], ids=["ahead", "behind"])
def test_machines_whose_clocks_drifted_apart_still_space_their_requests_by_the_rate(
    monkeypatch, drift
):
    on_time = time.time
    waits: list[float] = []

    def take(max_wait: float) -> throttle.Permit:
        return throttle.acquire_permit(
            provider="drift", limits=LIMITS, max_wait=max_wait, sleep=waits.append
        )

    monkeypatch.setattr(time, "time", lambda: on_time() + drift)  # the drifted machine
    first = take(max_wait=0.0)
    monkeypatch.setattr(time, "time", on_time)  # then a machine on time
    second = take(max_wait=5.0)
    assert first.granted and second.granted
    # The second waits out the interval since the first, as if both ran on one machine.
    assert second.waited == pytest.approx(0.5, abs=0.15)
    assert abs(second.at - on_time()) < 5  # the decision's time is the server's, not drifted


def test_the_shared_clock_is_the_database_servers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
        (before,) = cursor.fetchone()
    now = throttle.shared_now()
    assert float(before) <= now < float(before) + 5
