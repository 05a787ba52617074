"""Bulk operations survive a lost task and a killed worker: the sweep dispatches a stalled
operation again, and a chunk's work commits with its progress, so no chunk counts or runs twice
(enrichment/bulk_operations.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import Work
from enrichment import bulk_operations, sweep
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from tests.enrichment.test_review import waiting_requests
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
CHUNK = 3
WORKS = 7  # chunks of 3, 3 and 1
RUN_TASK = "enrichment.tasks.run_bulk_operation"


class WorkerKilled(BaseException):
    """What SIGKILL does: nothing after it runs, nothing uncommitted is kept."""


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(bulk_operations, "BULK_CHUNK_SIZE", CHUNK)


@pytest.fixture
def librarian():
    return User.objects.create_user("librarian", is_staff=True)


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def stalled_after() -> int:
    return settings.Q_CLUSTER["retry"]


def run_sent(sent_tasks) -> None:
    """Play the worker for the operation's tasks only (the enrichment batches its chunks queue
    are not this test's: they would ask the providers)."""
    tasks, sent_tasks[:] = [t for t in sent_tasks if t.func == RUN_TASK], []
    for task in tasks:
        import_string(task.func)(*task.args)


def started(action, queryset, actor, capture) -> BulkOperation:
    with capture(execute=True):
        return bulk_operations.bulk_operation_start(action=action, actor=actor, queryset=queryset)


def lacking_works() -> list[Work]:
    works = [make_work(f"Lacking {i}") for i in range(WORKS)]
    for work in works:
        make_edition(work)
    return works


def killed_after_working_chunk(monkeypatch, name: str, number: int) -> None:
    """The worker dies after working chunk `number`, before its progress is recorded."""
    real = getattr(bulk_operations, name)
    calls = []

    def work(*args, **kwargs):
        calls.append(1)
        result = real(*args, **kwargs)
        if len(calls) == number:
            raise WorkerKilled
        return result

    monkeypatch.setattr(bulk_operations, name, work)
    return real


def sweep_later(capture, seconds: float):
    with capture(execute=True):
        return sweep.sweep(now=later(seconds))


def test_an_operation_whose_task_was_lost_is_dispatched_again_and_completes(
    librarian, sent_tasks, django_capture_on_commit_callbacks
):
    works = lacking_works()
    operation = started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    assert [t.func for t in sent_tasks] == [RUN_TASK]
    sent_tasks.clear()  # lost in the broker
    assert sweep_later(django_capture_on_commit_callbacks, stalled_after() - 5).bulk_operations == 0
    assert sweep_later(django_capture_on_commit_callbacks, stalled_after() + 5).bulk_operations == 1
    assert [(t.func, t.args) for t in sent_tasks] == [(RUN_TASK, (operation.pk,))]
    run_sent(sent_tasks)
    operation.refresh_from_db()
    assert (operation.status, operation.done, operation.changed) == ("completed", WORKS, WORKS)


def test_a_worker_killed_between_a_chunk_and_its_progress_leaves_nothing_counted_twice(
    librarian, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    works = lacking_works()
    operation = started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    real = killed_after_working_chunk(monkeypatch, "works_enrich_bulk", 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    operation.refresh_from_db()
    # As the killed worker left it: running, its first chunk done; the second chunk's requests
    # went with its uncommitted progress.
    assert (operation.status, operation.done) == ("running", CHUNK)
    assert EnrichmentRequest.objects.count() == CHUNK
    monkeypatch.setattr(bulk_operations, "works_enrich_bulk", real)

    sweep_later(django_capture_on_commit_callbacks, stalled_after() + 5)
    run_sent(sent_tasks)
    operation.refresh_from_db()
    assert (operation.status, operation.done, operation.total) == ("completed", WORKS, WORKS)
    # Every work queued once, and counted once as queued (none "already queued").
    assert (operation.changed, operation.unchanged, operation.reasons) == (WORKS, 0, {})
    per_work = EnrichmentRequest.objects.values("work").annotate(n=Count("pk"))
    assert sorted(row["n"] for row in per_work) == [1] * WORKS


def test_a_database_gone_mid_operation_leaves_it_running_for_the_sweep_not_failed(
    librarian, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """A PostgreSQL restart in chunk 2 (tests/catalog/test_import_database_restart.py restarts
    a real one under an import): the operation ended failed, with the driver's English, and the
    works of its later chunks were never queued."""
    works = lacking_works()
    operation = started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    real, calls = bulk_operations.works_enrich_bulk, []

    def connection_lost_in_chunk_2(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(bulk_operations, "works_enrich_bulk", connection_lost_in_chunk_2)
    run_sent(sent_tasks)
    operation.refresh_from_db()
    assert (operation.status, operation.error, operation.done) == ("running", "", CHUNK)

    sweep_later(django_capture_on_commit_callbacks, stalled_after() + 5)
    run_sent(sent_tasks)
    operation.refresh_from_db()
    assert (operation.status, operation.done, operation.changed) == ("completed", WORKS, WORKS)
    per_work = EnrichmentRequest.objects.values("work").annotate(n=Count("pk"))
    assert sorted(row["n"] for row in per_work) == [1] * WORKS


def test_a_bulk_approval_resumed_after_a_kill_approves_each_request_once(
    librarian, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    ids = waiting_requests(WORKS)
    operation = started(
        BulkOperation.Action.APPROVE,
        EnrichmentRequest.objects.filter(pk__in=ids),
        librarian,
        django_capture_on_commit_callbacks,
    )
    real = killed_after_working_chunk(monkeypatch, "requests_approve_bulk", 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    assert EnrichmentRequest.objects.filter(status="completed").count() == CHUNK
    monkeypatch.setattr(bulk_operations, "requests_approve_bulk", real)

    sweep_later(django_capture_on_commit_callbacks, stalled_after() + 5)
    run_sent(sent_tasks)
    operation.refresh_from_db()
    assert (operation.status, operation.changed, operation.unchanged) == ("completed", WORKS, 0)
    assert EnrichmentRequest.objects.filter(status="completed").count() == WORKS
    audited = AuditLogEntry.objects.filter(request_id__in=ids).values("request_id")
    per_request = audited.annotate(n=Count("pk"))
    assert {row["request_id"]: row["n"] for row in per_request} == dict.fromkeys(ids, 1)


def test_a_worker_that_finds_its_chunk_taken_undoes_its_own_work(
    librarian, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """Two tasks for one operation (the lost one turned up after the sweep's): the one whose
    progress update finds the chunk already counted rolls its work back."""
    works = lacking_works()
    operation = started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    real = bulk_operations.works_enrich_bulk

    def meanwhile_another_worker_counts_the_chunk(**kwargs):
        result = real(**kwargs)
        BulkOperation.objects.filter(pk=operation.pk).update(done=CHUNK)
        return result

    monkeypatch.setattr(
        bulk_operations, "works_enrich_bulk", meanwhile_another_worker_counts_the_chunk
    )
    BulkOperation.objects.filter(pk=operation.pk).update(status="running")
    operation.refresh_from_db()
    assert bulk_operations._work_one_chunk(operation) is False
    assert EnrichmentRequest.objects.count() == 0  # its requests were rolled back


def test_a_live_operation_is_left_alone(librarian, sent_tasks, django_capture_on_commit_callbacks):
    works = lacking_works()
    started(
        BulkOperation.Action.ENRICH_WORKS,
        Work.objects.filter(pk__in=[w.pk for w in works]),
        librarian,
        django_capture_on_commit_callbacks,
    )
    sent_tasks.clear()
    run = sweep_later(django_capture_on_commit_callbacks, stalled_after() - 5)
    assert run.bulk_operations == 0 and sent_tasks == []
