"""Whether "Retry failed rows" could change anything for a finished import: the one rule the
job's page (and any other place that offers a retry) asks, so that a retry is never offered
where every failed row would fail again for the same reason."""

from catalog.importers.base import RowError
from catalog.models import ImportJob, ImportRow
from catalog.models.imports import NOT_A_BOOK_KEY

# The importer a retry reads the kept cells with (the job's source, column map and date order):
# the same one, so that "would read the same" is the retry's own reading.
from catalog.services.failed_rows import importer_for_job

#: At most this many failed rows are read again to decide, on every view of the job's page; a
#: job with more is offered the retry unasked (nobody can say it would change nothing without
#: reading them all, which the page cannot afford).
FAILED_ROWS_READ_AT_MOST = 200


def failed_rows_retry_could_succeed(job: ImportJob) -> bool:
    """Whether a retry of the job's failed rows could import at least one of them: one was
    corrected by hand (its corrected cells are what a retry reads), or one whose kept cells
    read as a book, so that it failed for a reason outside its cells (a database refusal or
    error, which another try may pass). A row whose cells fail to read (no title, not a book, a
    cell too long…) fails again on every retry: only correcting its cells changes it."""
    if not job.can_retry_failed:
        return False
    if job.failed_count > FAILED_ROWS_READ_AT_MOST:
        return True  # too many to read on a page's view: asked of no row (a job of 1,000,000)
    failed = job.rows.filter(status=ImportRow.Status.FAILED)
    if failed.filter(corrected_at__isnull=False).exists():
        return True
    # "Not a book" is recorded as such (indexed): no retry reads such a row otherwise.
    unread = failed.exclude(normalized__has_key=NOT_A_BOOK_KEY).order_by("line_number")
    cells_of_rows = list(unread.values_list("raw", flat=True))
    if not cells_of_rows:
        return False
    importer = importer_for_job(job)
    for cells in cells_of_rows:
        try:
            importer.read_row(importer.scrub_cells([str(cell) for cell in cells])[0])
        except RowError:
            continue  # what its cells say: the same on every retry
        return True
    return False
