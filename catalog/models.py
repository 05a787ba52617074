"""The catalog: works, their editions, and the people who made them.

A Work is the abstract book ("Neverwhere"); an Edition is one published form of it with its own
ISBN, publisher and cover. A Work shows its own cover or, failing that, one of its editions'.
"""

from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import text
from catalog.storage import import_file_name, import_storage


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TimeStampedPart(TimeStampedModel):
    """A part of another record (a credit, a series entry, an import's row): written by the
    hundred thousand in an import and never listed by date, so its creation time has no index
    (each index costs every insert on both databases)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class CoverFields(models.Model):
    """A verified cover image: only bytes that were fetched and checked count as a cover."""

    cover = models.ImageField(upload_to="covers/", blank=True, max_length=255)
    cover_thumbnail = models.ImageField(
        upload_to="covers/", blank=True, max_length=255, help_text=_("Small WebP for lists.")
    )
    cover_source = models.CharField(
        max_length=32, blank=True, help_text=_("The provider the image came from.")
    )
    cover_source_url = models.URLField(max_length=1000, blank=True)
    cover_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    cover_width = models.PositiveIntegerField(null=True, blank=True)
    cover_height = models.PositiveIntegerField(null=True, blank=True)
    cover_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def has_cover(self) -> bool:
        return bool(self.cover)


class EnrichmentStatus(models.TextChoices):
    """Where a work or an author stands in enrichment (written by enrichment's state refresh)."""

    NOT_ENRICHED = "", _("Not enriched yet")
    QUEUED = "queued", _("Queued")
    # Not one provider could be asked (unreachable, breaker open, quota spent): its request
    # waits and is retried on its own. Not "unresolved": nobody said they do not know it.
    WAITING = "waiting", _("Waiting: providers unavailable")
    ENRICHED = "enriched", _("Enriched")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    UNRESOLVED = "unresolved", _("No provider knows it")
    DISMISSED = "dismissed", _("Dismissed by a reviewer")
    FAILED = "failed", _("Failed")


class Author(TimeStampedModel):
    name = models.CharField(max_length=255)
    sort_name = models.CharField(max_length=255, blank=True, help_text=_("e.g. 'Gaiman, Neil'"))
    name_normalized = models.CharField(max_length=255, db_index=True, editable=False)
    birth_year = models.SmallIntegerField(null=True, blank=True)
    death_year = models.SmallIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    # Unique identifiers are NULL when unknown (not ""), so a plain unique index serves lookups.
    openlibrary_key = models.CharField(
        _("Open Library author key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL23919A"),
    )
    wikidata_id = models.CharField(_("Wikidata id"), max_length=32, blank=True)
    goodreads_author_id = models.CharField(_("Goodreads author id"), max_length=32, blank=True)
    viaf_id = models.CharField(_("VIAF id"), max_length=32, blank=True)
    isni = models.CharField(_("ISNI"), max_length=32, blank=True)
    # What enrichment fills (only when empty, unless a reviewer chooses otherwise).
    birth_date = models.CharField(
        max_length=64, blank=True, help_text=_("As the source states it, e.g. 13 September 1916.")
    )
    death_date = models.CharField(max_length=64, blank=True)
    gender = models.CharField(max_length=32, blank=True, help_text=_("The source's word."))
    nationality = models.CharField(
        max_length=255, blank=True, help_text=_("Citizenship, countries separated by commas.")
    )
    short_description = models.CharField(
        max_length=500, blank=True, help_text=_("One line, e.g. English novelist (1903–1950).")
    )
    bio_source = models.URLField(
        max_length=1000, blank=True, help_text=_("The page the bio was taken from.")
    )
    # A portrait, verified and stored like a cover (content-hash names, thumbnails).
    photo = models.ImageField(upload_to="authors/", blank=True, max_length=255)
    photo_thumbnail = models.ImageField(upload_to="authors/", blank=True, max_length=255)
    photo_source = models.CharField(max_length=32, blank=True)
    photo_source_url = models.URLField(max_length=1000, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    photo_width = models.PositiveIntegerField(null=True, blank=True)
    photo_height = models.PositiveIntegerField(null=True, blank=True)
    photo_verified_at = models.DateTimeField(null=True, blank=True)
    photo_licence = models.CharField(
        max_length=128, blank=True, help_text=_("e.g. CC BY-SA 4.0, as its source states it.")
    )
    photo_licence_url = models.URLField(max_length=1000, blank=True)
    photo_artist = models.CharField(
        max_length=255, blank=True, help_text=_("The attribution the licence asks for.")
    )
    # A duplicate merged into another author stays as a redirect (a merge can be reverted).
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text=_("Set when this author was merged into another: this one is a redirect."),
    )
    enrichment_status = models.CharField(
        max_length=16, choices=EnrichmentStatus.choices, blank=True, default=""
    )
    enrichment_confidence = models.CharField(max_length=8, blank=True)
    last_enriched_at = models.DateTimeField(null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text=_("Percent of the author's fields that hold a value.")
    )

    class Meta:
        ordering = ["sort_name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(death_year__isnull=True)
                | Q(death_year__gte=models.F("birth_year")),
                name="author_death_after_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["wikidata_id"], name="author_wikidata_idx"),
            models.Index(fields=["completeness"], name="author_completeness_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A denormalized lookup key, not business logic: it must never drift from the name.
        self.name_normalized = text.normalize_person_name(self.name)
        super().save(*args, **kwargs)


class Work(TimeStampedModel, CoverFields):
    EnrichmentStatus = EnrichmentStatus

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    title_normalized = models.CharField(max_length=500, db_index=True, editable=False)
    # The export named no title (an Open Library reading log gives keys only): `title` holds the
    # key until enrichment or a librarian gives the real one, which may then replace it.
    title_is_placeholder = models.BooleanField(default=False)
    series = models.CharField(max_length=255, blank=True)
    series_number = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)
    first_published_year = models.SmallIntegerField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    # Annotated: the stubs' plugin cannot type a `through` model named before it is defined.
    authors: "models.ManyToManyField[Author, WorkAuthor]" = models.ManyToManyField(
        Author, through="WorkAuthor", related_name="works"
    )
    openlibrary_work_key = models.CharField(
        _("Open Library work key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL27258W"),
    )
    # Written by enrichment: where this work stands, so lists can filter on it.
    enrichment_status = models.CharField(
        max_length=16, choices=EnrichmentStatus.choices, blank=True, default=""
    )
    enrichment_confidence = models.CharField(max_length=8, blank=True)
    last_enriched_at = models.DateTimeField(null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text=_("0–100: the weighted share of key fields that hold a value.")
    )
    # Found by the catalog backfill, but no provider resolved it to an ISBN yet: the discovery's
    # data is kept in `discovery` and the work is never shown as resolved. A daily task retries
    # it and upgrades it in place when a provider resolves it.
    synthetic = models.BooleanField(
        default=False, help_text=_("Discovered by a backfill; no provider has resolved it yet.")
    )
    # How a backfill found the work: the source(s), the month, and what the source said about it
    # (authors, year, description, genres), as the source said it. Empty for imported works.
    discovery = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["title_normalized", "id"]
        indexes = [
            models.Index(fields=["enrichment_status"], name="work_enrichment_status_idx"),
            models.Index(fields=["id"], condition=Q(synthetic=True), name="work_synthetic_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title_normalized = text.normalize_title(self.title)
        super().save(*args, **kwargs)

    @property
    def display_cover(self):
        """The work's own cover, else its first edition's that has one (edition -> work
        inheritance). Lists use `catalog.selectors.works_with_display_cover`, which annotates
        the edition's file names so that no row makes a query."""
        return self.cover or self._edition_image("edition_cover_name", "cover")

    @property
    def display_thumbnail(self):
        return (
            self.cover_thumbnail
            or self._edition_image("edition_thumbnail_name", "cover_thumbnail")
            or self.display_cover
        )

    def _edition_image(self, annotation: str, field_name: str):
        if hasattr(self, annotation):
            name = getattr(self, annotation)
        else:
            name = (
                self.editions.exclude(**{field_name: ""})
                .order_by("id")
                .values_list(field_name, flat=True)
                .first()
            )
        if not name:
            return None
        field = self._meta.get_field(field_name)
        if not isinstance(field, models.ImageField):
            raise TypeError(f"{field_name} is not an image field")
        return ImageFieldFile(self, field, name)


class WorkSeries(TimeStampedPart):
    """A series the work belongs to, with its number there. A book may be in several
    (`Raising Steam (Discworld, #40; Moist von Lipwig, #3)`); position 0 is the primary one,
    which Work.series / Work.series_number repeat for lists and search."""

    # Found by work through the unique (work, name) index: no index of its own.
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="series_entries", db_index=False
    )
    name = models.CharField(max_length=255)
    number = models.CharField(max_length=16, blank=True, help_text=_("e.g. 2, 0.5, 1-3"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        verbose_name_plural = _("work series")
        constraints = [
            models.UniqueConstraint(fields=["work", "name"], name="workseries_unique_name"),
        ]
        indexes = [models.Index(fields=["name"], name="workseries_name_idx")]

    def __str__(self):
        return f"{self.name} #{self.number}" if self.number else self.name


class WorkAuthor(TimeStampedPart):
    """An ordered credit: who did what on a work (author, translator, narrator, ...)."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        TRANSLATOR = "translator", _("Translator")
        NARRATOR = "narrator", _("Narrator")
        ILLUSTRATOR = "illustrator", _("Illustrator")
        EDITOR = "editor", _("Editor")
        CONTRIBUTOR = "contributor", _("Contributor")

    # Found by work through the unique (work, author, role) index: no index of its own.
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="credits", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "author", "role"], name="workauthor_unique_credit"
            ),
        ]

    def __str__(self):
        return f"{self.author} ({self.get_role_display()})"


class Edition(TimeStampedModel, CoverFields):
    class Format(models.TextChoices):
        HARDCOVER = "hardcover", _("Hardcover")
        PAPERBACK = "paperback", _("Paperback")
        MASS_MARKET = "mass_market", _("Mass market paperback")
        EBOOK = "ebook", _("E-book")
        AUDIOBOOK = "audiobook", _("Audiobook")
        OTHER = "other", _("Other")

    class DatePrecision(models.TextChoices):
        YEAR = "year", _("Year")
        MONTH = "month", _("Month")
        DAY = "day", _("Day")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="editions")
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, null=True, blank=True, unique=True)
    isbn10 = models.CharField(_("ISBN-10"), max_length=10, blank=True)
    asin = models.CharField(_("ASIN"), max_length=10, blank=True)
    title = models.CharField(max_length=500, blank=True)
    subtitle = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    # A date known only to the year is stored as Jan 1 with precision "year": the precision
    # says how much of the date is real.
    publication_date = models.DateField(null=True, blank=True)
    publication_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    page_count = models.PositiveIntegerField(null=True, blank=True)
    format = models.CharField(max_length=16, choices=Format.choices, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text=_("ISO 639 code, e.g. 'en'"))
    openlibrary_edition_key = models.CharField(
        _("Open Library edition key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL7353617M"),
    )
    google_books_id = models.CharField(_("Google Books id"), max_length=32, blank=True)
    goodreads_book_id = models.CharField(_("Goodreads book id"), max_length=32, blank=True)
    librarything_id = models.CharField(
        _("LibraryThing id"),
        max_length=32,
        blank=True,
        help_text=_("The book's id in the LibraryThing catalog it was exported from."),
    )

    class Meta:
        ordering = ["work", "publication_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(isbn13__isnull=True) | Q(isbn13__regex=r"^97[89][0-9]{10}$"),
                name="edition_isbn13_shape",
            ),
            models.CheckConstraint(
                condition=Q(isbn10="") | Q(isbn10__regex=r"^[0-9]{9}[0-9X]$"),
                name="edition_isbn10_shape",
            ),
            models.CheckConstraint(
                condition=Q(publication_date__isnull=True) | ~Q(publication_date_precision=""),
                name="edition_date_has_precision",
            ),
        ]
        indexes = [
            models.Index(fields=["isbn10"], name="edition_isbn10_idx"),
            models.Index(fields=["goodreads_book_id"], name="edition_goodreads_idx"),
            models.Index(fields=["google_books_id"], name="edition_google_idx"),
            models.Index(fields=["asin"], name="edition_asin_idx"),
            # An import looks up each batch's LibraryThing ids (catalog.services.index).
            models.Index(fields=["librarything_id"], name="edition_librarything_idx"),
        ]

    def __str__(self):
        label = self.title or f"Edition {self.pk}"
        return f"{label} ({self.isbn13})" if self.isbn13 else label

    @property
    def publication_date_display(self) -> str:
        if not self.publication_date:
            return ""
        formats = {"year": "%Y", "month": "%Y-%m"}
        fmt = formats.get(self.publication_date_precision, "%Y-%m-%d")
        return self.publication_date.strftime(fmt)


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
        MISSING = "missing", _("Not found when uploads moved to private storage")

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
    # Pending with this set: the run retries the failed rows from their kept cells instead of
    # reading the file (a retry of more rows than IMPORT_INLINE_MAX_ROWS, handed to a worker).
    retry_failed_rows = models.BooleanField(
        default=False, help_text=_("Waiting for a worker to retry its failed rows.")
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
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
        there."""
        if self.status == self.Status.PENDING and self.rows_processed:
            return gettext("Waiting to continue")
        return self.get_status_display()

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
        ]

    def __str__(self):
        return f"Line {self.line_number}: {self.get_status_display()}"
