"""Nothing depends on the broker's memory: for every kind of work the broker carries, a task
lost in the broker (the `sent_tasks` fixture swallows it) and a worker killed mid-task (the
database as a killed process leaves it) are both handed over again by the one sweep, the
minute's `dispatch_due_requests` (enrichment/sweep.py lists them all)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import ImportJob, Work
from enrichment import cover_apply, queue, sweep, tasks, title_search_groups
from enrichment.backfill import claims as backfill_claims
from enrichment.models import BackfillMonth, EnrichmentRequest
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
STALE = 300
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"


@pytest.fixture(autouse=True)
def stale_settings(settings):
    settings.ENRICHMENT_STALE_SECONDS = STALE
    settings.Q_TIMEOUT = 60  # the covers' stale time is the larger of the two
    settings.COVER_CLUSTER = ""
    settings.BACKFILL_STALE_MINUTES = 30


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def sent_funcs(sent_tasks) -> list[str]:
    return [task.func for task in sent_tasks]


def queued_requests(sent_tasks, capture, count: int = 2) -> list[int]:
    """Works queued for enrichment and handed to the broker, which swallowed the task."""
    works = [make_work(f"Book {i}") for i in range(count)]
    for work in works:
        make_edition(work)
    with capture(execute=True):
        ids = queue.works_enqueue_enrichment(work_ids=[w.pk for w in works])
    assert sent_funcs(sent_tasks) == [BATCH_TASK]
    sent_tasks.clear()
    return ids


# --- Enrichment batches --------------------------------------------------------------------------


def test_a_batch_task_lost_in_the_broker_is_queued_again_after_the_stale_time(
    sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    sweep.sweep(now=later(STALE - 5))
    assert sent_tasks == []  # maybe still waiting in a long queue: not yet
    run = sweep.sweep(now=later(STALE + 5))
    assert run.request_tasks == 1
    assert [(t.func, sorted(t.args[0])) for t in sent_tasks] == [(BATCH_TASK, sorted(ids))]


def test_a_batch_whose_worker_died_goes_back_to_pending_and_is_queued_again(
    sent_tasks, django_capture_on_commit_callbacks
):
    ids = queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    claimed = queue.requests_claim(request_ids=ids)  # the worker took them, then was killed
    assert {r.status for r in claimed} == {Status.IN_PROGRESS}
    sweep.sweep(now=later(STALE + 5))
    requests = EnrichmentRequest.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts) for r in requests} == {(Status.PENDING, 1)}
    assert [(t.func, sorted(t.args[0])) for t in sent_tasks] == [(BATCH_TASK, sorted(ids))]


# --- Title-search groups -------------------------------------------------------------------------


def waiting_for_a_title_search(count: int = 2) -> list[int]:
    """Books a batch gave back to wait for a grouped title search."""
    works = [make_work(f"Untitled Search {i}") for i in range(count)]
    ids = queue.works_enqueue_enrichment(work_ids=[w.pk for w in works], dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    title_search_groups.requests_await_title_search(requests=claimed)
    return ids


def test_a_title_search_group_task_lost_in_the_broker_is_queued_again(sent_tasks):
    ids = waiting_for_a_title_search()
    sweep.sweep(now=later(10))  # past the gathering time: the group task is queued...
    assert sent_funcs(sent_tasks) == [queue.TITLE_SEARCH_GROUP_TASK]
    sent_tasks.clear()  # ...and lost (marked queued at the real time: the sweeps count from it)
    sweep.sweep(now=later(STALE - 5))
    assert sent_tasks == []
    sweep.sweep(now=later(STALE + 5))
    assert sent_funcs(sent_tasks) == [queue.TITLE_SEARCH_GROUP_TASK]
    assert set(title_search_groups.waiting_requests().values_list("pk", flat=True)) == set(ids)


def test_a_title_search_group_whose_worker_died_is_searched_again(sent_tasks):
    ids = waiting_for_a_title_search()
    claimed = title_search_groups.title_search_group_claim(force=True)  # then killed
    assert sorted(r.pk for r in claimed) == sorted(ids)
    sweep.sweep(now=later(STALE + 5))
    requests = EnrichmentRequest.objects.filter(pk__in=ids)
    assert {(r.status, r.awaiting_title_search) for r in requests} == {(Status.PENDING, True)}
    assert sent_funcs(sent_tasks) == [queue.TITLE_SEARCH_GROUP_TASK]


# --- Covers --------------------------------------------------------------------------------------


def pending_cover() -> int:
    work = make_work("Cover Wanted")
    proposal = {"cover": {"proposed": [{"provider": "openlibrary", "url": "https://x.test/1.jpg"}]}}
    request = EnrichmentRequest.objects.create(
        work=work,
        trigger="command",
        status="completed",
        cover_status=EnrichmentRequest.CoverStatus.PENDING,
        proposal=proposal,
    )
    return request.pk


def cover_tasks(sent_tasks) -> list[list[int]]:
    return [t.args[0] for t in sent_tasks if t.func == cover_apply.FETCH_TASK]


def test_a_cover_task_lost_in_the_broker_is_queued_again(sent_tasks):
    pk = pending_cover()
    assert cover_apply.covers_dispatch(request_ids=[pk]) == 1
    sent_tasks.clear()  # lost
    sweep.sweep(now=later(STALE - 5))
    assert cover_tasks(sent_tasks) == []
    sweep.sweep(now=later(STALE + 5))
    assert cover_tasks(sent_tasks) == [[pk]]


def test_a_cover_whose_worker_died_mid_download_is_queued_again(sent_tasks):
    pk = pending_cover()
    cover_apply.covers_dispatch(request_ids=[pk])
    sent_tasks.clear()
    assert cover_apply.cover_claim(request_id=pk, token="killed-worker") is not None
    sweep.sweep(now=later(STALE - 5))
    assert cover_tasks(sent_tasks) == []  # its worker may be downloading still
    sweep.sweep(now=later(STALE + 5))
    assert cover_tasks(sent_tasks) == [[pk]]
    # The next worker takes the stale claim over.
    taken = cover_apply.cover_claim(request_id=pk, token="next-worker", now=later(STALE + 6))
    assert taken is not None and taken.cover_attempts == 2


# --- Backfill months -----------------------------------------------------------------------------


def claimed_month(sent_tasks) -> BackfillMonth:
    BackfillMonth.objects.create(year=2024, month=5)
    [month] = backfill_claims.backfill_months_claim(limit=1)
    assert backfill_claims.backfill_months_dispatch([month]) == 1
    sent_tasks.clear()  # lost
    return month


def test_a_backfill_month_whose_task_was_lost_goes_back_to_retry_and_is_claimed_again(
    sent_tasks,
):
    month = claimed_month(sent_tasks)
    sweep.sweep(now=later(29 * 60))
    month.refresh_from_db()
    assert month.status == BackfillMonth.Status.PROCESSING
    sweep.sweep(now=later(31 * 60))
    month.refresh_from_db()
    # No worker began it: no retry counted, and its reason says so (not "stopped answering").
    assert (month.status, month.retry_count) == (BackfillMonth.Status.RETRY, 0)
    assert month.error.startswith("No worker began this month")
    backfill_claims.backfill_months_schedule()  # its own schedule hands it over again
    assert sent_funcs(sent_tasks) == [backfill_claims.PROCESS_TASK]


def test_a_backfill_month_whose_worker_died_after_a_heartbeat_goes_back_to_retry(sent_tasks):
    month = claimed_month(sent_tasks)
    assert backfill_claims.backfill_month_heartbeat(month, month.claim_token, now=later(600))
    sweep.sweep(now=later(600 + 29 * 60))
    month.refresh_from_db()
    assert month.status == BackfillMonth.Status.PROCESSING  # alive 29 minutes ago
    sweep.sweep(now=later(600 + 31 * 60))
    month.refresh_from_db()
    assert month.status == BackfillMonth.Status.RETRY


# --- Import jobs, through the schedule's task ----------------------------------------------------


def test_the_schedules_task_hands_a_lost_import_job_over_again(
    settings, sent_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_INLINE_MAX_ROWS = 5
    job = catalog_services.import_job_create(
        data=synthetic_goodreads_file(8), filename="synthetic-export.csv", enrich=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.import_job_start(job=job)
    sent_tasks.clear()  # lost
    moment = later(STALE + 5)
    monkeypatch.setattr(sweep, "database_now", lambda: moment)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.dispatch_due_requests()
    assert outcome["imports"]["requeued"] == 1
    assert [(t.func, t.args) for t in sent_tasks] == [("catalog.tasks.run_import_job", (job.pk,))]
    from catalog.tasks import run_import_job

    run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.COMPLETED, 8)
    assert Work.objects.count() == 8


# --- Cheap when nothing is stale -----------------------------------------------------------------


def test_a_sweep_with_nothing_stale_sends_nothing_in_a_few_queries(
    sent_tasks, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    queued_requests(sent_tasks, django_capture_on_commit_callbacks)
    waiting_for_a_title_search()
    # One asks whether a live cluster works the queue (broker_backlog): once for the requests,
    # the covers (the same queue, COVER_CLUSTER empty) and the import jobs; one whether a
    # stopped cover worker left files for no row (cover_writes_abandoned_delete); the backfill
    # months' two: those no worker began, those whose worker stopped. On PostgreSQL one more
    # reads its clock, which the claims are judged by (bookstore.db_clock).
    with django_assert_max_num_queries(16 + (connection.vendor == "postgresql")):
        run = sweep.sweep()
    assert run.request_tasks == 0 and run.bulk_operations == 0
    assert run.imports == catalog_services.RecoveredImports()
    assert sent_tasks == []
