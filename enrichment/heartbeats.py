"""Each `manage.py qcluster` process writes a heartbeat to the database (ClusterHeartbeat), so
that the dashboard shows every cluster on every machine, and one that stopped answering.

Where it beats from, and why there: a thread of the qcluster's own (main) process, started by
our AppConfig when the command is `qcluster`. That process lives exactly as long as its cluster
(after starting the Sentinel it waits for it to exit), so the thread beats while the Sentinel
is alive, and marks the row stopped once it has exited. The other hooks fall short: django-q2's
`Stat` is kept in the broker or cache and vanishes 3 s after a cluster dies; `pre_execute` /
`post_execute` fire only while tasks run, so an idle cluster would look dead; `post_spawn` fires
in each worker, which is recycled every few hundred tasks (a new pid each time). The thread
waits until the Sentinel has been forked before it opens a database connection, and the main
process forks nothing after that, so no child inherits the thread's connection. At each beat it
also makes due the schedules and queued tasks a clock that ran ahead set too far ahead
(bookstore/schedules.py, bookstore/orm_broker.py).
"""

import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import Exists, QuerySet, Value

from bookstore import task_queue
from bookstore.db_clock import database_now, stamp_is_live, stamp_live_q
from bookstore.health import describe_error
from bookstore.orm_broker import orm_tasks_bring_back
from bookstore.schedules import schedules_bring_back
from enrichment.heartbeat_models import ClusterHeartbeat

logger = logging.getLogger(__name__)

#: How often the thread looks whether the Sentinel is still alive (at most).
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class ClusterProcess:
    """Who beats: the cluster's name (its queue), the host and the qcluster process's id."""

    name: str
    host: str
    pid: int
    broker: str
    workers: int


def current_cluster_process() -> ClusterProcess:
    """This process as a cluster, with the name django-q2 resolved (Q_CLUSTER_NAME included)."""
    from django_q.conf import Conf  # imported once the cluster is configured

    return ClusterProcess(
        name=Conf.CLUSTER_NAME,
        host=socket.gethostname(),
        pid=os.getpid(),
        broker=task_queue.broker_kind(),
        workers=Conf.WORKERS or 0,
    )


def beat_is_live(beat_at: datetime, *, now: datetime) -> bool:
    """A cluster that beat within CLUSTER_HEARTBEAT_STALE_SECONDS is running; one silent longer
    has stopped answering, and so has one whose beat lies further ahead than that (a clock set
    back, or rows restored from a backup: it would show running for as long as the jump). The
    dashboard and the sweep both ask this (running_heartbeats, the same rule in SQL). Beats are
    stamped on the database's clock, so `now` is that clock's, never the machine's: a web
    machine's clock a minute ahead would show every cluster silent."""
    return stamp_is_live(beat_at, seconds=settings.CLUSTER_HEARTBEAT_STALE_SECONDS, now=now)


def running_heartbeats(*, now: datetime | None = None) -> QuerySet[ClusterHeartbeat]:
    """The processes of clusters running now: not stopped, and beating (beat_is_live; without
    `now` the database reads its clock itself)."""
    return ClusterHeartbeat.objects.filter(stopped_at__isnull=True).filter(
        stamp_live_q("beat_at", seconds=settings.CLUSTER_HEARTBEAT_STALE_SECONDS, now=now)
    )


def _heartbeats_tell() -> bool:
    """Whether heartbeats say if a worker runs: they are on, and tasks are not run where they
    are queued (Q_SYNC)."""
    return settings.CLUSTER_HEARTBEAT_SECONDS > 0 and not settings.Q_CLUSTER.get("sync")


def no_worker_running(*, now: datetime | None = None) -> bool:
    """True when no cluster is known to run: heartbeats tell, and no cluster process beats
    (the dashboard's providers notice, a waiting book's next try)."""
    return _heartbeats_tell() and not running_heartbeats(now=now).exists()


def worker_running_expression(*, now: datetime | None = None) -> Exists | Value:
    """`not no_worker_running()` as an expression to annotate a list with: one uncorrelated
    subquery, evaluated once for the page, instead of a query for every row."""
    if not _heartbeats_tell():
        return Value(True)
    return Exists(running_heartbeats(now=now))


def cluster_heartbeat_beat(*, process: ClusterProcess, now=None) -> ClusterHeartbeat:
    """Upsert the process's row: alive now (a row marked stopped by a reused pid beats again),
    on the database's clock: a machine whose clock runs behind must not look dead to the others,
    nor one ahead keep beating after it has died."""
    now = now or database_now()
    heartbeat, _created = ClusterHeartbeat.objects.update_or_create(
        name=process.name,
        host=process.host,
        pid=process.pid,
        defaults={
            "broker": process.broker,
            "workers": process.workers,
            "beat_at": now,
            "stopped_at": None,
        },
        create_defaults={
            "broker": process.broker,
            "workers": process.workers,
            "beat_at": now,
            "started_at": now,
        },
    )
    return heartbeat


def cluster_heartbeat_stopped(*, process: ClusterProcess, now=None) -> int:
    """The cluster stopped cleanly: say so rather than let it look silent."""
    now = now or database_now()
    return ClusterHeartbeat.objects.filter(
        name=process.name, host=process.host, pid=process.pid
    ).update(beat_at=now, stopped_at=now)


def sentinel_alive() -> bool:
    """Whether this process has a live child: the qcluster's Sentinel (the only one it forks)."""
    try:
        return bool(multiprocessing.active_children())
    except RuntimeError:  # the main thread changed the set of children meanwhile
        return True


class HeartbeatThread(threading.Thread):
    """Beats every `interval` seconds while the Sentinel lives, then marks the row stopped.

    Not a daemon: the interpreter waits for it, so the "stopped" mark is written before the
    process exits (it ends on its own once the Sentinel has exited)."""

    def __init__(
        self,
        *,
        interval: float,
        children_alive: Callable[[], bool] = sentinel_alive,
        process: Callable[[], ClusterProcess] = current_cluster_process,
        main_alive: Callable[[], bool] = lambda: threading.main_thread().is_alive(),
    ):
        super().__init__(name="cluster-heartbeat")
        self.interval = interval
        self.children_alive = children_alive
        self.process = process
        self.main_alive = main_alive
        self.stop_event = threading.Event()
        self.beats = 0
        self.failures: dict[str, int] = {}  # failed beats in a row, by what failed

    def run(self) -> None:
        poll = min(POLL_SECONDS, self.interval)
        process: ClusterProcess | None = None
        next_beat = 0.0
        while not self.stop_event.is_set():
            if self.children_alive():
                process = process or self.process()
                if time.monotonic() >= next_beat:
                    next_beat = time.monotonic() + self.interval
                    beat = partial(cluster_heartbeat_beat, process=process)
                    # A schedule or task a clock that ran ahead set would wait until it caught
                    # up. Asked once the beat lands: a database that is down fails them too.
                    if self._safely(beat, "heartbeat"):
                        self._safely(schedules_bring_back, "check of its schedules")
                        if process.broker == "orm":
                            self._safely(orm_tasks_bring_back, "check of its queue")
                    self.beats += 1
            elif process is not None or not self.main_alive():
                break  # the Sentinel has exited (or never started and never will)
            self.stop_event.wait(poll)
        if process is not None:
            self._safely(partial(cluster_heartbeat_stopped, process=process), "stop mark")

    def _safely(self, write: Callable[[], object], what: str) -> bool:
        """Whether `write` went through. A database that is down for a while must not end the
        heartbeat (the next beat retries), nor fill the log: the first failure in a row is
        logged with its traceback, the next ones in a line each, and the end of the run."""
        failed = self.failures.get(what, 0)
        try:
            write()
        except Exception as exc:
            self.failures[what] = failed + 1
            if not failed:
                logger.exception("The cluster's %s failed", what)
            else:
                logger.warning(
                    "The cluster's %s failed again (%s in a row): %s",
                    what,
                    failed + 1,
                    describe_error(exc),
                )
            return False
        finally:
            connections.close_all()  # this thread's only: hold no connection between beats
        if failed:
            self.failures[what] = 0
            logger.warning("The cluster's %s went through again, after %s failures", what, failed)
        return True


def heartbeat_start_if_qcluster(argv: list[str] | None = None) -> HeartbeatThread | None:
    """Start the heartbeat when this process is `manage.py qcluster` (AppConfig.ready)."""
    argv = sys.argv if argv is None else argv
    interval = settings.CLUSTER_HEARTBEAT_SECONDS
    if len(argv) < 2 or argv[1] != "qcluster" or interval <= 0 or settings.Q_CLUSTER.get("sync"):
        return None
    thread = HeartbeatThread(interval=interval)
    thread.start()
    return thread
