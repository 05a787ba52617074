"""Cluster heartbeats in the database (issue 19): each qcluster process upserts its row while its
Sentinel lives, an idle cluster too, and marks it stopped when the cluster stops; a killed one
falls silent. The thread is tested with a stand-in for the Sentinel; a real qcluster proves the
hook (slow)."""

import contextlib
import datetime
import os
import signal
import sqlite3
import sys

import pytest
from django.db import connection
from django.utils import timezone

from enrichment import heartbeats
from enrichment.heartbeats import (
    ClusterProcess,
    HeartbeatThread,
    cluster_heartbeat_beat,
    heartbeat_start_if_qcluster,
)
from enrichment.models import ClusterHeartbeat
from tests.enrichment import processes

PROCESS = ClusterProcess(name="covers", host="worker-7", pid=4242, broker="redis", workers=3)


@pytest.mark.django_db
def test_a_beat_upserts_one_row_per_process_and_keeps_its_start():
    first = timezone.now() - datetime.timedelta(minutes=5)
    cluster_heartbeat_beat(process=PROCESS, now=first)
    later = first + datetime.timedelta(seconds=10)
    row = cluster_heartbeat_beat(process=PROCESS, now=later)
    assert ClusterHeartbeat.objects.count() == 1
    assert (row.started_at, row.beat_at, row.broker, row.workers) == (first, later, "redis", 3)
    other = ClusterProcess(name="bookstore", host="worker-7", pid=4242, broker="orm", workers=2)
    cluster_heartbeat_beat(process=other, now=later)
    assert ClusterHeartbeat.objects.count() == 2  # same host and pid, another cluster


@pytest.mark.django_db
def test_a_stopped_row_beats_again_when_its_pid_is_reused():
    cluster_heartbeat_beat(process=PROCESS)
    heartbeats.cluster_heartbeat_stopped(process=PROCESS)
    assert ClusterHeartbeat.objects.get().stopped_at is not None
    assert cluster_heartbeat_beat(process=PROCESS).stopped_at is None


class FakeSentinel:
    """Alive from `start()` until `stop()`: what multiprocessing.active_children() reports."""

    def __init__(self):
        self.alive = False

    def __call__(self) -> bool:
        return self.alive


def thread_for(sentinel, **kwargs) -> HeartbeatThread:
    return HeartbeatThread(
        interval=kwargs.pop("interval", 0.05), children_alive=sentinel, process=lambda: PROCESS,
        **kwargs,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_thread_beats_while_the_sentinel_lives_and_marks_the_stop():
    sentinel = FakeSentinel()
    thread = thread_for(sentinel)
    thread.start()
    try:
        # Before the Sentinel is forked the thread opens no connection and writes nothing.
        processes.wait_for(lambda: thread.is_alive(), 2, "the thread")
        assert not ClusterHeartbeat.objects.exists()
        sentinel.alive = True
        processes.wait_for(lambda: thread.beats >= 3, 5, "three beats of an idle cluster")
        row = ClusterHeartbeat.objects.get()
        assert row.stopped_at is None and row.beat_at > row.started_at
        sentinel.alive = False
        thread.join(5)
        assert not thread.is_alive()  # it ends on its own: the process is free to exit
        assert ClusterHeartbeat.objects.get().stopped_at is not None
    finally:
        thread.stop_event.set()
        thread.join(5)


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_does_not_end_the_heartbeat(monkeypatch):
    calls = []

    def flaky(*, process, now=None):
        calls.append(process)
        if len(calls) == 1:
            raise heartbeats.connections["default"].Database.OperationalError("database is down")
        return cluster_heartbeat_beat(process=process, now=now)

    monkeypatch.setattr(heartbeats, "cluster_heartbeat_beat", flaky)
    sentinel = FakeSentinel()
    sentinel.alive = True
    thread = thread_for(sentinel)
    thread.start()
    try:
        # Counted by the thread, not queried: a query while it writes can find SQLite locked.
        processes.wait_for(lambda: thread.beats >= 2, 5, "a beat after the failure")
    finally:
        thread.stop_event.set()
        thread.join(5)
    assert len(calls) >= 2
    assert ClusterHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_database_down_for_a_while_logs_one_traceback_not_three_a_beat(monkeypatch, caplog):
    """Each beat also asks the database for schedules and queued tasks a clock put off: with
    the database down, every beat logged three tracebacks (one a second with a 1 s beat, for
    the whole outage). Now the checks wait for a beat that lands, the first failure has the
    traceback, the next ones a line each, and the log says when they go through again."""
    down = {"beats": 3}
    checks = []

    def beat_while_up(*, process, now=None):
        if down["beats"]:
            down["beats"] -= 1
            raise heartbeats.connections["default"].Database.OperationalError("database is down")
        return cluster_heartbeat_beat(process=process, now=now)

    monkeypatch.setattr(heartbeats, "cluster_heartbeat_beat", beat_while_up)
    monkeypatch.setattr(heartbeats, "schedules_bring_back", lambda: checks.append("schedules"))
    monkeypatch.setattr(heartbeats, "orm_tasks_bring_back", lambda: checks.append("queue"))
    sentinel = FakeSentinel()
    sentinel.alive = True
    thread = thread_for(sentinel)
    with caplog.at_level("INFO", logger="enrichment.heartbeats"):
        thread.start()
        try:
            # Waits on the check that follows a landed beat, not on the table: a query here
            # while the thread writes finds SQLite's shared test database locked.
            processes.wait_for(lambda: checks, 5, "a beat once it is back")
        finally:
            thread.stop_event.set()
            thread.join(5)
    assert ClusterHeartbeat.objects.exists()
    records = [r for r in caplog.records if r.name == "enrichment.heartbeats"]
    assert [bool(r.exc_info) for r in records][:4] == [True, False, False, False]
    assert [r.getMessage() for r in records][:4] == [
        "The cluster's heartbeat failed",
        "The cluster's heartbeat failed again (2 in a row): OperationalError: database is down",
        "The cluster's heartbeat failed again (3 in a row): OperationalError: database is down",
        "The cluster's heartbeat went through again, after 3 failures",
    ]
    assert checks[:1] == ["schedules"]  # none while the beats failed: then each beat's


def test_a_thread_whose_main_thread_ended_before_any_sentinel_ends():
    thread = thread_for(FakeSentinel(), main_alive=lambda: False)
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and thread.beats == 0


@pytest.mark.parametrize(
    ("argv", "interval", "sync", "started"),
    [
        (["manage.py", "qcluster"], 10, False, True),
        (["manage.py", "runserver"], 10, False, False),
        (["manage.py", "qcluster"], 0, False, False),  # CLUSTER_HEARTBEAT_SECONDS=0: off
        (["manage.py", "qcluster"], 10, True, False),  # Q_SYNC: no cluster to watch
        (["pytest"], 10, False, False),
    ],
)
def test_only_a_qcluster_process_starts_the_heartbeat(
    argv, interval, sync, started, settings, monkeypatch
):
    settings.CLUSTER_HEARTBEAT_SECONDS = interval
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": sync}
    launched = []
    monkeypatch.setattr(HeartbeatThread, "start", lambda self: launched.append(self))
    assert (heartbeat_start_if_qcluster(argv) is not None) is started
    assert len(launched) == int(started)


def test_the_broker_is_read_from_the_cluster_settings(settings):
    settings.Q_CLUSTER = {"name": "bookstore", "orm": "default"}
    assert heartbeats.current_cluster_process().broker == "orm"
    settings.Q_CLUSTER = {"name": "bookstore", "redis": "redis://127.0.0.1:1/0"}
    assert heartbeats.current_cluster_process().broker == "redis"


def heartbeat_rows(database_url: str) -> list:
    """The rows as the cluster wrote them: on PostgreSQL the test's own database (committed
    rows), on SQLite the shared file the processes use."""
    if connection.vendor == "postgresql":
        rows = ClusterHeartbeat.objects.values_list("name", "pid", "broker", "stopped_at")
    else:
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            rows = db.execute(
                "SELECT name, pid, broker, stopped_at FROM enrichment_clusterheartbeat"
            ).fetchall()
    return [[name, pid, broker, stopped is not None] for name, pid, broker, stopped in rows]


@pytest.mark.slow  # a real qcluster
@pytest.mark.django_db(transaction=True)
def test_a_real_qcluster_beats_while_idle_and_says_when_it_stopped(tmp_path):
    database_url = processes.shared_database_url(tmp_path)
    env = processes.process_env(
        database_url,
        Q_CLUSTER_NAME="covers",
        Q_COVER_WORKERS=1,
        Q_POLL=0.1,
        CLUSTER_HEARTBEAT_SECONDS=0.2,
    )

    def rows():
        return heartbeat_rows(database_url)

    cluster = processes.start([sys.executable, "manage.py", "qcluster"], env, stderr=-1)
    try:
        first = processes.wait_for(rows, 60, "the cluster's first heartbeat")
        assert first == [["covers", cluster.pid, "orm", False]]  # the qcluster's own pid
        os.kill(cluster.pid, signal.SIGTERM)  # as Ctrl-C or systemd stops it
        cluster.wait(timeout=60)
        assert cluster.returncode == 0
        assert rows() == [["covers", cluster.pid, "orm", True]]
    finally:
        processes.kill_group(cluster)
