"""Heartbeats and claims are stamped and judged on the database's clock (bookstore.db_clock), so
worker machines whose clocks have drifted apart see each other as they are. Before, each machine
stamped its own clock: a worker whose clock ran ten minutes behind looked dead the moment it
claimed a request, an import or a cover, and the sweep gave its live work to another worker (run
twice); a cluster two minutes behind showed as silent on the dashboard; one ten minutes ahead
that had died kept showing as running for ten minutes more.

A machine's clock is skewed the way tests/bookstore/test_orm_broker.py skews it (this process's
`timezone.now`). SQLite lives on one machine, whose clock is the database's: these run on
PostgreSQL."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.utils import timezone

from catalog.models import ImportJob, Work
from catalog.services import jobs
from enrichment import bulk_operations, cover_apply, heartbeats, queue, sweep, title_search_groups
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.operations_panel import operations_figures
from tests.catalog.test_import_recovery import (
    BATCH,
    WorkerKilled,
    killed_in_batch,
    run_sent,
    started_job,
)
from tests.enrichment import test_sweep_bulk
from tests.factories import make_edition, make_work

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

ON_TIME = timezone.now
Status = EnrichmentRequest.Status
TEN_MINUTES = 600


@pytest.fixture(autouse=True)
def small_settings(settings, monkeypatch):
    settings.ENRICHMENT_STALE_SECONDS = 300
    settings.Q_TIMEOUT = 60
    settings.COVER_CLUSTER = ""
    settings.CLUSTER_HEARTBEAT_SECONDS = 10
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    settings.IMPORT_INLINE_MAX_ROWS = 5
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", BATCH)


def on_a_machine(monkeypatch, drift: float) -> None:
    """This process's clock `drift` seconds off (0: on time again)."""
    monkeypatch.setattr(timezone, "now", lambda: ON_TIME() + datetime.timedelta(seconds=drift))


def queued_request() -> EnrichmentRequest:
    work = make_work("A book")
    make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    # Due long ago, whichever machine asks.
    EnrichmentRequest.objects.filter(pk__in=ids).update(
        next_attempt_at=ON_TIME() - datetime.timedelta(hours=1)
    )
    return EnrichmentRequest.objects.get(pk=ids[0])


def test_a_request_claimed_by_a_worker_ten_minutes_behind_is_not_taken_back_while_it_runs(
    monkeypatch, sent_tasks
):
    request = queued_request()
    on_a_machine(monkeypatch, -TEN_MINUTES)  # the worker
    [claimed] = queue.requests_claim(request_ids=[request.pk])
    on_a_machine(monkeypatch, 0)  # the sweep, on a machine on time, a moment later
    sweep.sweep()
    request.refresh_from_db()
    assert (request.status, request.claim_token) == (Status.IN_PROGRESS, claimed.claim_token)
    assert sent_tasks == []  # no second worker was handed it


def test_an_import_on_a_worker_ten_minutes_behind_is_not_resumed_while_it_runs(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    on_a_machine(monkeypatch, -TEN_MINUTES)  # the worker
    killed_in_batch(monkeypatch, 3)  # caught as it works its third batch, two committed
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    on_a_machine(monkeypatch, 0)
    with django_capture_on_commit_callbacks(execute=True):
        run = sweep.sweep()
    assert run.imports.resumed == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.resumes == 0
    assert sent_tasks == []


def test_a_cover_claimed_by_a_worker_ten_minutes_behind_is_not_claimed_by_another(monkeypatch):
    request = queued_request()
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        cover_status=EnrichmentRequest.CoverStatus.PENDING
    )
    on_a_machine(monkeypatch, -TEN_MINUTES)
    assert cover_apply.cover_claim(request_id=request.pk, token="a" * 32) is not None
    on_a_machine(monkeypatch, 0)  # another worker, on time, a moment later
    assert cover_apply.cover_claim(request_id=request.pk, token="b" * 32) is None
    request.refresh_from_db()
    assert (request.cover_claim_token, request.cover_attempts) == ("a" * 32, 1)


def beat(monkeypatch, drift: float, pid: int = 4242) -> heartbeats.ClusterProcess:
    process = heartbeats.ClusterProcess(
        name="bookstore", host="worker-2", pid=pid, broker="orm", workers=2
    )
    on_a_machine(monkeypatch, drift)
    heartbeats.cluster_heartbeat_beat(process=process)
    on_a_machine(monkeypatch, 0)
    return process


def test_a_cluster_two_minutes_behind_is_shown_running(monkeypatch):
    beat(monkeypatch, -120)
    [row] = operations_figures().clusters
    assert row.state == "running"
    assert not heartbeats.no_worker_running()


def test_a_cluster_ten_minutes_ahead_that_died_shows_silent_a_minute_later(monkeypatch):
    beat(monkeypatch, TEN_MINUTES)
    # Its last beat was 61 s ago by the database's clock.
    ClusterHeartbeat.objects.update(beat_at=F("beat_at") - datetime.timedelta(seconds=61))
    [row] = operations_figures().clusters
    assert row.state == "silent"
    assert heartbeats.no_worker_running()


def test_a_web_machine_two_minutes_ahead_still_sees_the_cluster_running(monkeypatch):
    beat(monkeypatch, 0)
    on_a_machine(monkeypatch, 120)  # the web machine showing the dashboard
    [row] = operations_figures().clusters
    assert row.state == "running"
    assert not heartbeats.no_worker_running()


def test_a_bulk_operation_on_a_worker_ten_minutes_behind_is_not_resumed_while_it_runs(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk_operations, "BULK_CHUNK_SIZE", test_sweep_bulk.CHUNK)
    librarian = User.objects.create_user("librarian", is_staff=True)
    works = test_sweep_bulk.lacking_works()
    operation = test_sweep_bulk.started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    on_a_machine(monkeypatch, -TEN_MINUTES)  # the worker
    test_sweep_bulk.killed_after_working_chunk(monkeypatch, "works_enrich_bulk", 2)
    with pytest.raises(test_sweep_bulk.WorkerKilled):  # caught in its second chunk, one done
        test_sweep_bulk.run_sent(sent_tasks)
    on_a_machine(monkeypatch, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep().bulk_operations == 0
    operation.refresh_from_db()
    assert (operation.status, operation.done) == (BulkOperation.Status.RUNNING, 3)


def test_a_title_search_group_claimed_by_a_worker_ten_minutes_behind_is_not_taken_back(
    monkeypatch, sent_tasks
):
    request = queued_request()
    EnrichmentRequest.objects.filter(pk=request.pk).update(awaiting_title_search=True)
    on_a_machine(monkeypatch, -TEN_MINUTES)  # the group task's worker
    [claimed] = title_search_groups.title_search_group_claim(request_ids=[request.pk], force=True)
    on_a_machine(monkeypatch, 0)
    sweep.sweep()
    request.refresh_from_db()
    assert (request.status, request.claim_token) == (Status.IN_PROGRESS, claimed.claim_token)
