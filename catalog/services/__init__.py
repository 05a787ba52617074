"""Write-side services of the catalog: CSV imports.

An import reads the whole file first (a file-level error saves nothing), then works in batches:
each batch makes a fixed handful of queries whatever its size (bulk lookups by ISBN-13,
Goodreads id and normalized title; bulk inserts and updates), commits, and reports progress.
A batch the database refuses is split until the refused rows stand alone: each of those fails
with the database's reason and the others import.
Rows match the catalog by ISBN-13, then Goodreads book id, then ASIN, then LibraryThing id, then
Open Library edition key, then Open Library work key, then normalized title + primary author
(strict). A matched book only has its empty fields filled; importing the same
file twice creates nothing.

The modules, by concern: `jobs` (the job's life), `failed_rows` (a finished job's failed rows
imported again: all of them, or one corrected by hand), `job_recovery` (jobs whose task was
lost or whose worker died), `job_retention` (jobs deleted, uploads purged), `rows` (one
batch of rows, refused rows isolated), `index` (matching rows to the catalog) and `writes`
(new books, filled fields, credits, series). The public names are re-exported here.
"""

from catalog.services.failed_rows import (
    ImportRowRerunRefused,
    import_job_retry_failed,
    import_job_retry_start,
    import_row_rerun,
    import_row_rerun_refusal,
)
from catalog.services.job_recovery import (
    RecoveredImports,
    import_job_waiting_for_queue_text,
    import_jobs_recover,
)
from catalog.services.job_retention import import_files_purge, import_jobs_delete
from catalog.services.jobs import (
    CancelOutcome,
    ImportClaimLost,
    ImportStart,
    ProgressCallback,
    import_enrichment_available,
    import_job_cancel,
    import_job_create,
    import_job_dispatch,
    import_job_recount,
    import_job_run,
    import_job_start,
    import_task_time_budget,
)
from catalog.services.rows import import_job_not_books, import_rows

__all__ = [
    "CancelOutcome",
    "ImportClaimLost",
    "ImportRowRerunRefused",
    "ImportStart",
    "ProgressCallback",
    "RecoveredImports",
    "import_enrichment_available",
    "import_files_purge",
    "import_job_cancel",
    "import_job_create",
    "import_job_dispatch",
    "import_job_not_books",
    "import_job_recount",
    "import_job_retry_failed",
    "import_job_retry_start",
    "import_job_run",
    "import_job_start",
    "import_job_waiting_for_queue_text",
    "import_jobs_delete",
    "import_jobs_recover",
    "import_row_rerun",
    "import_row_rerun_refusal",
    "import_rows",
    "import_task_time_budget",
]
