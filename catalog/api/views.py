"""The catalog's JSON API: upload an export and follow its job and rows; list works with their
editions and covers. Thin: each view checks its input and calls what the admin calls."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import admin
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.db.models.fields.json import KT
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookstore.api import (
    BAD_INPUT,
    FORBIDDEN,
    NOT_AUTHENTICATED,
    StorageUnavailable,
    TakesNoQueryParameters,
    allowed_by,
    error_response,
    has_permissions,
    location_header,
    read_query,
)
from bookstore.api_pagination import ByLineNumber, NewestFirst
from bookstore.api_parsers import MultiPartParser, RefuseIncompleteMultipart
from bookstore.api_preconditions import EtagOfAnswer, HasNoEtag
from catalog import permissions, selectors, services
from catalog.api.serializers import (
    ImportJobSerializer,
    ImportRowSerializer,
    ImportRowsQuerySerializer,
    ImportUploadSerializer,
    WorkSerializer,
    WorksQuerySerializer,
)
from catalog.forms import ImportUploadTooLarge, StopAtImportUploadLimit
from catalog.importers import GENERIC, ImportFileError, UnknownFormatError
from catalog.importers.generic import format_column_map
from catalog.models import Edition, ImportJob, ImportRow, Work, WorkAuthor
from catalog.services.import_stops import (
    STORAGE_RETRY_AFTER_SECONDS,
    ImportStorageFailed,
    import_source_file_status,
)

NOT_FOUND = error_response(_("No import job with this id."))
STORAGE_FAILED = error_response(
    _(
        "The storage refused or did not answer (its error is in the server's log): nothing was "
        "stored and no job recorded; send the file again after Retry-After seconds."
    )
)


# The admin's rule: importers and holders of "view import job" see every job and its rows (the
# catalog is shared).
CAN_VIEW_IMPORTS = allowed_by(permissions.user_can_view_imports)


# --- Imports ------------------------------------------------------------------------------------


class ImportCreate(HasNoEtag, TakesNoQueryParameters, APIView):
    permission_classes = [IsAuthenticated, has_permissions(permissions.IMPORT_PERMISSION)]
    parser_classes = [MultiPartParser]  # a file travels as multipart/form-data

    def initial(self, request: Request, *args, **kwargs) -> None:
        # Before authentication: a session's CSRF check reads the form, the file with it.
        django_request = request._request
        django_request.upload_handlers = [
            RefuseIncompleteMultipart(django_request),
            StopAtImportUploadLimit(django_request),
            *django_request.upload_handlers,
        ]
        with _file_over_the_limit_is_bad_input():
            super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_create",
        summary=_("Upload an export"),
        description=_(
            "Validated and started as the admin's upload is: the same size limit "
            "(IMPORT_MAX_UPLOAD_BYTES) and file checks, the private import storage; a file of "
            "up to IMPORT_INLINE_MAX_ROWS rows is imported before the answer, a larger one on "
            "a worker (follow `url`)."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportJobSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            503: STORAGE_FAILED,
        },
    )
    def post(self, request: Request) -> Response:
        with _file_over_the_limit_is_bad_input():
            data = request.data
        upload = ImportUploadSerializer(data=data)
        upload.is_valid(raise_exception=True)
        job = _import_job_from_upload(request, **upload.validated_data)
        services.import_job_start(job=job)  # inline for a small file, else on a worker
        job.refresh_from_db()
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers=location_header(body["url"]))


@contextmanager
def _file_over_the_limit_is_bad_input() -> Iterator[None]:
    """Reading the upload stopped at IMPORT_MAX_UPLOAD_BYTES: a 400 on `file`, as the size
    check's own."""
    try:
        yield
    except ImportUploadTooLarge as exc:
        raise exceptions.ValidationError({"file": exc.messages}) from None


def _import_job_from_upload(
    request: Request, *, file, format: str, enrich: bool, column_map=None
) -> ImportJob:
    """The job for a valid upload, or a 400 with the importer's reason (not a CSV, undecodable,
    a format that does not fit, a header nobody's, a bad column map), or a 503 when the storage
    fails to store the file."""
    try:
        return services.import_job_create(
            data=file.read(),
            filename=file.name,
            requested_format=format,
            column_map=column_map,
            uploaded_by=request.user,
            enrich=enrich,
        )
    except UnknownFormatError as exc:
        raise exceptions.ValidationError({"file": f"{exc} {_map_hint(exc.guessed_map)}"}) from exc
    except ImportFileError as exc:
        # A generic file's columns are read through its map: that is what does not fit.
        field = "map" if format == GENERIC else "file"
        raise exceptions.ValidationError({field: str(exc)}) from exc
    except ImportStorageFailed as exc:  # the storage's error is in the log
        raise StorageUnavailable(str(exc), retry_after=STORAGE_RETRY_AFTER_SECONDS) from exc


def _map_hint(guessed: dict[str, str]) -> str:
    """How to import an unrecognised file anyway, with the columns guessed from its header."""
    if "title" not in guessed:
        return gettext("Send it with format=generic and map=title=COLUMN,author=COLUMN,…")
    example = format_column_map(guessed)
    return gettext(
        "Send it with format=generic and map=%(map)s (guessed from its header; check it)."
    ) % {"map": example}


def _job_or_404(jobs: QuerySet[ImportJob], job_id: int) -> ImportJob:
    job = jobs.filter(pk=job_id).first()
    if job is None:
        raise exceptions.NotFound(gettext("No import job has the id %(id)s.") % {"id": job_id})
    return job


class ImportDetail(EtagOfAnswer, TakesNoQueryParameters, APIView):
    permission_classes = [IsAuthenticated, CAN_VIEW_IMPORTS]

    @extend_schema(
        operation_id="imports_retrieve",
        summary=_("An import job's progress and counts"),
        responses={
            200: ImportJobSerializer,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(ImportJob.objects.select_related("uploaded_by"), job_id)
        # One question to the storage, as the job's admin page asks it: a file gone from it
        # reads missing ("File not found") here too.
        found = import_source_file_status(job)
        context = {"request": request, "file_status_found": found}
        return Response(ImportJobSerializer(job, context=context).data)


class ImportRowList(EtagOfAnswer, generics.ListAPIView):
    permission_classes = [IsAuthenticated, CAN_VIEW_IMPORTS]
    serializer_class = ImportRowSerializer
    pagination_class = ByLineNumber

    @extend_schema(
        operation_id="imports_rows_list",
        summary=_("An import job's rows, in file order"),
        parameters=[ImportRowsQuerySerializer],
        responses={
            200: ImportRowSerializer(many=True),
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ImportRow]:
        query = read_query(self.request, ImportRowsQuerySerializer, paginator=self.paginator)
        job = _job_or_404(ImportJob.objects.only("pk"), self.kwargs["job_id"])
        rows = job.rows.defer("raw", "normalized").annotate(read_title=KT("normalized__title"))
        if "status" in query:
            rows = rows.filter(status=query["status"])
        return rows


# --- Works --------------------------------------------------------------------------------------


class WorkList(EtagOfAnswer, generics.ListAPIView):
    permission_classes = [IsAuthenticated, has_permissions("catalog.view_work")]
    serializer_class = WorkSerializer
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="works_list",
        summary=_("Works with their editions and covers, newest first"),
        parameters=[WorksQuerySerializer],
        responses={
            200: WorkSerializer(many=True),
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Work]:
        query = read_query(self.request, WorksQuerySerializer, paginator=self.paginator)
        return _works_listed(self.request, **query)


def _works_listed(request: Request, *, isbn: str = "", q: str = "", missing: str = "") -> QuerySet:
    """The works a list shows for these filters, each once, with what its rows need (the
    displayed cover's names, editions, credits) in a constant number of queries."""
    works = Work.objects.all()
    if isbn:
        condition = selectors.isbn_filter(isbn)  # any spelling; validated as an ISBN already
        works = works.filter(pk__in=Edition.objects.filter(condition).values("work_id"))
    if missing == "cover":
        works = works.filter(~selectors.works_with_cover_q())
    elif missing == "metadata":
        works = works.filter(selectors.works_missing_metadata_q())
    if q:
        works = _admin_search(request, works, q)
    credits = WorkAuthor.objects.select_related("author").order_by("position")
    editions = Edition.objects.order_by("id")
    works = works.defer("description", "discovery")  # long texts the answer does not carry
    return selectors.works_with_display_cover(works).prefetch_related(
        Prefetch("credits", credits), Prefetch("editions", editions)
    )


def _admin_search(request: Request, works: QuerySet[Work], term: str) -> QuerySet[Work]:
    """The works list's own search (title, subtitle, series, author, any ISBN), each work once
    as the admin's list makes it when a search may repeat a work."""
    model_admin = admin.site.get_model_admin(Work)
    found, may_have_duplicates = model_admin.get_search_results(request, works, term)
    if may_have_duplicates:
        found = Work.objects.filter(Exists(found.filter(pk=OuterRef("pk"))))
    return found
