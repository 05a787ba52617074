"""Import jobs deleted, and their uploaded files purged once the retention period is over: an
upload holds personal data (a reader's shelves, dates and reviews), which must not outlive its
use nor be left behind by a deleted job."""

import datetime
import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import ImportJob


def import_jobs_delete(*, jobs) -> int:
    """Delete these jobs with their rows and their uploaded files (personal data: a deleted
    job must not leave its file behind where no purge looks any more)."""
    deleted = 0
    for job in list(jobs):
        source = job.source_file
        name = source.name if source else ""
        job.delete()
        if name:
            # After the rows are gone, so a failed delete never leaves a job without its file.
            transaction.on_commit(functools.partial(source.storage.delete, name))
        deleted += 1
    return deleted


def import_files_purge(*, retention_days: int | None = None) -> int:
    """Delete the uploaded files of finished jobs older than the retention period, and their
    rows' cells (the same reading list, with the reader's shelves, dates and reviews).

    The jobs and their rows stay: counts, each row's status, reason, warnings and the book it
    became. A job still pending or running keeps its file until it ends. 0 days keeps
    everything. Returns how many jobs lost their file.
    """
    days = settings.IMPORT_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return 0
    now = timezone.now()
    try:
        cutoff = now - datetime.timedelta(days=days)
    except OverflowError:  # a retention past year 1 (--days 1000000): no upload is that old
        return 0
    expired = ImportJob.objects.filter(
        # A job whose file was already missing still holds its rows' cells.
        file_status__in=[ImportJob.FileStatus.STORED, ImportJob.FileStatus.MISSING],
        created_at__lt=cutoff,
        status__in=ImportJob.FINISHED_STATUSES,
    )
    purged = 0
    for job in expired.iterator():
        # The file first: if the database update then fails, the next run deletes it again.
        if job.source_file:
            job.source_file.delete(save=False)
        with transaction.atomic():
            job.rows.update(raw=[], normalized={})
            ImportJob.objects.filter(pk=job.pk).update(
                source_file="", file_status=ImportJob.FileStatus.DELETED, file_deleted_at=now
            )
        purged += 1
    return purged
