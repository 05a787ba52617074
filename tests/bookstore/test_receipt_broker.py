"""The clusters' Redis broker keeps receipts (bookstore/receipt_broker.py), against a real
`redis-server` (bench/redis_server.py: a temp dir, a free loopback port, stopped at the end).

A cluster is played by a child process that takes tasks with the broker's own `dequeue`, as a
qcluster's pusher does, and is then SIGKILLed; the sweep's part is asked in this process. The
short scale test (tests/scale) runs the same broker under real qclusters, one of them killed.
Skipped without `redis-server`, unless REQUIRE_REDIS=1 (CI), which makes that a failure.
"""

import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf

from bench.redis_server import redis_server
from bookstore.db_clock import database_now
from bookstore.receipt_broker import ReceiptRedis
from tests.bookstore.conftest import TTL

ROOT = Path(__file__).resolve().parents[2]

# The database: what the broker holds is dated on its clock (bookstore.db_clock).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CLUSTER = """
import sys, time, django
django.setup()
from bookstore.receipt_broker import ReceiptRedis
broker = ReceiptRedis("bookstore")
taken = [broker.dequeue() for _ in range(int(sys.argv[1]))]
print(broker.consumer_id, flush=True)
time.sleep(600)  # holds its tasks, never acknowledging them, until killed
"""


@pytest.fixture
def start_cluster(redis_url):
    """Start a child that takes `count` tasks and holds them; returns (process, consumer id)."""
    children = []

    def start(count: int):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bookstore.test_settings",
            "REDIS_URL": redis_url,
            "CLUSTER_HEARTBEAT_STALE_SECONDS": str(TTL),
        }
        child = subprocess.Popen(
            [sys.executable, "-c", CLUSTER, str(count)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        consumer_id = child.stdout.readline().strip()
        assert consumer_id, "the cluster child did not start"
        return child, consumer_id

    yield start
    for child in children:
        child.kill()
        child.wait()


def kill(child, broker: ReceiptRedis, consumer_id: str) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + TTL + 5
    while broker.connection.exists(broker.live_key(consumer_id)):
        assert time.monotonic() < deadline, "the killed cluster's live key never expired"
        time.sleep(0.1)


def queued(broker: ReceiptRedis) -> list[bytes]:
    return broker.connection.lrange(broker.list_key, 0, -1)


def test_a_task_stays_held_until_its_result_is_acknowledged(broker):
    for name in (b"a", b"b", b"c"):
        broker.enqueue(name)
    ((receipt, task),) = broker.dequeue()
    assert task == b"a"  # first in, first out, as django-q2's own Redis broker
    assert broker.holding().tasks == 3 and broker.lock_size() == 1
    assert broker.holding().consumers == 1  # this process took it: it is a live cluster
    broker.acknowledge(receipt)
    assert broker.holding().tasks == 2 and broker.lock_size() == 0


def test_a_killed_clusters_tasks_go_back_to_the_head_of_the_queue_in_order(broker, start_cluster):
    for name in (b"first", b"second", b"third"):
        broker.enqueue(name)
    child, consumer_id = start_cluster(2)
    assert queued(broker) == [b"third"]
    assert broker.reclaim_stopped() == 0  # alive: its tasks are its own
    assert broker.holding().tasks == 3
    kill(child, broker, consumer_id)
    assert broker.reclaim_stopped() == 2
    assert queued(broker) == [b"first", b"second", b"third"]
    assert broker.lock_size() == 0
    assert broker.reclaim_stopped() == 0  # reclaimed once
    assert broker.reclaimed_total() == 2  # what the scale bench reports


def test_a_cluster_busy_past_the_stale_time_keeps_its_tasks(broker, start_cluster):
    broker.enqueue(b"slow one")
    _child, consumer_id = start_cluster(1)  # takes it, then takes nothing more for a while
    time.sleep(3 * TTL)  # its pusher would be blocked on a full task queue: a thread renews
    assert broker.connection.exists(broker.live_key(consumer_id))
    assert broker.reclaim_stopped() == 0
    assert broker.holding().tasks == 1


def test_the_clusters_processes_share_one_list_across_pickling(broker):
    copy = pickle.loads(pickle.dumps(broker))  # how a spawned pusher or monitor receives it
    assert copy.consumer_id == broker.consumer_id
    broker.enqueue(b"task")
    ((receipt, _task),) = copy.dequeue()
    broker.acknowledge(receipt)  # the monitor acknowledges what the pusher took
    assert broker.lock_size() == 0
    copy.stop_consuming()


def test_a_killed_clusters_tasks_are_held_again_not_copied_by_the_sweep(
    broker, start_cluster, sent_tasks, django_capture_on_commit_callbacks, settings, db
):
    from tests.enrichment.test_sweep import BATCH_TASK, STALE, later, queued_requests

    settings.ENRICHMENT_STALE_SECONDS = STALE
    settings.COVER_CLUSTER = ""
    queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    for number in range(4):
        broker.enqueue(f"task {number}".encode())
    killed, killed_id = start_cluster(2)
    _alive, _alive_id = start_cluster(1)  # another cluster goes on working the queue
    kill(killed, broker, killed_id)
    from enrichment import sweep

    run = sweep.sweep(now=later(STALE + 5))
    assert run.broker_tasks_reclaimed == 2
    assert len(queued(broker)) == 3
    # The broker holds tasks for a queue a live cluster works: unclaimed work waits its turn.
    assert [t for t in sent_tasks if t.func == BATCH_TASK] == []


@pytest.mark.usefixtures("redis_installed")  # it starts a Redis of its own
def test_the_broker_says_when_redis_last_started(monkeypatch, settings):
    """Work queued before then was lost with the restart: the sweep sends it again even behind
    a backlog (tests/enrichment/test_sweep_backlog.py)."""
    before = timezone.now()
    with redis_server() as fresh:
        after = timezone.now()
        monkeypatch.setattr(Conf, "REDIS", fresh.url)
        since = ReceiptRedis("bookstore").holding().since
    # Redis counts its uptime between two whole-second clocks: off by up to a second, which
    # the broker's extra second turns into "up to two seconds early, never late".
    assert before - timedelta(seconds=2) <= since <= after


@pytest.mark.usefixtures("redis_installed")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's clock is the machine's")
def test_a_sweep_on_a_machine_behind_dates_redis_s_start_on_the_database_s_clock(monkeypatch):
    """The start is compared with the work's queued marks, stamped on the database's clock: a
    sweep ten minutes behind dated it ten minutes early, and the work queued in the ten minutes
    before the restart (lost with it) was not sent again."""
    before = database_now()
    with redis_server() as fresh:
        after = database_now()
        monkeypatch.setattr(Conf, "REDIS", fresh.url)
        monkeypatch.setattr(timezone, "now", lambda: after - timedelta(minutes=10))
        since = ReceiptRedis("bookstore").holding().since
    assert before - timedelta(seconds=2) <= since <= after


def wait_for_redis_seconds(seconds: int) -> None:
    """Sightings are stamped on Redis's clock in whole seconds: `seconds` have surely passed."""
    time.sleep(seconds + 1.05)


def test_a_task_held_past_retry_by_a_live_cluster_goes_back_unless_done_meanwhile(broker):
    """A worker that dies inside a live cluster never acknowledges its task, and its cluster
    never stops: Q_RETRY after the sweep first saw the task taken, it is put back, as django-q2's
    ORM broker hands out again a task not acknowledged within Q_RETRY."""
    for name in (b"done in time", b"its worker died", b"next"):
        broker.enqueue(name)
    ((done_receipt, _), _died) = broker.dequeue() + broker.dequeue()
    assert broker.reclaim_overdue(retry_seconds=1) == 0  # first seen now: not yet overdue
    broker.acknowledge(done_receipt)  # finished between two sweeps: never put back
    wait_for_redis_seconds(1)
    assert broker.reclaim_stopped() == 0  # its cluster (this process) is alive
    assert broker.reclaim_overdue(retry_seconds=60) == 0  # not held that long yet
    assert broker.reclaim_overdue(retry_seconds=1) == 1
    assert queued(broker) == [b"its worker died", b"next"]  # at the head, where it was
    assert broker.lock_size() == 0
    assert broker.connection.hlen(broker.seen_key()) == 0  # no sighting outlives its task
    assert broker.reclaimed_overdue_total() == 1
    assert broker.reclaimed_total() == 1
    # Taken again, it is a new sighting: the earlier one does not make it overdue at once.
    broker.dequeue()
    assert broker.reclaim_overdue(retry_seconds=1) == 0


def test_the_sweep_puts_back_a_stopped_clusters_sightings_with_its_tasks(broker, start_cluster):
    broker.enqueue(b"held")
    child, consumer_id = start_cluster(1)
    assert broker.reclaim_overdue(retry_seconds=600) == 0  # seen
    assert broker.connection.hlen(broker.seen_key(consumer_id)) == 1
    kill(child, broker, consumer_id)
    assert broker.reclaim_stopped() == 1
    assert broker.connection.exists(broker.seen_key(consumer_id)) == 0
