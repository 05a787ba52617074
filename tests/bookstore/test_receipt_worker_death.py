"""A worker killed inside a live cluster on the Redis broker: its task is not lost.

A real `manage.py qcluster` (one worker, the receipt broker through REDIS_URL) on a real
`redis-server` takes a task that holds its worker; the test SIGKILLs that worker alone. The
cluster's sentinel starts a new worker and goes on, so the cluster's receipts stay live and the
task is never acknowledged. The sweep's broker step (`broker_backlog.reclaim_lost_tasks`) puts
it back once it has been taken for Q_RETRY, and the live cluster then runs it to its end.
Skipped without `redis-server`, unless REQUIRE_REDIS=1 (CI), which makes that a failure.
"""

import os
import signal
import sys
from pathlib import Path

import pytest
from django_q.conf import Conf
from django_q.tasks import async_task

from bookstore.receipt_broker import ReceiptRedis
from enrichment import broker_backlog
from tests.enrichment import processes

RETRY = 2  # the sweep's Q_RETRY here; the cluster's own stays out of the test's window

NO_SCHEDULES = """
import django
django.setup()
from django_q.models import Schedule
Schedule.objects.all().delete()
"""

pytestmark = pytest.mark.slow


def pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_was_killed_is_run_again_by_the_live_cluster(
    broker: ReceiptRedis,
    redis_url: str,
    tmp_path,
    monkeypatch,
    settings,
):
    settings.COVER_CLUSTER = ""  # one queue: the main cluster's
    monkeypatch.setattr(Conf, "RETRY", RETRY)
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        REDIS_URL=redis_url,
        COVER_CLUSTER="",
        Q_WORKERS=1,
        Q_TIMEOUT=60,
        Q_RETRY=120,
        CLUSTER_HEARTBEAT_STALE_SECONDS=2,
        ENRICHMENT_AUTO_ENABLED=0,
    )
    # Only the test's task on the queue: the schedules' tasks (the sweep each minute, the
    # daily ones) would be taken too when the cluster starts.
    unscheduled = processes.start([sys.executable, "-c", NO_SCHEDULES], env, stdout=-1, stderr=-1)
    _out, err = unscheduled.communicate(timeout=60)
    assert unscheduled.returncode == 0, err
    markers = tmp_path / "markers"
    markers.mkdir()
    async_task(
        "tests.bookstore.receipt_tasks.hold_first_run", str(markers), broker=broker, sync=False
    )
    cluster = processes.start([sys.executable, "manage.py", "qcluster"], env, stderr=-1)
    try:
        held_by = processes.wait_for(lambda: pid_in(markers / "held"), 60, "the task to start")
        os.kill(held_by, signal.SIGKILL)  # the worker alone: its cluster lives on
        assert broker.lock_size() == 1  # taken, and now never to be acknowledged
        assert broker.holding().consumers == 1
        processes.wait_for(
            lambda: broker_backlog.reclaim_lost_tasks() == 1,
            RETRY + 10,
            "the sweep to put the dead worker's task back",
        )
        done_by = processes.wait_for(lambda: pid_in(markers / "done"), 60, "the task's rerun")
        assert done_by != held_by  # the cluster's new worker ran it
        processes.wait_for(
            lambda: broker.lock_size() == 0, 30, "the rerun's result to be acknowledged"
        )
        assert broker.reclaimed_overdue_total() == 1
        assert broker.reclaim_stopped() == 0  # the cluster never stopped
        assert broker.queue_size() == 0
    finally:
        processes.kill_group(cluster)
