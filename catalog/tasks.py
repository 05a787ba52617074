"""django-q2 tasks of the catalog: thin wrappers that load by id and call one service."""

from catalog import services
from catalog.models import ImportJob
from catalog.upload_holds import upload_holds_purge


def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:  # a long job hands itself to a new task before Q_TIMEOUT
        services.import_job_run(job=job, time_budget=services.import_task_time_budget())


def purge_import_files() -> int:
    """The daily schedule: uploaded exports past IMPORT_RETENTION_DAYS are deleted, and so are
    uploads left waiting for their column map."""
    upload_holds_purge()
    return services.import_files_purge()
