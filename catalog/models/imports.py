"""Imports: an uploaded export (ImportJob) and each of its rows (ImportRow)."""

from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models.bases import TimeStampedModel, TimeStampedPart
from catalog.models.books import Edition, Work
from catalog.storage import import_file_name, import_storage


class ImportJob(TimeStampedModel):
    """One uploaded export and what became of it. Its state is explicit, never inferred."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class FileStatus(models.TextChoices):
        STORED = "stored", _("Stored")
        DELETED = "deleted", _("Deleted after the retention period")
        MISSING = "missing", _("File not found")

    class Format(models.TextChoices):
        AUTO = "auto", _("Detect from the header")
        GOODREADS = "goodreads", "Goodreads"
        STORYGRAPH = "storygraph", "StoryGraph"
        LIBRARYTHING = "librarything", "LibraryThing"
        LIBIB = "libib", "Libib"
        CALIBRE = "calibre", "calibre"
        OPENLIBRARY = "openlibrary", _("Open Library reading log")
        BOOKWYRM = "bookwyrm", "BookWyrm"
        OPENREADS = "openreads", "Openreads"
        GENERIC = "generic", _("Any CSV (columns mapped by hand)")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_format = models.CharField(max_length=16, choices=Format.choices, default="auto")
    source = models.CharField(max_length=16, choices=Format.choices, blank=True)
    # Private storage, random name (catalog/storage.py); emptied when the file is deleted.
    source_file = models.FileField(
        storage=import_storage, upload_to=import_file_name, max_length=255, blank=True
    )
    original_filename = models.CharField(max_length=255)
    file_status = models.CharField(
        max_length=16, choices=FileStatus.choices, default=FileStatus.STORED
    )
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=16, blank=True)
    header = models.JSONField(default=list, blank=True)
    # The generic format's column mapping: catalog field -> column name ({"title": "Book", ...}).
    column_map = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrich = models.BooleanField(default=True, help_text=_("Queue enrichment for imported books."))
    cancel_requested = models.BooleanField(default=False)
    cancel_requested_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who last retried the failed rows."),
    )
    retried_at = models.DateTimeField(null=True, blank=True)
    # Set from a retry's start to its end: every run of the job (at once, on a worker, handed
    # over, resumed after its worker died) retries the failed rows from their kept cells, from
    # the line after `retried_through_line`, instead of reading the file, which may be gone.
    retry_failed_rows = models.BooleanField(
        default=False, help_text=_("Retrying its failed rows, or waiting for a worker to.")
    )
    # Committed with each batch of the retry: the failed rows up to it were imported again
    # (those still failing are failed again); those after it are still as before the retry.
    retried_through_line = models.PositiveIntegerField(
        default=0, help_text=_("The last line the retry in progress has imported again.")
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # While its failed rows are retried: without those not retried yet (the retry's progress).
    rows_processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    enqueued_count = models.PositiveIntegerField(_("queued for enrichment"), default=0)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Crash recovery (services.jobs.import_jobs_recover): nothing is kept only in the broker.
    queued_at = models.DateTimeField(null=True, blank=True, help_text=_("Last handed to a worker."))
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When its worker last committed a batch.")
    )
    run_token = models.CharField(max_length=32, blank=True, help_text=_("The running worker's."))
    resumes = models.PositiveSmallIntegerField(
        default=0, help_text=_("Times in a row it was resumed without a batch committed.")
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="importjob_status_idx")]
        permissions = [
            ("import_books", _("Can import CSV exports")),
            ("manage_others_imports", _("Can cancel or retry other users' imports")),
        ]

    FINISHED_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    def __str__(self):
        return f"Import #{self.pk}: {self.original_filename}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def status_label(self) -> str:
        """The status as a librarian reads it. A pending job with rows already recorded is not
        new: its worker handed it on (a long import) or stopped, and the next one goes on from
        there. A running job without a batch for a while says since when, and when the sweep
        resumes it if its worker died. A job that read every row and imported none is not a
        plain "Completed"."""
        if self.status == self.Status.PENDING and self.rows_processed:
            return gettext("Waiting to continue")
        if self.status == self.Status.RUNNING:
            # Imported here: the services build on the models.
            from catalog.services.job_recovery import import_job_stalled_label

            if stalled := import_job_stalled_label(self):
                return stalled
        if self.every_row_failed:
            return gettext("Completed: every row failed")
        return self.get_status_display()

    @property
    def every_row_failed(self) -> bool:
        return self.status == self.Status.COMPLETED and 0 < self.rows_total == self.failed_count

    @property
    def counts_enrichment(self) -> bool:
        """Whether "queued for enrichment N" means something for this job: it was to enrich its
        books, or queued some before enrichment was switched off. A job not asked to (or whose
        server had enrichment off) queues none, and says so rather than counting 0."""
        return self.enrich or self.enqueued_count > 0

    @property
    def can_retry_failed(self) -> bool:
        # Retries re-read the rows' kept cells, which go with the file after the retention period.
        return (
            self.is_finished
            and self.failed_count > 0
            and self.file_status != self.FileStatus.DELETED
        )

    @property
    def progress_percent(self) -> int:
        if self.is_finished and self.status == self.Status.COMPLETED:
            return 100
        return int(100 * self.rows_processed / self.rows_total) if self.rows_total else 0

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()


#: The key of a failed row's `normalized` that says what the row is, when it is not a book.
NOT_A_BOOK_KEY = "not_a_book"


class ImportRow(TimeStampedPart):
    """One data row of an import: the raw cells and what they were read as, kept for retries."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        DUPLICATE = "duplicate", _("Duplicate")
        FAILED = "failed", _("Failed")

    class MatchedBy(models.TextChoices):
        """Which key tied an updated or duplicate row to a book already in the catalog."""

        ISBN = "isbn", _("ISBN")
        GOODREADS_ID = "goodreads_id", _("Goodreads id")
        LIBRARYTHING_ID = "librarything_id", _("LibraryThing id")
        ASIN = "asin", _("ASIN")
        OPENLIBRARY_ID = "openlibrary_id", _("Open Library id")
        TITLE_AUTHOR = "title_author", _("Title and author")
        EARLIER_ROW = "earlier_row", _("An earlier row of the same file")

    # Found by job through the unique (job, line_number) index: no index of its own.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    line_number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    raw = models.JSONField(default=list, help_text=_("The row's cells, as in the file."))
    normalized = models.JSONField(default=dict, blank=True)
    messages = models.JSONField(default=list, blank=True)
    # Kept by the database from `messages`: the job page counts, and the rows list filters, the
    # rows with warnings through an index instead of comparing a million rows' JSON.
    has_warnings = models.GeneratedField(
        expression=ExpressionWrapper(~Q(messages=[]), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    error = models.TextField(blank=True)
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_rows"
    )
    edition = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_rows"
    )
    matched_by = models.CharField(max_length=16, choices=MatchedBy.choices, blank=True)
    corrected_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_columns = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The columns a librarian corrected before re-running."),
    )

    class Meta:
        ordering = ["job", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line_number"], name="importrow_unique_line")
        ]
        indexes = [
            models.Index(fields=["job", "status"], name="importrow_job_status_idx"),
            # Partial: a query's "has_warnings" term matches its condition on both databases
            # (a boolean in an index's columns is no equality SQLite's planner can seek on).
            models.Index(
                fields=["job", "line_number"],
                condition=Q(has_warnings=True),
                name="importrow_job_warnings_idx",
            ),
            # The job page's "not books" counts (services.import_job_not_books): the few rows
            # that say so, where the failed rows' JSON was read (107 ms for a million-row job
            # with 50,000 failed rows on PostgreSQL, bench/admin.py).
            models.Index(
                fields=["job"],
                condition=Q(status="failed", normalized__has_key=NOT_A_BOOK_KEY),
                name="importrow_job_not_book_idx",
            ),
        ]

    def __str__(self):
        return f"Line {self.line_number}: {self.get_status_display()}"
