"""Late is not lost: while the broker still holds tasks for a queue that a live cluster works,
the sweep does not send copies of unclaimed work that may only be waiting its turn
(enrichment/broker_backlog.py); it sends them once the queue has drained, or after
BACKLOG_PATIENCE stale intervals, and at once when no live cluster works the queue or it cannot
tell. Here the backlog is real rows of django-q2's ORM broker (the suite's broker) and the
clusters are heartbeat rows; the lost tasks are swallowed by the `sent_tasks` fixture. The same
rule on Redis, with real clusters' receipts: tests/bookstore/test_receipt_broker.py."""

import pytest
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.models import OrmQ

from bookstore.receipt_broker import QueueHolding
from catalog import services as catalog_services
from catalog.models import ImportJob
from enrichment import broker_backlog, cover_apply, sweep
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.heartbeats import ClusterProcess, cluster_heartbeat_beat
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.enrichment.test_sweep import (
    BATCH_TASK,
    STALE,
    cover_tasks,
    later,
    pending_cover,
    queued_requests,
)

pytestmark = pytest.mark.django_db
PATIENCE = broker_backlog.BACKLOG_PATIENCE


@pytest.fixture(autouse=True)
def sweep_settings(settings):
    settings.ENRICHMENT_STALE_SECONDS = STALE
    settings.Q_TIMEOUT = 60  # the covers' stale time is the larger of the two
    settings.COVER_CLUSTER = ""
    settings.Q_SYNC = False
    settings.CLUSTER_HEARTBEAT_SECONDS = 10
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60


def cluster_beating(name: str, *, at) -> None:
    process = ClusterProcess(name=name, host="worker-a", pid=4242, broker="orm", workers=2)
    cluster_heartbeat_beat(process=process, now=at)


def backlog(name: str, tasks: int = 3) -> None:
    """Tasks of other work the broker holds for the queue `name`, not yet taken."""
    broker = get_broker(name)
    for number in range(tasks):
        broker.enqueue(f"someone else's task {number}")


def batch_tasks(sent_tasks) -> list[list[int]]:
    return [sorted(t.args[0]) for t in sent_tasks if t.func == BATCH_TASK]


def test_unclaimed_requests_behind_a_live_clusters_backlog_wait_until_it_drains(
    sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)
    backlog("bookstore")
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == []  # still behind three other tasks: no copy
    OrmQ.objects.all().delete()  # the cluster worked the backlog: ours was lost after all
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == [sorted(ids)]


def test_under_a_backlog_lost_requests_still_come_back_after_the_patience(
    sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    backlog("bookstore")
    cluster_beating("bookstore", at=later(STALE * PATIENCE - 5))
    sweep.sweep(now=later(STALE * PATIENCE - 5))
    assert batch_tasks(sent_tasks) == []
    cluster_beating("bookstore", at=later(STALE * PATIENCE + 5))
    sweep.sweep(now=later(STALE * PATIENCE + 5))
    assert batch_tasks(sent_tasks) == [sorted(ids)]


@pytest.mark.parametrize(
    "cluster",
    ["silent", "stopped", "another queue's", "none"],
)
def test_a_backlog_no_live_cluster_works_holds_nothing_back(
    cluster, sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    backlog("bookstore")
    if cluster == "silent":  # its last beat is older than CLUSTER_HEARTBEAT_STALE_SECONDS
        cluster_beating("bookstore", at=later(STALE + 5 - 61))
    elif cluster == "stopped":
        cluster_beating("bookstore", at=now)
        ClusterHeartbeat.objects.update(stopped_at=now)
    elif cluster == "another queue's":
        cluster_beating("covers", at=now)
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == [sorted(ids)]


def test_a_broker_that_does_not_answer_leaves_the_stale_time_to_decide(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)
    backlog("bookstore")

    class UnreachableBroker(ORM):
        def queue_size(self):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(broker_backlog, "_broker", lambda name: UnreachableBroker(list_key=name))
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == [sorted(ids)]


def test_with_heartbeats_off_the_stale_time_alone_decides(
    settings, sent_tasks, django_capture_on_commit_callbacks
):
    settings.CLUSTER_HEARTBEAT_SECONDS = 0  # whether a cluster works the queue is unknown
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)  # a row left from before heartbeats were turned off
    backlog("bookstore")
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == [sorted(ids)]


def test_a_cover_behind_a_live_covers_clusters_backlog_is_neither_copied_nor_moved(
    settings, sent_tasks
):
    settings.COVER_CLUSTER = "covers"
    pk = pending_cover()
    assert cover_apply.covers_dispatch(request_ids=[pk]) == 1
    sent_tasks.clear()  # on the covers queue, maybe lost
    now = later(STALE + 5)
    cluster_beating("covers", at=now)
    backlog("covers")
    sweep.sweep(now=now)
    assert cover_tasks(sent_tasks) == []  # waiting its turn there: not sent to the main cluster
    OrmQ.objects.filter(key="covers").delete()
    sweep.sweep(now=now)
    assert cover_tasks(sent_tasks) == [[pk]]
    # Sent to the main cluster: nothing ever started it on the covers queue.
    assert "cluster" not in sent_tasks[-1].kwargs


def test_a_cover_on_a_queue_no_cluster_works_goes_to_the_main_cluster_despite_its_backlog(
    settings, sent_tasks
):
    settings.COVER_CLUSTER = "covers"
    pk = pending_cover()
    cover_apply.covers_dispatch(request_ids=[pk])
    sent_tasks.clear()
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)  # only the main cluster runs
    backlog("covers", tasks=20)  # covers pile up where nobody works them
    sweep.sweep(now=now)
    assert cover_tasks(sent_tasks) == [[pk]]
    assert "cluster" not in sent_tasks[-1].kwargs


def test_tasks_a_live_cluster_has_taken_count_as_held(
    sent_tasks, django_capture_on_commit_callbacks
):
    queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)
    backlog("bookstore", tasks=1)
    assert get_broker("bookstore").dequeue()  # taken (locked), not yet acknowledged
    assert get_broker("bookstore").queue_size() == 0
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == []


@pytest.mark.parametrize("restarted", [True, False])
def test_behind_a_backlog_work_queued_before_the_broker_restarted_is_sent_again(
    restarted, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    now = later(STALE + 5)
    # Redis (bookstore.receipt_broker) says when it started; a live cluster works a backlog.
    since = later(STALE) if restarted else later(-60)
    holding = QueueHolding(tasks=40, consumers=1, since=since)
    monkeypatch.setattr(broker_backlog, "queue_holding", lambda name, now: holding)
    sweep.sweep(now=now)
    assert batch_tasks(sent_tasks) == ([sorted(ids)] if restarted else [])


def test_a_cover_whose_worker_died_is_queued_again_even_behind_a_backlog(settings, sent_tasks):
    """A stale claim means its task is gone (the worker died mid-download): no backlog can be
    holding it, so it does not wait for the queue to drain (the scale test's killed cluster)."""
    pk = pending_cover()
    cover_apply.covers_dispatch(request_ids=[pk])
    sent_tasks.clear()
    assert cover_apply.cover_claim(request_id=pk, token="killed-worker") is not None
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)
    backlog("bookstore", tasks=20)
    sweep.sweep(now=now)
    assert cover_tasks(sent_tasks) == [[pk]]
    cluster_beating("bookstore", at=later(STALE + 65))
    sweep.sweep(now=later(STALE + 65))  # its copy now waits its turn in the backlog
    assert cover_tasks(sent_tasks) == [[pk]]


IMPORT_TASK = "catalog.tasks.run_import_job"


def queued_import(sent_tasks, capture, settings) -> ImportJob:
    """A job big enough for a worker, handed to the broker, which swallowed its task."""
    settings.IMPORT_INLINE_MAX_ROWS = 5
    job = catalog_services.import_job_create(
        data=synthetic_goodreads_file(10), filename="synthetic-export.csv", enrich=False
    )
    with capture(execute=True):
        assert catalog_services.import_job_start(job=job) == catalog_services.ImportStart.QUEUED
    assert [task.func for task in sent_tasks] == [IMPORT_TASK]
    sent_tasks.clear()
    return job


def test_a_pending_import_behind_a_live_clusters_backlog_is_not_copied_until_it_drains(
    sent_tasks, django_capture_on_commit_callbacks, settings
):
    """The same rule as a batch's requests: an import task waiting its turn behind other work
    is not sent twice; once the queue has drained, or after the patience, it is."""
    job = queued_import(sent_tasks, django_capture_on_commit_callbacks, settings)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)
    backlog("bookstore")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(now=now).imports.requeued == 0
    assert sent_tasks == []
    patience_over = later(STALE * PATIENCE + 5)
    cluster_beating("bookstore", at=patience_over)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(now=patience_over).imports.requeued == 1
    assert [(task.func, task.args) for task in sent_tasks] == [(IMPORT_TASK, (job.pk,))]


def test_a_pending_import_with_no_backlog_is_handed_over_after_the_stale_time(
    sent_tasks, django_capture_on_commit_callbacks, settings
):
    job = queued_import(sent_tasks, django_capture_on_commit_callbacks, settings)
    now = later(STALE + 5)
    cluster_beating("bookstore", at=now)  # a live cluster, and nothing held for it
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(now=now).imports.requeued == 1
    assert [(task.func, task.args) for task in sent_tasks] == [(IMPORT_TASK, (job.pk,))]
