"""Import jobs whose task the broker lost, or whose worker died, found from what the database
records and run again (called by the periodic sweep, `enrichment.sweep`).

- Pending, and handed to the broker (`queued_at`) before `unclaimed_before`, or never handed
  over (the process stopped between the commit and the enqueue): handed over again. The sweep
  gives the moment its one rule for unclaimed work gives the main queue
  (`enrichment.broker_backlog`): the stale interval, later while a live cluster works a backlog
  there. A second task for a job whose first task was only slow is harmless: only one claims it.
- Running, and no batch committed (`heartbeat_at`) for the stale interval: its worker died. It
  goes back to pending and is handed over again; the run skips the lines already recorded
  (each batch commits its rows with the job's counts), so no row is imported twice; a retry
  of failed rows goes on from those it had not reached, from their kept cells. A worker
  that was only slow has lost its claim (`run_token`) and stops at its next batch without
  writing. A job whose cancel was asked ends cancelled; a job resumed IMPORT_MAX_RESUMES times
  in a row without committing a batch ends failed, with the reason (one that goes on between
  stops, such as a long import that Q_TIMEOUT stops, is resumed as often as it needs).
- Running on a worker, and its database went away under it (a PostgreSQL restart or failover,
  a network cut: `import_job_outlast_database_outage`): the worker waits for the database, then
  resumes the job as the sweep would (it goes on from its next batch), rather than ending it
  failed; a database still gone when the task's time is up leaves the job to the sweep.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.utils import display_for_value
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext, ngettext

from bookstore import task_queue
from bookstore.db_clock import database_now, stamp_expired_q, stamp_far_ahead, stamp_is_live
from bookstore.outages import database_back, is_outage
from catalog.models import ImportJob
from catalog.services.import_stops import import_going_on_advice
from catalog.services.jobs import (
    RETRY_ENDED,
    import_job_dispatch,
    import_job_queue_imported,
    import_job_recount,
)

logger = logging.getLogger(__name__)

#: A job whose worker died this many times in a row without committing a batch is given up: a
#: row that kills its worker every time must not loop forever.
IMPORT_MAX_RESUMES = 3

Status = ImportJob.Status


@dataclass(frozen=True)
class RecoveredImports:
    """What one sweep did: jobs handed to the broker again (their task was lost), resumed (their
    worker died), cancelled (their cancel was asked of a dead worker) and given up."""

    requeued: int = 0
    resumed: int = 0
    cancelled: int = 0
    failed: int = 0

    def as_json(self) -> dict:
        return {
            "requeued": self.requeued,
            "resumed": self.resumed,
            "cancelled": self.cancelled,
            "failed": self.failed,
        }


#: A batch commits within seconds: a running job without one for this long (at most the stale
#: interval) is said to have made no progress, its worker perhaps dead, until the sweep decides.
IMPORT_QUIET_SECONDS = 60


def import_job_stalled_label(job: ImportJob, *, now: datetime | None = None) -> str:
    """The status of a running job whose worker has committed no batch for
    IMPORT_QUIET_SECONDS, as far as it is known: since when, and when the sweep resumes it if
    its worker has died (`import_jobs_stopped`: the stale interval after its last batch, on the
    database's clock). "" for any other job: it is said by its status."""
    if job.status != Status.RUNNING:
        return ""
    stale = settings.ENRICHMENT_STALE_SECONDS
    now = now or database_now()
    last = job.heartbeat_at or job.updated_at  # a job from before heartbeats: its last save
    if stamp_is_live(last, seconds=min(IMPORT_QUIET_SECONDS, stale), now=now):
        return ""
    resumes = (
        now if stamp_far_ahead(last, seconds=stale, now=now) else last + timedelta(seconds=stale)
    )
    said = {"since": display_for_value(last, ""), "resumes": display_for_value(resumes, "")}
    if resumes > now:
        return (
            gettext(
                "Running, but no progress since %(since)s: if its worker has stopped, the sweep "
                "resumes it at about %(resumes)s, from the rows already imported."
            )
            % said
        )
    return (
        gettext(
            "Running, but no progress since %(since)s: its worker has stopped, and the sweep "
            "resumes it at its next run (due since %(resumes)s), from the rows already imported."
        )
        % said
    )


def import_job_waiting_for_queue_text(*, rows: int) -> str:
    """What a librarian reads of an import recorded while the broker was unavailable
    (jobs.ImportStart.WAITING_FOR_QUEUE): the sweep hands it over as it does any pending job no
    task took (`import_jobs_lost`), once it has waited the stale interval and the queue is back."""
    minutes = max(1, math.ceil(settings.ENRICHMENT_STALE_SECONDS / 60))
    waiting = ngettext(
        "The file is saved and nothing is lost: its %(rows)s row waits for the queue.",
        "The file is saved and nothing is lost: its %(rows)s rows wait for the queue.",
        rows,
    ) % {"rows": f"{rows:,}"}
    starts = ngettext(
        "The import starts by itself once the queue is back, and no sooner than %(minutes)s "
        "minute after this upload (the sweep hands over an import no worker took for that "
        "long); this page shows when it starts.",
        "The import starts by itself once the queue is back, and no sooner than %(minutes)s "
        "minutes after this upload (the sweep hands over an import no worker took for that "
        "long); this page shows when it starts.",
        minutes,
    ) % {"minutes": minutes}
    return f"{task_queue.unreachable_text()} {waiting} {starts}"


def import_jobs_lost(*, cutoff, now, stale_seconds):
    """Pending jobs no task has claimed since `cutoff` (the status index finds them), or
    marked queued further ahead of now than the stale interval (bookstore.db_clock)."""
    marked = stamp_expired_q("queued_at", seconds=stale_seconds, now=now, before=cutoff)
    return ImportJob.objects.filter(status=Status.PENDING).filter(
        marked | Q(queued_at__isnull=True, created_at__lt=cutoff)
    )


def import_jobs_stopped(*, now, stale_seconds):
    """Running jobs whose worker has committed nothing for the stale interval (a job from
    before heartbeats: its last save), or whose heartbeat lies further ahead of now than that
    (a clock set back, or rows restored from a backup: bookstore.db_clock)."""
    cutoff = now - timedelta(seconds=stale_seconds)
    return ImportJob.objects.filter(status=Status.RUNNING).filter(
        stamp_expired_q("heartbeat_at", seconds=stale_seconds, now=now)
        | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    )


def import_jobs_recover(
    *, stale_seconds: int, unclaimed_before: datetime | None = None, now=None
) -> RecoveredImports:
    """Hand lost jobs (pending since before `unclaimed_before`, by default the stale interval)
    to the broker again and resume (or end) jobs whose worker died."""
    now = now or database_now()  # the clock the heartbeats are stamped on
    cutoff = now - timedelta(seconds=stale_seconds)
    requeued = resumed = cancelled = failed = 0
    lost = import_jobs_lost(cutoff=unclaimed_before or cutoff, now=now, stale_seconds=stale_seconds)
    for pk in lost.values_list("pk", flat=True):
        with transaction.atomic():
            # Guarded: a job claimed (or handed over by another sweep) meanwhile is left alone.
            if lost.filter(pk=pk).update(queued_at=now):
                import_job_dispatch(job_id=pk, task_name=f"import-{pk}-requeued", now=now)
                requeued += 1
    stopped = import_jobs_stopped(now=now, stale_seconds=stale_seconds)
    for job in stopped.only("pk", "run_token", "resumes", "cancel_requested", "heartbeat_at"):
        if stamp_far_ahead(job.heartbeat_at, seconds=stale_seconds, now=now):
            logger.warning(
                "Import job %s: its heartbeat (%s) is more than %s s ahead of the database's "
                "clock (a clock set back, or rows restored from a backup): taken as stopped",
                job.pk,
                job.heartbeat_at.isoformat(),
                stale_seconds,
            )
        outcome = _recover_stopped(stopped.filter(pk=job.pk, run_token=job.run_token), job, now)
        resumed += outcome == Status.PENDING
        cancelled += outcome == Status.CANCELLED
        failed += outcome == Status.FAILED
    recovered = RecoveredImports(requeued, resumed, cancelled, failed)
    if requeued or resumed or cancelled or failed:
        logger.warning("Import jobs recovered from lost tasks and dead workers: %s", recovered)
    return recovered


def _recover_stopped(still_stopped, job: ImportJob, now) -> str:
    """Resume, cancel or give up one job whose worker died; returns its new status ("" when
    its worker turned out alive, or another sweep took it)."""
    ended = {"run_token": "", "finished_at": now, "updated_at": now, **RETRY_ENDED}
    with transaction.atomic():
        if job.cancel_requested:
            status = Status.CANCELLED
            changed = still_stopped.update(status=status, **ended)
        elif job.resumes >= IMPORT_MAX_RESUMES:
            status = Status.FAILED
            stopped = ngettext(
                "The import gave up after it was resumed %(count)d time: each time its worker "
                "stopped again before importing a batch (a worker killed, for instance for "
                "lack of memory, or a row that stops it every time: the worker's log says "
                "which).",
                "The import gave up after it was resumed %(count)d times: each time its worker "
                "stopped again before importing a batch (a worker killed, for instance for "
                "lack of memory, or a row that stops it every time: the worker's log says "
                "which).",
                job.resumes,
            ) % {"count": job.resumes}
            error = f"{stopped} {import_going_on_advice(retrying=job.retry_failed_rows)}"
            changed = still_stopped.update(status=status, error=error, **ended)
        else:
            status = Status.PENDING
            changed = still_stopped.update(
                status=status, run_token="", resumes=F("resumes") + 1, updated_at=now
            )
            if changed:
                name = f"import-{job.pk}-resume-{job.resumes + 1}"
                import_job_dispatch(job_id=job.pk, task_name=name, now=now)
        if not changed:
            return ""
        if status != Status.PENDING:  # a resumed run recounts when it starts
            ended_job = ImportJob.objects.get(pk=job.pk)
            import_job_recount(job=ended_job)
            import_job_queue_imported(job=ended_job)
    return status


def import_job_outlast_database_outage(
    *, job: ImportJob, exc: BaseException, deadline: float | None
) -> bool:
    """A worker's run (with a `deadline` on time.monotonic()) stopped by `exc`: when its
    database went away (bookstore.outages: a restart, a failover, a cut connection; or the
    broker that was to take its next task), wait for it, until the deadline and at least
    outages.DATABASE_LEAST_WAIT seconds, then resume the job as a dead worker's is resumed
    (`_recover_stopped`): pending, handed to a new task that goes on from its next batch, or
    ended when its cancel was asked or it stopped too often without a batch. A database still
    gone leaves the job running, for the sweep. False for any other error, and for a run in a
    request or import_books, whose librarian is there to read why it ended failed
    (import_stops)."""
    if deadline is None or not is_outage(exc):
        return False
    logger.warning(
        "Import job %s: its database or broker went away (%s): it goes on once it is back",
        job.pk,
        exc,
    )
    if not database_back(deadline=deadline):
        logger.warning(
            "Import job %s: its database is still gone: the sweep resumes the job", job.pk
        )
        return True
    held = ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING, run_token=job.run_token)
    found = held.only("pk", "run_token", "resumes", "cancel_requested").first()
    if found is not None:  # else the sweep gave it to another worker meanwhile
        _recover_stopped(held, found, database_now())
    job.refresh_from_db()
    return True
