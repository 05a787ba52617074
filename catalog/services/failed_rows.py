"""A finished job's failed rows, imported again: all of them ("Retry failed rows": at once, or on
a worker when there are more than IMPORT_INLINE_MAX_ROWS), or one a librarian corrected by hand
(its cells edited, then re-run alone). Both read the rows' kept cells (a hand correction stays
marked on the row that replaces it), never the file, and go through the batch path of any
import. A retry stays one until it ends: handed over or resumed, it goes on from the failed
rows it has not reached (`ImportJob.retried_through_line`)."""

import datetime
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import zip_longest

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.importers import BaseImporter, importer_for, importer_settled
from catalog.models import ImportJob, ImportRow
from catalog.services.jobs import (
    _STATUS_COUNTERS,
    IMPORT_BATCH_SIZE,
    ImportClaimLost,
    ProgressCallback,
    _enrich_works,
    _fail,
    _new_run,
    _run_rows,
    import_job_dispatch,
    runs_in_request,
)
from catalog.services.rows import _import_batch

logger = logging.getLogger(__name__)


def import_job_retry_start(*, job: ImportJob, requested_by=None) -> bool:
    """Retry a finished job's failed rows, recording who asked (None: the system): now when
    there are no more of them than IMPORT_INLINE_MAX_ROWS (as an import of that many rows),
    else on a worker once this transaction commits. The job then waits as pending, and the
    sweep hands it over again if the broker loses its task. Returns True when handed over."""
    if not job.can_retry_failed:
        return False
    if runs_in_request(job.failed_count):
        import_job_retry_failed(job=job, requested_by=requested_by)
        return False
    now = timezone.now()
    with transaction.atomic():
        handed_over = _finished(job).update(
            **_retried(requested_by, now),
            status=ImportJob.Status.PENDING,
            run_token="",
            resumes=0,
            updated_at=now,
        )
        if handed_over:
            import_job_dispatch(job_id=job.pk, task_name=f"import-{job.pk}-retry", now=now)
    job.refresh_from_db()
    return bool(handed_over)


def import_job_retry_failed(
    *, job: ImportJob, progress: ProgressCallback | None = None, requested_by=None
) -> int:
    """Import the failed rows of a finished job again now, from their kept raw cells, recording
    who asked (None: the system).

    Returns how many of them now succeed.
    """
    if not job.can_retry_failed:
        return 0
    if not job.rows.filter(status=ImportRow.Status.FAILED).exists():
        return 0
    token, now, run = _new_run()
    claimed = _finished(job).update(
        **_retried(requested_by, now), status=ImportJob.Status.RUNNING, **run
    )
    job.refresh_from_db()
    if not claimed:  # another retry took it meanwhile
        return 0
    return retry_claimed_job(job, token, progress)


def _finished(job: ImportJob):
    """The job, while it is finished: a retry claims it from there, once."""
    return ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.FINISHED_STATUSES)


def _retried(requested_by, now) -> dict:
    """The fields a retry starts with, at once or on a worker: who asked, when, no end yet, and
    that every run of the job until it ends retries its failed rows, none reached yet (a run
    killed in the request is resumed by a worker as the retry it is). Its progress: the rows
    processed leave out the failed rows until each is retried (`_finish` counts them again)."""
    return {
        "retry_failed_rows": True,
        "retried_through_line": 0,
        "rows_processed": F("rows_processed") - F("failed_count"),
        "cancel_requested": False,
        "finished_at": None,
        "retried_by": requested_by,
        "retried_at": now,
    }


def retry_claimed_job(
    job: ImportJob, token: str, progress: ProgressCallback | None, deadline: float | None = None
) -> int:
    """Run a claimed job's failed rows again from their kept cells (hand corrections kept),
    from the first line this retry has not reached (a retry handed over, or resumed after its
    worker died, goes on from there: never from the file); returns how many now succeed.

    Each batch replaces its failed rows in its own transaction: a retry that stops however it
    stops (an error, a cancel, its time up, its worker killed) leaves every failed row it had
    not reached as it was, with its cells, reason, id and correction."""
    before = job.failed_count
    unreached = job.rows.filter(
        status=ImportRow.Status.FAILED, line_number__gt=job.retried_through_line
    ).order_by("line_number")
    lines = list(unreached.values_list("line_number", "raw"))
    try:
        importer = importer_for_job(job)
        _run_rows(
            job,
            importer,
            lines,
            progress=progress,
            row_count=len(lines),
            token=token,
            deadline=deadline,
            replacing=_failed_rows_replaced,
        )
    except ImportClaimLost:
        logger.warning("Import job %s was resumed by another worker: this one stops", job.pk)
        job.refresh_from_db()
    except Exception as exc:  # whatever it was, the job must not stay running
        _fail(job, exc, deadline=deadline)
    return before - job.failed_count


@contextmanager
def _failed_rows_replaced(job: ImportJob, batch: Sequence[tuple[int, list[str]]]) -> Iterator[None]:
    """Around the import of a retry's batch, in its transaction: the failed rows of its lines
    make way (the job's failed count without them), then the rows that now stand for those lines get
    their ids and corrections, and the job records how far the retry got."""
    # The batch is the next failed rows in line order: every failed row between its first and
    # last lines is one of them (a range, where an IN of 1,000 lines passes SQLite's limit).
    first, last = batch[0][0], batch[-1][0]
    failed = job.rows.filter(
        status=ImportRow.Status.FAILED, line_number__gte=first, line_number__lte=last
    )
    replaced = list(failed.only("line_number", "corrected_by", "corrected_at", "corrected_columns"))
    failed.delete()
    job.failed_count -= len(replaced)  # `rows_processed` left them out when the retry started
    yield
    # Rows corrected by hand are read from their corrected cells: they stay marked as such.
    _keep_corrections(
        job, {row.line_number: fix for row in replaced if (fix := _RowCorrection.of(row))}
    )
    _keep_row_ids(job, {row.line_number: row.pk for row in replaced})
    job.retried_through_line = last
    ImportJob.objects.filter(pk=job.pk).update(retried_through_line=last)


class ImportRowRerunRefused(Exception):
    """This row cannot be corrected and re-run; the message says why, for the librarian."""


def importer_for_job(job: ImportJob) -> BaseImporter:
    """The importer a finished job's kept rows are read again with (retries, re-runs): the
    same source, and for a generic job the same column map, and the conventions its first
    rows show (`importer_settled`), as the import learnt them from the file."""
    importer = importer_for(job.header, requested=job.source, column_map=job.column_map or None)
    first_rows = job.rows.order_by("line_number").values_list("line_number", "raw")
    importer_settled(importer, first_rows[:IMPORT_BATCH_SIZE].iterator(), count=IMPORT_BATCH_SIZE)
    return importer


def import_row_rerun_refusal(*, row: ImportRow) -> str:
    """Why this row cannot be corrected and re-run now, or "" when it can."""
    job = row.job
    if row.status != ImportRow.Status.FAILED:
        return _("Only a failed row can be corrected and re-run; this one is %(status)s.") % {
            "status": row.get_status_display().lower()
        }
    if not job.is_finished:
        return _("This import is still running: re-run the row once it has finished.")
    if job.file_status == ImportJob.FileStatus.DELETED:
        return _("This row's cells were deleted with the uploaded file: it cannot be re-run.")
    return ""


def import_row_rerun(*, row: ImportRow, cells: list[str], user) -> ImportRow:
    """Store a failed row's corrected cells and import that row alone, in one transaction, by
    the batch path (a one-row batch: the same matching, writes and refusals as any row).

    The job's counts follow the row's new status, its book is queued for enrichment like any
    imported row's, and the row records who corrected which columns, and when (its own fields,
    not a warning). Returns the row as it now stands (a new record of the batch path, with the
    failed row's id).
    Raises ImportRowRerunRefused."""
    refusal = import_row_rerun_refusal(row=row)
    if refusal:
        raise ImportRowRerunRefused(refusal)
    job = row.job
    importer = importer_for_job(job)
    cells = [str(cell) for cell in cells]
    correction = _RowCorrection(
        by_id=user.pk if user else None,
        at=timezone.now(),
        # A row corrected twice keeps every column corrected since the file's version.
        columns=_merged_columns(row.corrected_columns, _changed_columns(importer, row.raw, cells)),
    )
    with transaction.atomic():
        # Whoever removes the failed row first re-runs it; a second submit finds it gone.
        removed, _counts = ImportRow.objects.filter(
            pk=row.pk, status=ImportRow.Status.FAILED
        ).delete()
        if not removed:
            raise ImportRowRerunRefused(_("This row was re-run meanwhile, by someone else."))
        [status] = _import_batch(job, importer, [(row.line_number, cells)])
        _keep_corrections(job, {row.line_number: correction})
        _keep_row_ids(job, {row.line_number: row.pk})
        rerun = ImportRow.objects.select_related("job", "corrected_by").get(
            job=job, line_number=row.line_number
        )
        counters = {}
        if status != ImportRow.Status.FAILED:  # a row still failing leaves the counts as they are
            counter = _STATUS_COUNTERS[status]
            counters = {"failed_count": F("failed_count") - 1, counter: F(counter) + 1}
        if status in (ImportRow.Status.CREATED, ImportRow.Status.UPDATED) and rerun.work_id:
            enqueued = _enrich_works(job, [rerun.work_id])
            counters["enqueued_count"] = F("enqueued_count") + enqueued
        ImportJob.objects.filter(pk=job.pk).update(**counters, updated_at=timezone.now())
    return rerun


@dataclass(frozen=True)
class _RowCorrection:
    """Who corrected a row's cells by hand, when, and which columns (none: re-run unchanged)."""

    by_id: int | None  # the user (None: the system, or a user since deleted)
    at: datetime.datetime
    columns: list[str]

    @classmethod
    def of(cls, row: ImportRow) -> "_RowCorrection | None":
        """The row's correction (None when nobody corrected its cells)."""
        if row.corrected_at is None:
            return None
        return cls(by_id=row.corrected_by_id, at=row.corrected_at, columns=row.corrected_columns)


def _keep_corrections(job: ImportJob, corrections: dict[int, _RowCorrection]) -> None:
    """Put the corrections back on the rows that now stand for those lines: importing a line
    again replaces its row record. Corrections are made by hand, so they are few."""
    for line, correction in corrections.items():
        job.rows.filter(line_number=line).update(
            corrected_by_id=correction.by_id,
            corrected_at=correction.at,
            corrected_columns=correction.columns,
        )


def _keep_row_ids(job: ImportJob, ids: dict[int, int]) -> None:
    """Give the rows that now stand for these lines the ids their failed rows had: a line is
    the same row of the import, and a link to it (a bookmark, a list opened before the retry)
    must not lead to "does not exist". Nothing refers to a row by its id but such links."""
    lines = list(ids.items())
    for start in range(0, len(lines), _ID_UPDATES_PER_QUERY):
        chunk = dict(lines[start : start + _ID_UPDATES_PER_QUERY])
        job.rows.filter(line_number__in=chunk).update(
            id=Case(*(When(line_number=line, then=Value(pk)) for line, pk in chunk.items()))
        )


_ID_UPDATES_PER_QUERY = 300  # three parameters a row: inside SQLite's oldest limit, 999


def _changed_columns(importer: BaseImporter, before: list[str], after: list[str]) -> list[str]:
    return [
        importer.column_name(index)
        for index, (old, new) in enumerate(zip_longest(before, after, fillvalue=""))
        if old != new
    ]


def _merged_columns(earlier: list[str], new: list[str]) -> list[str]:
    return [*earlier, *(column for column in new if column not in earlier)]
