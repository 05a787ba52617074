"""What the catalog's API reads and answers: an upload, an import job and its rows, works with
their editions. Field names are a contract: snake_case, and never renamed."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookstore.api import AnswerModelSerializer, QueryParametersSerializer, StrictInputSerializer
from bookstore.api_links import ImageUrlField, LinkField
from catalog import isbn
from catalog.forms import validate_import_upload_size
from catalog.importers import ImportFileError
from catalog.importers.generic import format_with_column_map
from catalog.models import Edition, ImportJob, ImportRow, Work, WorkAuthor
from catalog.models.books import ISBN10_SHAPE, ISBN13_SHAPE

# --- Imports ------------------------------------------------------------------------------------


class ImportUploadSerializer(StrictInputSerializer):
    """POST imports/ (multipart): the export and how to read it, as the admin's upload form."""

    file = serializers.FileField(
        validators=[validate_import_upload_size],
        help_text=_("The export as the service wrote it, or any CSV (with `map`)."),
    )
    format = serializers.ChoiceField(
        choices=ImportJob.Format.choices,
        default=ImportJob.Format.AUTO,
        help_text=_("Detected from the header unless given; a given format must fit the file."),
    )
    enrich = serializers.BooleanField(
        default=True,
        help_text=_(
            "Queue enrichment for the imported books. While automatic enrichment is off on the "
            "server (ENRICHMENT_AUTO_ENABLED), the job answers enrich false and its warnings "
            "say why."
        ),
    )
    map = serializers.CharField(
        required=False,
        max_length=2000,
        help_text=_(
            "For any CSV (format generic): which column holds each field, e.g. "
            "title=Book,author=Writer,isbn=Code."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        """`map` reads the file as any CSV (as `import_books --map` does): it goes with the
        format generic or auto, and is parsed into the column map the importer checks."""
        text = attrs.pop("map", None)
        try:
            attrs["format"], column_map = format_with_column_map(attrs["format"], text)
        except ImportFileError as exc:
            raise serializers.ValidationError({"map": str(exc)}) from exc
        if column_map is not None:
            attrs["column_map"] = column_map
        return attrs


class ImportJobSerializer(AnswerModelSerializer):
    """An import job: where it stands and what it did (the counts `import_books --json` prints)."""

    url = LinkField(view_name="api:import-detail", lookup_url_kwarg="job_id")
    rows_url = LinkField(view_name="api:import-rows", lookup_url_kwarg="job_id")
    format = serializers.ChoiceField(
        source="source",
        choices=ImportJob.Format.choices,
        read_only=True,
        help_text=_("The format the file was read as."),
    )
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True
    )
    rows = serializers.IntegerField(source="rows_total", read_only=True)
    processed = serializers.IntegerField(source="rows_processed", read_only=True)
    progress = serializers.IntegerField(
        source="progress_percent", read_only=True, help_text=_("Percent of the rows processed.")
    )
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    created = serializers.IntegerField(source="created_count", read_only=True)
    updated = serializers.IntegerField(source="updated_count", read_only=True)
    duplicates = serializers.IntegerField(source="duplicate_count", read_only=True)
    failed = serializers.IntegerField(source="failed_count", read_only=True)
    enqueued = serializers.IntegerField(
        source="enqueued_count", read_only=True, help_text=_("Works queued for enrichment.")
    )
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    status_label = serializers.CharField(
        read_only=True,
        help_text=_(
            "The status as the job page says it: 'Waiting to continue' for a pending job with "
            "rows already imported (handed from one task to the next, or to be resumed)."
        ),
    )
    file_status = serializers.SerializerMethodField(
        help_text=_(
            "The uploaded file: stored, missing ('File not found') or deleted. GET imports/{id} "
            "asks the storage, as the job page does: a file recorded as stored that the "
            "storage no longer holds is missing. The upload's answer gives the recorded status."
        )
    )
    file_status_checked = serializers.SerializerMethodField(
        help_text=_(
            "Whether file_status is what the storage said just now (GET imports/{id}); false "
            "for the upload's answer, and when the storage could not be asked (the job page's "
            "'Could not be checked'), where file_status is the recorded status."
        )
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "rows_url",
            "status",
            "status_label",
            "finished",
            "format",
            "requested_format",
            "original_filename",
            "file_size",
            "encoding",
            "file_status",
            "file_status_checked",
            "enrich",
            "uploaded_by",
            "rows",
            "processed",
            "progress",
            "created",
            "updated",
            "duplicates",
            "failed",
            "enqueued",
            "warnings",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    # The single-job view passes what the storage found (import_source_file_status, the job
    # page's one rule) as `file_status_found`; without it, or when the storage could not be
    # asked (None), the recorded status stands.
    @extend_schema_field(serializers.ChoiceField(choices=ImportJob.FileStatus.choices))
    def get_file_status(self, job: ImportJob) -> str:
        found = self.context.get("file_status_found")
        return str(job.file_status if found is None else found)

    def get_file_status_checked(self, job: ImportJob) -> bool:
        return self.context.get("file_status_found") is not None


class ImportRowsQuerySerializer(QueryParametersSerializer):
    status = serializers.ChoiceField(
        choices=ImportRow.Status.choices, required=False, help_text=_("Only rows with this status.")
    )


class ImportRowSerializer(AnswerModelSerializer):
    """One row of a job: its line in the file, what became of it and why."""

    line = serializers.IntegerField(source="line_number", read_only=True)
    title = serializers.CharField(
        source="read_title",
        read_only=True,
        allow_null=True,
        help_text=_("The title the row was read as (null once its cells were purged)."),
    )
    reason = serializers.CharField(
        source="error", read_only=True, help_text=_("Why a failed row failed.")
    )
    warnings = serializers.ListField(
        source="messages",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("What reading the row noticed (a damaged ISBN, a dropped value…)."),
    )
    work_id = serializers.IntegerField(read_only=True, allow_null=True)
    edition_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ImportRow
        fields = [
            "id",
            "line",
            "status",
            "title",
            "reason",
            "warnings",
            "matched_by",
            "work_id",
            "edition_id",
        ]
        read_only_fields = fields


# --- Works --------------------------------------------------------------------------------------

MISSING_CHOICES = [("cover", _("a cover")), ("metadata", _("key metadata"))]


class WorksQuerySerializer(QueryParametersSerializer):
    isbn = serializers.CharField(
        required=False,
        max_length=40,
        help_text=_("Any spelling of an ISBN: hyphens, spaces, ISBN-10 or ISBN-13."),
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("Title, author, series, or an ISBN: the admin's works search."),
    )
    missing = serializers.ChoiceField(
        choices=MISSING_CHOICES,
        required=False,
        help_text=_("Only the works that lack a cover, or key metadata (what enrichment fills)."),
    )

    def validate_isbn(self, value: str) -> str:
        if isbn.parse_isbn(value) is None:
            raise serializers.ValidationError(
                gettext("%(value)r is not an ISBN-10 or ISBN-13.") % {"value": value}
            )
        return value


class CreditSerializer(AnswerModelSerializer):
    id = serializers.IntegerField(source="author_id", read_only=True)
    name = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = WorkAuthor
        fields = ["id", "name", "role"]
        read_only_fields = fields


class EditionSerializer(AnswerModelSerializer):
    # The stored shapes, as patterns in the schema: a client may check or index them as such.
    isbn13 = serializers.RegexField(ISBN13_SHAPE, read_only=True, allow_null=True, label="ISBN-13")
    isbn10 = serializers.SerializerMethodField()
    publication_date = serializers.CharField(
        source="publication_date_display",
        read_only=True,
        help_text=_("As precise as it is known: YYYY, YYYY-MM or YYYY-MM-DD ('' unknown)."),
    )
    cover_url = ImageUrlField(source="cover")
    thumbnail_url = ImageUrlField(source="cover_thumbnail")

    class Meta:
        model = Edition
        fields = [
            "id",
            "isbn13",
            "isbn10",
            "asin",
            "title",
            "subtitle",
            "publisher",
            "publication_date",
            "format",
            "language",
            "page_count",
            "cover_url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True, "pattern": ISBN10_SHAPE})
    def get_isbn10(self, edition: Edition) -> str | None:
        return edition.isbn10 or None  # as isbn13: null when there is none


class WorkSerializer(AnswerModelSerializer):
    """A work with its authors, its editions and the cover it shows: its own, else its first
    edition's that has one."""

    authors = CreditSerializer(source="credits", many=True, read_only=True)
    editions = EditionSerializer(many=True, read_only=True)
    cover_url = ImageUrlField(
        source="display_cover", help_text=_("Its own cover, else its first covered edition's.")
    )
    thumbnail_url = ImageUrlField(source="display_thumbnail")
    completeness = serializers.IntegerField(
        read_only=True, help_text=_("0–100: the weighted share of key fields that hold a value.")
    )

    class Meta:
        model = Work
        fields = [
            "id",
            "title",
            "subtitle",
            "title_is_placeholder",
            "series",
            "series_number",
            "first_published_year",
            "openlibrary_work_key",
            "authors",
            "editions",
            "cover_url",
            "thumbnail_url",
            "completeness",
            "enrichment_status",
            "enrichment_confidence",
            "last_enriched_at",
            "synthetic",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
