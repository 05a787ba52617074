"""Why an import job stopped, as its page, the API and `import_books --json` say it (the job's
`error`): in words, with what the librarian can do. The exception's own text (a file path, a
storage's error, a database's message) goes to the log only."""

import logging

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from bookstore.outages import is_outage
from catalog.models import ImportJob

logger = logging.getLogger(__name__)


class ImportStopped(Exception):
    """An import cannot go on, for a reason said in the librarian's words: the message is the
    job's error as it stands, followed, for a stop half way (`halfway`), by how to go on
    (import_going_on_advice)."""

    halfway = False


class ImportFileGone(ImportStopped):
    """The job's uploaded file is no longer in storage: purged after the retention period,
    deleted by hand, or an object gone from its bucket."""

    def __init__(self) -> None:
        super().__init__(import_file_gone_reason())


class ImportStorageFailed(Exception):
    """The import storage refused or did not answer (S3 refusing or silent past its timeouts, a
    full or read-only disk): whatever the storage raised is the __cause__, for the server's log;
    the message says it in the librarian's words. Nothing was stored, or nothing was read: the
    same request may succeed later (the API answers 503 with Retry-After
    STORAGE_RETRY_AFTER_SECONDS, the admin's pages say to try again)."""

    def __init__(self, *, storing: bool) -> None:
        if storing:
            message = _(
                "The storage failed to store the uploaded file (the server's log has its error): "
                "nothing was imported. Upload it again later."
            )
        else:
            message = _(
                "The storage failed to open the uploaded file (the server's log has its error). "
                "Try again later."
            )
        super().__init__(message)


#: Seconds a client is asked to wait (Retry-After) before it asks a failing storage again: a few
#: times the S3 timeouts' worst case (about 11 s).
STORAGE_RETRY_AFTER_SECONDS = 60


def import_file_gone_reason() -> str:
    return _(
        "The uploaded file is no longer stored (deleted after IMPORT_RETENTION_DAYS days, or "
        "removed from storage): upload it again to import it."
    )


def import_going_on_advice(*, retrying: bool) -> str:
    """How a librarian finishes a job that stopped half way, the one sentence every such stop
    ends with: a retry of failed rows goes on from the rows it had not reached, which are still
    listed (the file may be gone since); an import, by importing its file again."""
    if retrying:
        return _(
            "The rows imported so far are kept, and the failed rows it had not reached are "
            "still listed: “Retry failed rows” goes on with them."
        )
    return _(
        "The rows imported so far are kept: importing the file again finishes it (nothing is "
        "created twice)."
    )


def import_stop_reason(exc: BaseException, *, retrying: bool = False) -> str:
    """The job's error for what stopped it: an ImportStopped says its own words, a storage that
    failed says so; anything else is an unexpected error, whose text only the log keeps."""
    if isinstance(exc, ImportStopped):
        if not exc.halfway:
            return str(exc)
        return f"{exc} {import_going_on_advice(retrying=retrying)}"
    if isinstance(exc, ImportStorageFailed):  # the storage's own error is in the log
        return f"{exc} {import_going_on_advice(retrying=retrying)}"
    if is_outage(exc):  # a run in a request or import_books; a worker's waits (job_recovery)
        return "{} {}".format(
            _(
                "The import stopped: the database did not answer (restarted, or its connection "
                "was cut; the server's log has its details)."
            ),
            import_going_on_advice(retrying=retrying),
        )
    return "{} {}".format(
        _("The import stopped on an unexpected error (the server's log has its details)."),
        import_going_on_advice(retrying=retrying),
    )


def import_source_open(job: ImportJob):
    """The job's uploaded file, open for reading (raises ImportFileGone when it is no longer
    stored: the one rule of "gone", on the filesystem and on S3, whose storage raises
    FileNotFoundError for a missing object; ImportStorageFailed when the storage fails to say)."""
    if not _recorded_as_stored(job):
        raise ImportFileGone
    try:
        return job.source_file.open("rb")
    except FileNotFoundError as exc:
        raise ImportFileGone from exc
    except Exception as exc:  # whatever the storage raises (botocore, OSError)
        raise ImportStorageFailed(storing=False) from exc


def import_source_store(job: ImportJob, data: bytes) -> None:
    """Store an upload's bytes as the job's file, privately under a random name (the user's file
    name is only kept as text); raises ImportStorageFailed, the storage's error logged, when the
    storage refuses or does not answer: the job is then not saved, and nothing points at no
    file."""
    try:
        job.source_file.save("upload", ContentFile(data), save=False)
    except Exception as exc:  # whatever the storage raises (botocore, OSError)
        logger.error("The storage failed to store an uploaded file: %s", exc, exc_info=True)
        raise ImportStorageFailed(storing=True) from exc


def import_source_file_status(job: ImportJob) -> ImportJob.FileStatus | None:
    """The job's file status as its storage finds it now: a file recorded as stored that
    storage does not hold (deleted by hand, a volume not mounted, an object gone from its
    bucket) is MISSING; None when the storage could not be asked (S3 refusing, any error of
    the storage's), which is not a finding either way.

    One question to the storage (a HEAD request on S3): for one job's page, never per row of a
    list. Nothing is recorded: a volume mounted again brings the file back, and the next look
    says so."""
    if job.file_status != ImportJob.FileStatus.STORED:
        return ImportJob.FileStatus(job.file_status)
    if not _recorded_as_stored(job):
        return ImportJob.FileStatus.MISSING
    try:
        found = job.source_file.storage.exists(job.source_file.name)
    except Exception:  # whatever the storage raises (botocore, OSError), the page still shows
        logger.warning(
            "Import job %s: the storage could not say whether its uploaded file %s is there",
            job.pk,
            job.source_file.name,
            exc_info=True,
        )
        return None
    return ImportJob.FileStatus.STORED if found else ImportJob.FileStatus.MISSING


def _recorded_as_stored(job: ImportJob) -> bool:
    return job.file_status == ImportJob.FileStatus.STORED and bool(job.source_file)
