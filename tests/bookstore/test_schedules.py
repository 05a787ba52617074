"""A clock that went back no longer stops the schedules: one set further ahead than its period
(by a clock that ran ahead) is made due now, at the qcluster's next heartbeat. Before, the
minute's sweep, the retention purge and the housekeeping waited, silently, until the clock
caught up with the jump."""

import contextlib
import datetime
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule, Success

from bookstore.schedules import schedules_bring_back
from enrichment.heartbeats import HeartbeatThread
from tests.enrichment import processes
from tests.enrichment.test_heartbeat import PROCESS, FakeSentinel

pytestmark = pytest.mark.django_db

SWEEP = "enrichment.tasks.dispatch_due_requests"
HOUR = datetime.timedelta(hours=1)


def schedule(name: str, kind: str, ahead: datetime.timedelta, now, **fields) -> Schedule:
    return Schedule.objects.create(
        name=name,
        func="math.floor",
        args="1",
        schedule_type=kind,
        next_run=now + ahead,
        repeats=fields.pop("repeats", -1),
        **fields,
    )


def test_the_projects_own_schedules_as_migrated_are_left_alone():
    assert Schedule.objects.filter(func=SWEEP).exists()
    assert schedules_bring_back() == []


def test_a_schedule_set_further_ahead_than_its_period_is_made_due_now():
    now = timezone.now()
    cases = {
        # name: (type, how far ahead, extra fields), made due now?
        "minutes, 2 h ahead (the clock went back 2 h)": (Schedule.MINUTES, 2 * HOUR, {}, True),
        "minutes, 90 s ahead (a clock a little apart)": (
            Schedule.MINUTES,
            datetime.timedelta(seconds=90),
            {},
            False,
        ),
        "every 5 minutes, 9 minutes ahead": (
            Schedule.MINUTES,
            datetime.timedelta(minutes=9),
            {"minutes": 5},
            False,
        ),
        "every 5 minutes, 11 minutes ahead": (
            Schedule.MINUTES,
            datetime.timedelta(minutes=11),
            {"minutes": 5},
            True,
        ),
        "daily, 23 h ahead": (Schedule.DAILY, 23 * HOUR, {}, False),
        "daily, 3 days ahead": (Schedule.DAILY, 72 * HOUR, {}, True),
        "once, next week (a one-off is not periodic)": (Schedule.ONCE, 7 * 24 * HOUR, {}, False),
        "minutes, 2 h ahead, no runs left": (Schedule.MINUTES, 2 * HOUR, {"repeats": 0}, False),
    }
    for name, (kind, ahead, fields, _) in cases.items():
        schedule(name, kind, ahead, now, **fields)

    brought_back = schedules_bring_back(now=now)

    assert sorted(brought_back) == sorted(name for name, case in cases.items() if case[3])
    for name, (_kind, ahead, _fields, due_now) in cases.items():
        assert Schedule.objects.get(name=name).next_run == (now if due_now else now + ahead)


@pytest.mark.django_db(transaction=True)
def test_the_clusters_heartbeat_thread_makes_them_due():
    sweep = schedule("sweep", Schedule.MINUTES, 2 * HOUR, timezone.now())
    sentinel = FakeSentinel()
    sentinel.alive = True
    thread = HeartbeatThread(interval=0.05, children_alive=sentinel, process=lambda: PROCESS)
    thread.start()
    try:
        processes.wait_for(
            lambda: Schedule.objects.get(pk=sweep.pk).next_run <= timezone.now(),
            5,
            "the sweep's schedule due again",
        )
    finally:
        thread.stop_event.set()
        thread.join(5)


def sweeps_run(database_url: str) -> int:
    if connection.vendor == "postgresql":
        return Success.objects.filter(func=SWEEP).count()
    with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
        return db.execute("SELECT count(*) FROM django_q_task WHERE func = ?", [SWEEP]).fetchone()[
            0
        ]


@pytest.mark.slow  # a real qcluster
@pytest.mark.django_db(transaction=True)
def test_a_real_qcluster_runs_the_sweep_a_clock_two_hours_ahead_had_put_off(tmp_path):
    database_url = processes.shared_database_url(tmp_path)
    later = (timezone.now() + 2 * HOUR).isoformat()
    # As a cluster on a clock two hours ahead left it: the sweep's next run two hours away.
    put_off = (  # (a transactional test on PostgreSQL starts without the migrations' rows)
        "from django_q.models import Schedule; Schedule.objects.update_or_create("
        f"func={SWEEP!r}, defaults=dict(name='sweep', schedule_type='I', minutes=1, "
        f"repeats=-1, next_run={later!r}))"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", put_off],
        cwd=processes.ROOT,
        env=processes.process_env(database_url),
        check=True,
        capture_output=True,
    )
    env = processes.process_env(
        database_url, Q_POLL=0.1, CLUSTER_HEARTBEAT_SECONDS=0.5, COVER_CLUSTER=""
    )
    cluster = processes.start([sys.executable, "manage.py", "qcluster"], env, stderr=-1)
    try:
        # The scheduler looks every 15 s: the sweep runs at its first look, not in two hours.
        processes.wait_for(lambda: sweeps_run(database_url), 60, "the sweep to run")
    finally:
        processes.kill_group(cluster)
