"""Import jobs: create, start, run (on a worker, handed from task to task before Q_TIMEOUT),
cancel (their failed rows imported again: `failed_rows`; deleted, and their files purged:
`job_retention`).

A job's whole file is read and checked when the job is created (a file-level error saves
nothing); the run then reads it again one batch of rows at a time (never the whole file's rows at
once; a large job in a worker process, a batch ahead: `reading`), imports each batch (`rows`),
commits it with its rows, counts and heartbeat, reports progress, and hands what it created or
changed to enrichment. A job whose task was lost or whose worker died is run again by the sweep
(`job_recovery`), from the lines not yet recorded.
"""

import datetime
import enum
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bookstore import task_queue
from bookstore.db_clock import database_now
from catalog.importers import SETTLING_ROWS, csv_rows, importer_for, importer_settled, read_csv
from catalog.models import ImportJob, ImportRow
from catalog.services.collector import collect_batch_garbage, collected_between_batches
from catalog.services.import_stops import (
    import_source_open,
    import_source_store,
    import_stop_reason,
)
from catalog.services.reading import normalized_batches
from catalog.services.rows import _import_batch

logger = logging.getLogger(__name__)

IMPORT_BATCH_SIZE = SETTLING_ROWS  # the first batch teaches the importer the file's conventions
#: The task that runs a job on a worker.
RUN_TASK = "catalog.tasks.run_import_job"
#: The share of Q_TIMEOUT an import task works before it hands the rest of its job to a new task
#: (between two batches): a long import is never killed by the timeout, and goes on at once.
#: Half: the end of a job (handing its books to enrichment) runs after the last batch.
IMPORT_TASK_SHARE = 0.5

ProgressCallback = Callable[[ImportJob], None]


# --- Jobs ---------------------------------------------------------------------------------------


def import_job_create(
    *,
    data: bytes,
    filename: str,
    requested_format: str = "auto",
    column_map: dict[str, str] | None = None,
    uploaded_by=None,
    enrich: bool = True,
) -> ImportJob:
    """Validate an uploaded export and record it as a pending job (raises ImportFileError;
    UnknownFormatError when the header is no known source's and no column map was given;
    ImportStorageFailed when the storage fails to store the file, and no job is recorded).

    `enrich` asked for while enrichment after imports is off on this server records a job that
    will not enrich (its page, the API and import_books show no "enrich" for it) and says why
    among its warnings, from the start."""
    csv_file = read_csv(data, keep_rows=False)
    importer = importer_for(csv_file.header, requested=requested_format, column_map=column_map)
    enriched = enrich and import_enrichment_available()
    job = ImportJob(
        requested_format=requested_format,
        source=importer.source,
        # The generic format's map, as checked against the header: a retry reads the same way.
        column_map=importer.column_map,
        original_filename=filename[:255],
        file_size=len(data),
        encoding=csv_file.encoding,
        uploaded_by=uploaded_by,
        enrich=enriched,
        rows_total=csv_file.row_count,
        header=csv_file.header,
        warnings=[*csv_file.warnings, *([] if enriched or not enrich else [_enrichment_off()])],
    )
    import_source_store(job, data)  # raises ImportStorageFailed: then no job is saved
    job.save()
    return job


def runs_in_request(row_count: int) -> bool:
    """Whether this many rows are imported where they were asked for (the request, the shell)
    rather than on a worker: an import's rows, or a retry's failed rows."""
    return row_count <= settings.IMPORT_INLINE_MAX_ROWS


class ImportStart(enum.StrEnum):
    """Where an import went once started: run where it was asked (a small file), handed to the
    broker for a worker, or recorded with the broker unavailable (bookstore.outages): the job
    waits, pending, and the sweep hands it over once the broker is back (`job_recovery`)."""

    RAN = "ran"
    QUEUED = "queued"
    WAITING_FOR_QUEUE = "waiting_for_queue"


def import_job_start(*, job: ImportJob) -> ImportStart:
    """Run a small job now, or hand a large one to a worker once this transaction commits (in
    a transaction, QUEUED: whether the broker takes it is known only at the commit)."""
    if runs_in_request(job.rows_total):
        import_job_run(job=job)
        return ImportStart.RAN
    taken = import_job_dispatch(job_id=job.pk, task_name=f"import-{job.pk}")
    return ImportStart.WAITING_FOR_QUEUE if taken is False else ImportStart.QUEUED


def import_job_dispatch(*, job_id: int, task_name: str, now=None) -> bool | None:
    """Record when the job was handed to the broker, and hand it over once this transaction
    commits: a task the broker loses (or an enqueue a crash prevents, or a broker unavailable)
    is handed over again by the sweep (`job_recovery`), from this record. Outside a
    transaction, whether the broker took the task; None when that waits for the commit."""
    ImportJob.objects.filter(pk=job_id).update(queued_at=now or database_now())
    taken: list[bool] = []
    transaction.on_commit(
        lambda: taken.append(task_queue.enqueue_recorded(RUN_TASK, job_id, task_name=task_name))
    )
    return taken[0] if taken else None


class ImportClaimLost(Exception):
    """The sweep gave this job to another worker (this one looked dead): stop, write nothing."""


def import_task_time_budget() -> float:
    """Seconds an import task works before handing its job over (IMPORT_TASK_SHARE)."""
    return settings.Q_TIMEOUT * IMPORT_TASK_SHARE


def import_job_run(
    *,
    job: ImportJob,
    progress: ProgressCallback | None = None,
    time_budget: float | None = None,
) -> ImportJob:
    """Import every row of a pending job. Safe to call twice: only a pending job is claimed.

    With a `time_budget` (a task on a worker), the run hands the job to a new task once that
    many seconds have passed, between two batches. A job that goes on (handed over, or resumed
    after its worker died) skips the lines it already recorded: each batch commits its rows
    with the job's counts, so no row is imported twice."""
    deadline = None if time_budget is None else time.monotonic() + time_budget
    token, now, run = _new_run()
    pending = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING)
    started = {
        "status": ImportJob.Status.RUNNING,
        "started_at": Coalesce("started_at", Value(now, output_field=DateTimeField())),
        "error": "",
        **run,
    }
    # A retry (handed to a worker, handed over, resumed) goes on from its failed rows' kept
    # cells, not from the file: it stays a retry until it ends (`_finish`).
    retrying = pending.filter(retry_failed_rows=True).update(**started)
    claimed = retrying or pending.update(**started)
    job.refresh_from_db()
    if not claimed:
        return job
    if retrying:
        from catalog.services.failed_rows import retry_claimed_job  # it builds on this module

        retry_claimed_job(job, token, progress, deadline)
        return job
    try:
        with import_source_open(job) as source:
            data = source.read()
        header, rows = csv_rows(data)
        importer = importer_for(header, requested=job.source, column_map=job.column_map or None)
        # The file's conventions from its first rows, read once: they go on to be imported.
        rows = importer_settled(importer, rows, count=IMPORT_BATCH_SIZE)  # no more read ahead
        remaining = job.rows_total
        if job.resumes or job.rows_processed:  # it goes on from where a run stopped
            recorded = set(job.rows.values_list("line_number", flat=True))
            import_job_recount(job=job)
            rows = (line for line in rows if line[0] not in recorded)
            remaining = max(job.rows_total - len(recorded), 0)
        _run_rows(
            job,
            importer,
            rows,
            progress=progress,
            row_count=remaining,
            token=token,
            deadline=deadline,
        )
    except KeyboardInterrupt:  # Ctrl-C on import_books (workers ignore SIGINT): not a crash
        _cancelled(job)
        raise
    except ImportClaimLost:
        logger.warning("Import job %s was resumed by another worker: this one stops", job.pk)
        job.refresh_from_db()
    except Exception as exc:  # whatever it was, the job must not stay running
        _fail(job, exc, deadline=deadline)
    return job


def import_job_recount(*, job: ImportJob) -> None:
    """Set the job's counts from its recorded rows (after a worker died: the rows decide)."""
    counts = dict(job.rows.order_by().values_list("status").annotate(rows=Count("pk")))
    job.rows_processed = sum(counts.values())
    for status, counter in _STATUS_COUNTERS.items():
        setattr(job, counter, counts.get(status, 0))
    job.save(update_fields=["rows_processed", *_STATUS_COUNTERS.values(), "updated_at"])


class CancelOutcome(enum.Enum):
    """What asking a job to stop did, for the librarian who asked."""

    ASKED = "asked"  # running: it stops after the batch it is working on
    CANCELLED = "cancelled"  # pending: stopped at once
    ASKED_ALREADY = "asked_already"  # someone asked before: who asked stays on record
    FINISHED = "finished"  # it had ended before the ask: nothing to stop


def import_job_cancel(*, job: ImportJob, requested_by=None) -> CancelOutcome:
    """Ask a running job to stop after its current batch; a pending one stops at once. Records
    who asked (None: the system), once: a second ask leaves the first asker on record."""
    now = timezone.now()
    requested = {"cancel_requested": True, "cancel_requested_by": requested_by}

    # On SQLite it lands between the batch at work and the next (bookstore/sqlite_backend).
    with transaction.atomic():
        asked = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, cancel_requested=False
        ).update(**requested, cancel_requested_at=now)
        stopped = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
            **requested,
            cancel_requested_at=now,
            status=ImportJob.Status.CANCELLED,
            finished_at=now,
            **RETRY_ENDED,
        )
    job.refresh_from_db()
    if stopped:  # the rows decide its counts (a retry's progress left its failed rows out)
        import_job_recount(job=job)
    if stopped and job.rows_processed:  # it was waiting to continue: its books are in
        import_job_queue_imported(job=job)
    if stopped:
        return CancelOutcome.CANCELLED
    if asked:
        return CancelOutcome.ASKED
    return CancelOutcome.FINISHED if job.is_finished else CancelOutcome.ASKED_ALREADY


def import_job_queue_imported(*, job: ImportJob) -> None:
    """Queue for enrichment the books a job that ended before its last row (cancelled, failed,
    given up) created or changed. Going on means importing the file again, where they are
    duplicates, which are never queued: queued now, or never. (A book already queued or
    enriched is not queued twice.)"""
    job.enqueued_count = _enqueue_enrichment(job)
    job.save(update_fields=["enqueued_count", "updated_at"])


#: What a retry does around each batch's import, in the batch's transaction: the failed rows
#: the batch imports again make way, and the rows that replace them keep their ids
#: (`failed_rows`). A context manager, given the job and the batch's lines and cells.
BatchReplacing = Callable[
    [ImportJob, Sequence[tuple[int, list[str]]]], AbstractContextManager[None]
]


def _run_rows(
    job,
    importer,
    lines,
    *,
    progress,
    row_count: int,
    token: str,
    deadline=None,
    replacing: BatchReplacing | None = None,
):
    # A large job reads and normalizes its next batch in a worker process meanwhile.
    worker = row_count >= settings.IMPORT_READING_WORKER_MIN_ROWS
    with (
        collected_between_batches(),
        normalized_batches(importer, lines, IMPORT_BATCH_SIZE, worker=worker) as batches,
    ):
        number = -1  # counted here: enumerate would keep its last item, the batch, alive
        for batch, planned in batches:
            number += 1
            if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
                _cancelled(job)
                return
            # At least one batch a task, however short its time.
            if number and deadline is not None and time.monotonic() >= deadline:
                _hand_over(job, token)
                return
            # The rows, the counts and the heartbeat commit together: a worker killed at any
            # point leaves the job as of its last whole batch, which a resume starts from.
            with transaction.atomic():
                _heartbeat(job, token, batch_committed=True)
                with replacing(job, batch) if replacing else nullcontext():
                    statuses = _import_batch(job, importer, batch, planned)
                _record_batch(job, statuses)
            if progress:
                progress(job)
            # Gone before the collection, which then scans nothing of them.
            del batch, planned, statuses
            collect_batch_garbage()
    _heartbeat(job, token)
    job.enqueued_count = _enqueue_enrichment(job)
    _finish(job, ImportJob.Status.COMPLETED)


def _cancelled(job: ImportJob) -> None:
    """The job stops where it is; the books its committed batches imported stay, queued."""
    import_job_queue_imported(job=job)
    _finish(job, ImportJob.Status.CANCELLED)


def _hand_over(job: ImportJob, token: str) -> None:
    """This task's time is up (IMPORT_TASK_SHARE of Q_TIMEOUT): the job waits as pending and a
    new task goes on with it at once, from the lines not recorded yet (a retry: from the failed
    rows it has not reached)."""
    now = database_now()
    with transaction.atomic():
        handed_over = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token
        ).update(status=ImportJob.Status.PENDING, run_token="", updated_at=now)
        if handed_over:
            import_job_dispatch(job_id=job.pk, task_name=f"import-{job.pk}-continued", now=now)
    job.refresh_from_db()


def _new_run() -> tuple[str, datetime.datetime, dict]:
    """A run's token (a worker holds the job while the job keeps it), its start, and the fields
    that record both on the job. On the database's clock, as the heartbeats after it: the sweep
    judges them on that clock, so a worker whose clock runs behind does not look dead."""
    token, now = uuid.uuid4().hex, database_now()
    return token, now, {"run_token": token, "heartbeat_at": now, "updated_at": now}


def _heartbeat(job: ImportJob, token: str, *, batch_committed: bool = False) -> None:
    """Say this worker is alive, if it still holds the job (else raises ImportClaimLost). In a
    batch's transaction: the job progressed, so its resumes in a row start again from 0 (a
    long job that Q_TIMEOUT stops now and then goes on; one that stops in the same batch every
    time does not)."""
    progressed = {"resumes": 0} if batch_committed else {}
    alive = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token
    ).update(heartbeat_at=database_now(), **progressed)
    if not alive:
        raise ImportClaimLost


def _record_batch(job: ImportJob, statuses: list[str]) -> None:
    """Add a batch's row statuses to the job's counts, and save them."""
    counts: defaultdict[str, int] = defaultdict(int)
    for status in statuses:
        counts[status] += 1
    job.rows_processed += len(statuses)
    job.created_count += counts[ImportRow.Status.CREATED]
    job.updated_count += counts[ImportRow.Status.UPDATED]
    job.duplicate_count += counts[ImportRow.Status.DUPLICATE]
    job.failed_count += counts[ImportRow.Status.FAILED]
    job.save(
        update_fields=[
            "rows_processed",
            "created_count",
            "updated_count",
            "duplicate_count",
            "failed_count",
            "updated_at",
        ]
    )


def _fail(job: ImportJob, exc: Exception, *, deadline: float | None = None) -> None:
    """Something stopped the job: it ends failed with the reason in words, which the job page,
    the API and `import_books --json` show (import_stops); the traceback goes to the log. On a
    worker (a `deadline`), a database that went away is waited for, and the job goes on."""
    from catalog.services.job_recovery import import_job_outlast_database_outage  # builds on us

    if import_job_outlast_database_outage(job=job, exc=exc, deadline=deadline):
        return
    logger.exception("Import job %s failed", job.pk)
    reason = import_stop_reason(exc, retrying=job.retry_failed_rows)
    if not _finish(job, ImportJob.Status.FAILED, error=reason):
        return  # another worker holds the job: its counts and queueing stand
    try:  # the books of its committed batches; a database that is gone leaves them unqueued
        # The counts its rows say: the batch that stopped rolled back, its counts with it.
        import_job_recount(job=job)
        import_job_queue_imported(job=job)
    except Exception:
        logger.exception("Import job %s: its imported books could not be queued", job.pk)


#: A job that ends is no longer retrying its failed rows: those its retry had not reached stay
#: failed, with their cells, to be retried again.
RETRY_ENDED = {"retry_failed_rows": False, "retried_through_line": 0}


def _finish(job: ImportJob, status: str, *, error: str = "") -> bool:
    """End the job, if this run still holds it (its claim's `run_token`, which the job was
    read with): else the sweep gave it to another worker, whose ending stands, and nothing is
    written (False)."""
    retrying, now = job.retry_failed_rows, timezone.now()
    ended = ImportJob.objects.filter(pk=job.pk, run_token=job.run_token).update(
        status=status,
        error=error,
        finished_at=now,
        enqueued_count=job.enqueued_count,
        updated_at=now,
        **RETRY_ENDED,
    )
    if not ended:
        logger.warning("Import job %s was resumed by another worker: this one stops", job.pk)
        job.refresh_from_db()
        return False
    job.status, job.error, job.finished_at, job.updated_at = status, error, now, now
    for field, value in RETRY_ENDED.items():
        setattr(job, field, value)
    if retrying:  # the failed rows it had not reached count as processed again (`failed_rows`)
        import_job_recount(job=job)
    return True


def _enqueue_enrichment(job: ImportJob) -> int:
    """Hand the works this job created or changed to enrichment."""
    if not job.enrich:
        return 0
    work_ids = list(
        job.rows.filter(
            status__in=[ImportRow.Status.CREATED, ImportRow.Status.UPDATED], work__isnull=False
        )
        .values_list("work_id", flat=True)
        .distinct()
    )
    return _enrich_works(job, work_ids)


def import_enrichment_available() -> bool:
    """Whether an import's books can be queued for enrichment on this server: the upload form
    offers it, and a job records it, only then."""
    hook = getattr(settings, "CATALOG_ENRICHMENT_HOOK", "")
    return bool(hook and settings.ENRICHMENT_AUTO_ENABLED)


def _enrichment_hook(job: ImportJob):
    """The one configured call that queues enrichment (catalog does not import enrichment), or
    None when this job's books are not to be enriched."""
    if not (job.enrich and import_enrichment_available()):
        return None
    return import_string(settings.CATALOG_ENRICHMENT_HOOK)


def _enrich_works(job: ImportJob, work_ids: list[int]) -> int:
    hook = _enrichment_hook(job)
    if hook is None and work_ids and job.enrich:
        _note_enrichment_off(job)
    return hook(work_ids=work_ids, trigger="post_import") if hook and work_ids else 0


def _enrichment_off() -> str:
    return _(
        "The books this import created or changed were not queued for enrichment: automatic "
        "enrichment is off on this server (ENRICHMENT_AUTO_ENABLED). To queue them, run "
        "manage.py enrich_missing, or use “Enrich all missing covers / metadata” on the works "
        "list."
    )


def _note_enrichment_off(job: ImportJob) -> None:
    """Enrichment was switched off after the job was recorded (a worker's settings, a re-run
    row): the job no longer says it enriches, and its warnings (its page, import_books) say
    why, where "Enrich ✓, 0 queued" left the librarian waiting. Said once, as it was then: the
    setting may change later."""
    note = _enrichment_off()
    job.enrich = False
    if note not in job.warnings:
        job.warnings = [*job.warnings, note]
    ImportJob.objects.filter(pk=job.pk).update(enrich=False, warnings=job.warnings)


# --- Counts ---------------------------------------------------------------------------------------


# Which of the job's counters a row's status adds to.
_STATUS_COUNTERS = {
    ImportRow.Status.CREATED: "created_count",
    ImportRow.Status.UPDATED: "updated_count",
    ImportRow.Status.DUPLICATE: "duplicate_count",
    ImportRow.Status.FAILED: "failed_count",
}
