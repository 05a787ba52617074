"""The Watchdog on its own: what covers and providers rely on, without HTTP.

Sockets are local socket pairs; the cover and provider tests drive it over real HTTP servers
(tests/enrichment/test_covers_fetch_sockets.py, tests/enrichment/providers/test_base_deadline.py).
"""

import socket
import threading
import time

import pytest

from enrichment.http_deadline import DeadlinePassed, Watchdog, current_watchdog

TIMEOUTS = (5.0, 20.0)


class SyntheticDeadline(Exception):
    pass


def test_a_blocked_read_returns_at_the_deadline_whatever_its_socket_timeout():
    ours, theirs = socket.socketpair()
    ours.settimeout(10)  # the read timeout alone would hold it 10 s
    started = time.monotonic()
    with ours, theirs, Watchdog(0.3, timeouts=TIMEOUTS) as watchdog:
        watchdog.watch(ours)
        assert ours.recv(1) == b""  # shut down: end of stream, at once
    assert 0.25 <= time.monotonic() - started < 1.0
    assert watchdog.expired


def test_a_socket_watched_by_a_finished_exchange_stays_usable():
    # A kept-alive connection outlives the exchange's Watchdog: only the duplicate is closed.
    ours, theirs = socket.socketpair()
    with ours, theirs:
        with Watchdog(5, timeouts=TIMEOUTS) as watchdog:
            watchdog.watch(ours)
        theirs.sendall(b"x")
        assert ours.recv(1) == b"x"
        assert not watchdog.expired


def test_a_socket_handed_over_after_the_deadline_is_shut_at_once():
    ours, theirs = socket.socketpair()
    with ours, theirs, Watchdog(0, timeouts=TIMEOUTS) as watchdog:
        watchdog.watch(ours)
        assert ours.recv(1) == b""


def test_past_the_deadline_the_callers_error_is_raised():
    with Watchdog(0, timeouts=TIMEOUTS, error=SyntheticDeadline) as watchdog:
        assert watchdog.expired
        with pytest.raises(SyntheticDeadline):
            watchdog.timeouts()
    with Watchdog(0, timeouts=TIMEOUTS) as watchdog, pytest.raises(DeadlinePassed):
        watchdog.timeouts()


def test_socket_timeouts_never_reach_past_the_deadline():
    with Watchdog(2, timeouts=TIMEOUTS) as watchdog:
        connect, read = watchdog.timeouts()
    assert 1.5 < connect <= 2 and 1.5 < read <= 2
    with Watchdog(60, timeouts=TIMEOUTS) as watchdog:
        assert watchdog.timeouts() == TIMEOUTS


def test_a_call_that_never_returns_is_given_up_at_the_deadline():
    release = threading.Event()
    started = time.monotonic()
    with (
        Watchdog(0.3, timeouts=TIMEOUTS, error=SyntheticDeadline) as watchdog,
        pytest.raises(SyntheticDeadline),
    ):
        watchdog.run(release.wait, 10)  # a DNS answer that never comes
    release.set()
    assert time.monotonic() - started < 1.0


def test_run_hands_back_the_value_or_the_error():
    with Watchdog(5, timeouts=TIMEOUTS) as watchdog:
        assert watchdog.run(lambda a, b=0: a + b, 1, b=2) == 3
        with pytest.raises(ZeroDivisionError):
            watchdog.run(lambda: 1 / 0)


def test_a_nested_exchange_puts_the_outer_watchdog_back():
    assert current_watchdog() is None
    with Watchdog(5, timeouts=TIMEOUTS) as outer:
        with Watchdog(5, timeouts=TIMEOUTS) as inner:
            assert current_watchdog() is inner
        assert current_watchdog() is outer
    assert current_watchdog() is None
