"""A claim, heartbeat or queued mark dated ahead of the database's clock by more than its stale
interval holds nothing (bookstore.db_clock.stamp_expired_q): the database server's clock set
back after stamping it (NTP correcting a clock that ran ahead), or rows restored from a backup
of a machine ahead. Before, such a stamp held its work for as long as the jump: a request
stayed "in progress" and an import "running" with no worker on them, a cover no worker could
claim, a backfill month "processing", a bulk operation never resumed, and a dead cluster showed
running on the dashboard, until the clock caught up (a day, for rows a day ahead).

The stamps are written a day ahead with an UPDATE, as a restore leaves them; the sweep and the
dashboard then run on the database's clock, unskewed."""

import datetime
import logging

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from catalog.models import ImportJob, Work
from enrichment import bulk_operations, cover_apply, heartbeats, queue, sweep
from enrichment.backfill_models import BackfillMonth
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.operations_panel import operations_figures
from tests.catalog.test_import_recovery import WorkerKilled, killed_in_batch, run_sent, started_job
from tests.enrichment import test_sweep_bulk
from tests.enrichment.test_claims_clock import beat, queued_request, small_settings  # noqa: F401

pytestmark = pytest.mark.django_db

Status = EnrichmentRequest.Status
A_DAY = datetime.timedelta(days=1)
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"


def test_a_request_claimed_a_day_ahead_goes_back_to_the_queue_saying_why(sent_tasks, caplog):
    request = queued_request()
    [claimed] = queue.requests_claim(request_ids=[request.pk])
    EnrichmentRequest.objects.filter(pk=request.pk).update(claimed_at=F("claimed_at") + A_DAY)

    with caplog.at_level(logging.WARNING, logger="enrichment.queue"):
        sweep.sweep()

    request.refresh_from_db()
    assert (request.status, request.claim_token, request.attempts) == (Status.PENDING, "", 0)
    assert "ahead of the database's clock" in request.last_error
    assert "stopped" not in request.last_error  # no worker is known to have stopped
    assert [task.args[0] for task in sent_tasks if task.func == BATCH_TASK] == [[request.pk]]
    assert "claimed more than 300 s ahead of the database's clock" in caplog.text
    # Its worker, were it alive, writes nothing over the newer run's (its claim is gone).
    assert claimed.claim_token != request.claim_token


def test_a_request_claimed_a_little_ahead_is_still_held(sent_tasks):
    request = queued_request()
    queue.requests_claim(request_ids=[request.pk])
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        claimed_at=F("claimed_at") + datetime.timedelta(seconds=200)
    )

    sweep.sweep()

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert sent_tasks == []


def test_a_request_marked_queued_a_day_ahead_is_sent_again(sent_tasks):
    request = queued_request()
    EnrichmentRequest.objects.filter(pk=request.pk).update(queued_at=timezone.now() + A_DAY)

    sweep.sweep()

    assert [task.args[0] for task in sent_tasks if task.func == BATCH_TASK] == [[request.pk]]


def test_an_import_whose_heartbeat_is_a_day_ahead_is_resumed(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks, caplog
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 3)  # its worker dies in its third batch, two committed
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=F("heartbeat_at") + A_DAY)

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        run = sweep.sweep()

    assert run.imports.resumed == 1
    job.refresh_from_db()
    assert (job.status, job.resumes) == (ImportJob.Status.PENDING, 1)
    assert f"Import job {job.pk}: its heartbeat" in caplog.text


def test_a_cover_claimed_a_day_ahead_is_taken_by_the_next_worker():
    request = queued_request()
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        cover_status=EnrichmentRequest.CoverStatus.PENDING
    )
    assert cover_apply.cover_claim(request_id=request.pk, token="a" * 32) is not None
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        cover_claimed_at=F("cover_claimed_at") + A_DAY
    )

    assert cover_apply.cover_claim(request_id=request.pk, token="b" * 32) is not None


def test_a_cluster_whose_last_beat_is_a_day_ahead_shows_silent(monkeypatch):
    beat(monkeypatch, 0)
    ClusterHeartbeat.objects.update(beat_at=F("beat_at") + A_DAY)

    [row] = operations_figures().clusters

    assert row.state == "silent"
    assert heartbeats.no_worker_running()


def test_a_backfill_month_whose_heartbeat_is_a_day_ahead_goes_back_to_retry():
    month = BackfillMonth.objects.create(
        year=2024,
        month=3,
        status=BackfillMonth.Status.PROCESSING,
        claim_token="c" * 32,
        heartbeat_at=timezone.now() + A_DAY,
    )

    sweep.sweep()

    month.refresh_from_db()
    assert (month.status, month.claim_token) == (BackfillMonth.Status.RETRY, "")


def test_a_bulk_operation_whose_progress_is_dated_a_day_ahead_is_resumed(
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
    test_sweep_bulk.killed_after_working_chunk(monkeypatch, "works_enrich_bulk", 2)
    with pytest.raises(test_sweep_bulk.WorkerKilled):
        test_sweep_bulk.run_sent(sent_tasks)
    BulkOperation.objects.filter(pk=operation.pk).update(updated_at=F("updated_at") + A_DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep().bulk_operations == 1
