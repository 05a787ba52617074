"""Retrying many failed rows runs on a worker, as an import of that many rows does: the request
only hands it over, the job waits as pending, the sweep hands it over again if the broker loses
its task, and a retry that stops however it stops (handed over, its worker killed, cancelled)
keeps every failed row it had not reached, and goes on from their kept cells, never the file."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.importers import GoodreadsImporter
from catalog.importers.base import RowError
from catalog.models import ImportJob, ImportRow, Work
from catalog.services import jobs
from tests.catalog.test_import_file_gone import remove_from_storage
from tests.catalog.test_import_recovery import (
    IMPORT_BATCH,
    ROWS,
    STALE,
    WorkerKilled,
    assert_imported_once,
    killed_in_batch,
    run_sent,
    started_job,
    sweep,
)
from tests.catalog.test_import_recovery import (  # an autouse fixture: batches of 3, 5 inline
    small_batches as small_batches,
)
from tests.catalog.test_import_scale import HEADER

pytestmark = pytest.mark.django_db
FAILING = 7  # rows 0-6 fail on the first run: more than IMPORT_INLINE_MAX_ROWS (5)
NORMALIZE = GoodreadsImporter.normalize


def failing_at_first(monkeypatch) -> None:
    def flaky(self, cells):
        if any(f"Synthetic Title {i} " in cell for i in range(FAILING) for cell in cells):
            raise RowError("Temporarily unreadable.")
        return NORMALIZE(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", flaky)


@pytest.fixture
def job_with_failed_rows(monkeypatch, sent_tasks, django_capture_on_commit_callbacks):
    failing_at_first(monkeypatch)
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    run_sent(sent_tasks)
    job.refresh_from_db()
    assert (job.status, job.failed_count, job.created_count) == ("completed", FAILING, 3)
    monkeypatch.setattr(GoodreadsImporter, "normalize", NORMALIZE)  # readable now
    return job


def retry_handed_over(job, capture, user=None) -> bool:
    with capture(execute=True):
        return services.import_job_retry_start(job=job, requested_by=user)


def test_many_failed_rows_are_retried_on_a_worker_not_in_the_request(
    job_with_failed_rows, sent_tasks, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows
    boss = User.objects.create_user("boss")
    assert retry_handed_over(job, django_capture_on_commit_callbacks, boss) is True
    job.refresh_from_db()
    # Nothing retried yet: the job waits for a worker, and says who asked.
    assert (job.status, job.retry_failed_rows, job.retried_by) == ("pending", True, boss)
    assert job.rows.filter(status=ImportRow.Status.FAILED).count() == FAILING
    assert [(task.func, task.args) for task in sent_tasks] == [(jobs.RUN_TASK, (job.pk,))]

    run_sent(sent_tasks)
    assert_imported_once(job)
    assert job.retry_failed_rows is False and job.retried_by == boss


def test_retried_rows_keep_their_ids_so_links_to_them_still_work(
    job_with_failed_rows, sent_tasks, client, django_capture_on_commit_callbacks, monkeypatch
):
    job = job_with_failed_rows
    failed = dict(job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "pk"))
    monkeypatch.setattr(services.failed_rows, "_ID_UPDATES_PER_QUERY", 3)  # several queries
    retry_handed_over(job, django_capture_on_commit_callbacks)
    run_sent(sent_tasks)

    retried = job.rows.filter(line_number__in=failed)
    assert dict(retried.values_list("line_number", "pk")) == failed
    assert set(retried.values_list("status", flat=True)) == {ImportRow.Status.CREATED}
    client.force_login(User.objects.create_superuser("admin"))
    page = client.get(reverse("admin:catalog_importrow_change", args=[failed[min(failed)]]))
    assert page.status_code == 200 and "Synthetic Title 0 " in page.content.decode()


def test_a_few_failed_rows_are_still_retried_at_once(
    job_with_failed_rows, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = FAILING
    assert retry_handed_over(job_with_failed_rows, django_capture_on_commit_callbacks) is False
    assert sent_tasks == []
    assert_imported_once(job_with_failed_rows)


def test_a_retry_whose_task_the_broker_lost_is_handed_over_again_by_the_sweep(
    job_with_failed_rows, sent_tasks, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows
    retry_handed_over(job, django_capture_on_commit_callbacks)
    sent_tasks.clear()  # the broker lost it
    assert sweep(django_capture_on_commit_callbacks, after=STALE - 5).requeued == 0
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).requeued == 1
    run_sent(sent_tasks)
    assert_imported_once(job)


@pytest.mark.parametrize("where", ["on a worker", "in the request"])
@pytest.mark.parametrize("killed_in", [1, 2])
def test_a_retry_whose_worker_dies_keeps_every_row_and_resumes_from_the_kept_cells(
    job_with_failed_rows,
    monkeypatch,
    sent_tasks,
    django_capture_on_commit_callbacks,
    settings,
    where,
    killed_in,
):
    """Killed in its first batch or a later one (that batch rolls back), the retry leaves every
    failed row it had not imported again as it was: failed, with its cells and id. Resumed by
    the sweep, it goes on from those cells: the file, deleted meanwhile, is not needed."""
    job = job_with_failed_rows  # lines 2-8 failed; readable now; batches of 3
    failed = dict(job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "pk"))
    killed_in_batch(monkeypatch, killed_in)
    with pytest.raises(WorkerKilled):
        if where == "on a worker":
            retry_handed_over(job, django_capture_on_commit_callbacks)
            run_sent(sent_tasks)
        else:  # a web process killed while it retries a few rows at once
            settings.IMPORT_INLINE_MAX_ROWS = FAILING
            services.import_job_retry_start(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    retried = 3 * (killed_in - 1)  # the batches committed before it died
    unreached = {line: pk for line, pk in failed.items() if line >= 2 + retried}
    still_failed = job.rows.filter(status=ImportRow.Status.FAILED)
    assert dict(still_failed.values_list("line_number", "pk")) == unreached
    assert all(row.raw for row in still_failed)
    assert job.rows.count() == ROWS
    assert job.rows_processed == ROWS - len(unreached)  # its progress: those not retried yet
    assert (job.created_count, job.failed_count) == (3 + retried, FAILING - retried)
    remove_from_storage(job)
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)  # a worker that lives

    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).resumed == 1
    run_sent(sent_tasks)
    assert_imported_once(job)
    assert dict(job.rows.filter(line_number__in=failed).values_list("line_number", "pk")) == failed


def test_a_retry_that_stops_puts_back_the_failed_rows_it_had_not_imported_again(
    job_with_failed_rows, monkeypatch, caplog
):
    job = job_with_failed_rows  # lines 2-8 failed; readable now
    failed = dict(job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "pk"))
    calls = []

    def second_batch_breaks(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("synthetic failure in the retry's second batch")
        return IMPORT_BATCH(*args, **kwargs)

    monkeypatch.setattr(jobs, "_import_batch", second_batch_breaks)
    services.import_job_retry_failed(job=job)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.FAILED and "unexpected error" in job.error
    # What to do next is the retry, not the file (which may be gone since).
    assert "“Retry failed rows” goes on with them" in job.error
    assert "importing the file again" not in job.error
    # Its first batch (lines 2-4) imported; lines 5-8 failed as before, with their ids.
    still_failed = job.rows.filter(status=ImportRow.Status.FAILED)
    assert dict(still_failed.values_list("line_number", "pk")) == {
        line: pk for line, pk in failed.items() if line >= 5
    }
    assert (job.rows_processed, job.created_count, job.failed_count) == (ROWS, 6, 4)
    assert job.rows.count() == ROWS and job.can_retry_failed
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)
    services.import_job_retry_failed(job=job)  # retried once more: they import
    assert_imported_once(job)


def test_a_pending_retry_can_be_cancelled(
    job_with_failed_rows, sent_tasks, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows
    retry_handed_over(job, django_capture_on_commit_callbacks)
    services.import_job_cancel(job=job)
    run_sent(sent_tasks)
    job.refresh_from_db()
    assert (job.status, job.retry_failed_rows, job.failed_count) == ("cancelled", False, FAILING)


def test_the_job_page_says_a_worker_will_retry_the_rows(
    job_with_failed_rows, client, sent_tasks, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows
    client.force_login(User.objects.create_superuser("boss"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)
    assert f"{FAILING} failed rows will be retried by a worker" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "pending"
    # Asked again before the worker took it: it is not handed over twice.
    response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)
    assert "This import is still running." in response.content.decode()
    assert len(sent_tasks) == 1


def test_a_retry_out_of_time_goes_on_from_the_kept_cells_once_the_file_is_gone(
    job_with_failed_rows, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """Handed over after its first batch, its file deleted meanwhile: the next tasks read the
    failed rows they have not reached from their kept cells (a hand correction included), and
    a row that still fails stays listed as failed, with its cells and id."""
    monkeypatch.setattr(jobs, "IMPORT_TASK_SHARE", 0)  # one batch a task
    job = job_with_failed_rows  # lines 2-8 failed; batches of lines 2-4, 5-7, 8
    failed = dict(job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "pk"))
    corrected = job.rows.get(line_number=8)
    title = HEADER.index("Title")
    corrected.raw[title] = "Corrected By Hand"
    corrected.corrected_at = timezone.now()
    corrected.corrected_columns = ["Title"]
    corrected.save()
    still_failing = "Synthetic Title 5 "  # line 7: unreadable still

    def flaky(self, cells):
        if any(still_failing in cell for cell in cells):
            raise RowError("Still unreadable.")
        return NORMALIZE(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", flaky)
    retry_handed_over(job, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        run_sent(sent_tasks)  # the retry's first batch, then handed over
    job.refresh_from_db()
    assert job.status == "pending" and job.rows.count() == ROWS
    assert job.rows_processed == ROWS - 4  # its progress: lines 5-8 not retried yet
    assert (job.created_count, job.failed_count) == (6, 4)
    remove_from_storage(job)
    while sent_tasks:
        with django_capture_on_commit_callbacks(execute=True):
            run_sent(sent_tasks)

    job.refresh_from_db()
    assert (job.status, job.error) == ("completed", "")
    assert (job.rows_processed, job.created_count, job.failed_count) == (ROWS, ROWS - 1, 1)
    assert dict(job.rows.filter(line_number__in=failed).values_list("line_number", "pk")) == failed
    row = job.rows.get(status=ImportRow.Status.FAILED)
    assert row.line_number == 7 and still_failing in row.raw[title]
    assert row.error == "Still unreadable."
    assert job.rows.get(line_number=8).corrected_columns == ["Title"]
    assert Work.objects.filter(title="Corrected By Hand").exists()


def test_a_retry_cancelled_on_its_worker_keeps_the_failed_rows_it_had_not_reached(
    job_with_failed_rows, monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows  # lines 2-8 failed; batches of lines 2-4, 5-7, 8
    failed = dict(job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "pk"))

    def cancelled_in_first_batch(*args, **kwargs):
        services.import_job_cancel(job=ImportJob.objects.get(pk=job.pk))
        return IMPORT_BATCH(*args, **kwargs)

    monkeypatch.setattr(jobs, "_import_batch", cancelled_in_first_batch)
    retry_handed_over(job, django_capture_on_commit_callbacks)
    run_sent(sent_tasks)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.CANCELLED
    still_failed = job.rows.filter(status=ImportRow.Status.FAILED)
    assert dict(still_failed.values_list("line_number", "pk")) == {
        line: pk for line, pk in failed.items() if line >= 5
    }
    assert (job.rows_processed, job.created_count, job.failed_count) == (ROWS, 6, 4)
    assert job.can_retry_failed and not job.retry_failed_rows
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)
    retry_handed_over(job, django_capture_on_commit_callbacks)
    run_sent(sent_tasks)
    assert_imported_once(job)


def test_one_failed_row_handed_to_a_worker_is_said_in_the_singular(
    job_with_failed_rows, client, settings, django_capture_on_commit_callbacks
):
    job = job_with_failed_rows
    job.rows.filter(status="failed").exclude(
        pk=job.rows.filter(status="failed").order_by("line_number")[0].pk
    ).update(status="created")
    services.import_job_recount(job=job)
    settings.IMPORT_INLINE_MAX_ROWS = 0  # even one row is retried on a worker
    client.force_login(User.objects.create_superuser("boss"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:catalog_importjob_retry", args=[job.pk]), follow=True)
    assert "1 failed row will be retried by a worker" in response.content.decode()
