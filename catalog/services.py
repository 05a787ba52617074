"""Write-side services of the catalog: CSV imports.

An import reads the whole file first (a file-level error saves nothing), then works in batches:
each batch makes a fixed handful of queries whatever its size (bulk lookups by ISBN-13,
Goodreads id and normalized title; bulk inserts and updates), commits, and reports progress.
A batch the database refuses is split until the refused rows stand alone: each of those fails
with the database's reason and the others import.
Rows match the catalog by ISBN-13, then Goodreads book id, then ASIN, then normalized title +
primary author (strict). A matched book only has its empty fields filled; importing the same
file twice creates nothing.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from catalog import bulk, text
from catalog.importers import BaseImporter, NormalizedRow, RowError, importer_for, read_csv
from catalog.importers.base import Credit
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor

logger = logging.getLogger(__name__)

IMPORT_BATCH_SIZE = 1000
# Title + author matching must be strict: a wrong book is worse than a duplicate.
AUTHOR_MATCH_MIN = 90
SUBTITLE_MATCH_MIN = 85

ProgressCallback = Callable[[ImportJob], None]


# --- Jobs ---------------------------------------------------------------------------------------


def import_job_create(
    *,
    data: bytes,
    filename: str,
    requested_format: str = "auto",
    uploaded_by=None,
    enrich: bool = True,
) -> ImportJob:
    """Validate an uploaded export and record it as a pending job (raises ImportFileError)."""
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header, requested=requested_format)
    job = ImportJob(
        requested_format=requested_format,
        source=importer.source,
        original_filename=filename[:255],
        file_size=len(data),
        encoding=csv_file.encoding,
        uploaded_by=uploaded_by,
        enrich=enrich,
        rows_total=len(csv_file.rows),
        header=csv_file.header,
        warnings=csv_file.warnings,
    )
    # Stored privately under a random name; the user's file name is only kept as text.
    job.source_file.save("upload", ContentFile(data), save=False)
    job.save()
    return job


def import_job_start(*, job: ImportJob) -> bool:
    """Run a small job now, or hand a large one to a worker once this transaction commits.

    Returns True when the job was queued for a worker.
    """
    if job.rows_total <= settings.IMPORT_INLINE_MAX_ROWS:
        import_job_run(job=job)
        return False
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("catalog.tasks.run_import_job", job.pk, task_name=f"import-{job.pk}")
    )
    return True


def import_job_run(*, job: ImportJob, progress: ProgressCallback | None = None) -> ImportJob:
    """Import every row of a pending job. Safe to call twice: only a pending job is claimed."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), error=""
    )
    job.refresh_from_db()
    if not claimed:
        return job
    try:
        with job.source_file.open("rb") as source:
            csv_file = read_csv(source.read())
        importer = importer_for(csv_file.header, requested=job.source)
        _run_rows(job, importer, csv_file.rows, progress=progress)
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        _finish(job, ImportJob.Status.FAILED, error=f"The import stopped: {exc}")
        raise
    return job


def import_job_retry_failed(
    *, job: ImportJob, progress: ProgressCallback | None = None, requested_by=None
) -> int:
    """Import the failed rows of a finished job again from their kept raw cells, recording who
    asked (None: the system).

    Returns how many of them now succeed.
    """
    if not job.can_retry_failed:
        return 0
    failed = list(job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number"))
    if not failed:
        return 0
    importer = importer_for(job.header, requested=job.source)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        cancel_requested=False,
        finished_at=None,
        retried_by=requested_by,
        retried_at=timezone.now(),
    )
    job.refresh_from_db()
    lines = [(row.line_number, row.raw) for row in failed]
    before = job.failed_count
    job.rows.filter(pk__in=[row.pk for row in failed]).delete()
    job.failed_count -= len(failed)
    job.rows_processed -= len(failed)
    _run_rows(job, importer, lines, progress=progress)
    return before - job.failed_count


def import_job_cancel(*, job: ImportJob, requested_by=None) -> None:
    """Ask a running job to stop after its current batch; a pending one stops at once. Records
    who asked (None: the system)."""
    now = timezone.now()
    requested = {"cancel_requested": True, "cancel_requested_by": requested_by}
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        **requested, cancel_requested_at=now
    )
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        **requested, cancel_requested_at=now, status=ImportJob.Status.CANCELLED, finished_at=now
    )
    job.refresh_from_db()


def import_jobs_delete(*, jobs) -> int:
    """Delete these jobs with their rows and their uploaded files (personal data: a deleted
    job must not leave its file behind where no purge looks any more)."""
    deleted = 0
    for job in list(jobs):
        name = job.source_file.name if job.source_file else ""
        job.delete()
        if name:
            # After the rows are gone, so a failed delete never leaves a job without its file.
            transaction.on_commit(
                lambda name=name: ImportJob.source_file.field.storage.delete(name)
            )
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
    expired = ImportJob.objects.filter(
        # A job whose file was already missing still holds its rows' cells.
        file_status__in=[ImportJob.FileStatus.STORED, ImportJob.FileStatus.MISSING],
        created_at__lt=now - datetime.timedelta(days=days),
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


def _run_rows(job, importer, lines, *, progress):
    for start in range(0, len(lines), IMPORT_BATCH_SIZE):
        if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            _finish(job, ImportJob.Status.CANCELLED)
            return
        batch = lines[start : start + IMPORT_BATCH_SIZE]
        statuses = _import_batch(job, importer, batch)
        counts = defaultdict(int)
        for status in statuses:
            counts[status] += 1
        job.rows_processed += len(statuses)
        job.created_count += counts[ImportRow.Status.CREATED]
        job.updated_count += counts[ImportRow.Status.UPDATED]
        job.duplicate_count += counts[ImportRow.Status.DUPLICATE]
        job.failed_count += counts[ImportRow.Status.FAILED]
        job.save(
            update_fields=[
                "rows_processed",
                "created_count",
                "updated_count",
                "duplicate_count",
                "failed_count",
                "updated_at",
            ]
        )
        if progress:
            progress(job)
    job.enqueued_count = _enqueue_enrichment(job)
    _finish(job, ImportJob.Status.COMPLETED)


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "enqueued_count", "updated_at"])


def _enqueue_enrichment(job: ImportJob) -> int:
    """Hand the works this job created or changed to enrichment, through one configured call
    (catalog does not import enrichment)."""
    hook = getattr(settings, "CATALOG_ENRICHMENT_HOOK", "")
    if not (job.enrich and hook and settings.ENRICHMENT_AUTO_ENABLED):
        return 0
    work_ids = list(
        job.rows.filter(
            status__in=[ImportRow.Status.CREATED, ImportRow.Status.UPDATED], work__isnull=False
        )
        .values_list("work_id", flat=True)
        .distinct()
    )
    return import_string(hook)(work_ids=work_ids, trigger="post_import") if work_ids else 0


# What the database answers for one bad row (a value it cannot store, a broken constraint).
ROW_REFUSALS = (DataError, IntegrityError)


def _import_batch(job, importer, batch):
    """Import a batch in one transaction. When the database refuses it, either another import
    inserted the same book between our lookup and our insert (a second look finds it) or some
    row breaks a column or a constraint: halves are retried until the refused rows stand
    alone, and each of those fails with the database's reason while the others import."""
    try:
        with transaction.atomic():
            return import_rows(job=job, importer=importer, lines=batch)
    except ROW_REFUSALS:
        logger.info("Import job %s: the database refused a batch; isolating its rows", job.pk)
    with transaction.atomic():
        return _import_isolating_refused_rows(job, importer, batch)


def _import_isolating_refused_rows(job, importer, batch):
    try:
        with transaction.atomic():
            return import_rows(job=job, importer=importer, lines=batch)
    except ROW_REFUSALS as exc:
        if len(batch) == 1:
            line, cells = batch[0]
            _record_refused_row(job, importer, line, cells, exc)
            return [ImportRow.Status.FAILED]
    middle = len(batch) // 2
    first_half = _import_isolating_refused_rows(job, importer, batch[:middle])
    return first_half + _import_isolating_refused_rows(job, importer, batch[middle:])


def _record_refused_row(job, importer, line, cells, refusal) -> None:
    logger.warning("Import job %s: the database refused line %s: %s", job.pk, line, refusal)
    # The first line of the database's message; its DETAIL can quote the whole row.
    reason = (str(refusal).strip().splitlines() or [type(refusal).__name__])[0][:500]
    error = _("The database refused this row: %(reason)s") % {"reason": reason}
    cells, warnings = importer.scrub_cells(cells)
    try:
        with transaction.atomic():
            _insert_import_rows(
                job, [_Planned(line=line, raw=cells, error=error, messages=warnings)]
            )
            return
    except ROW_REFUSALS:
        pass  # the cells themselves cannot be stored: keep the line and the reason
    note = _("This row's cells could not be kept: the database refused them too.")
    _insert_import_rows(job, [_Planned(line=line, raw=[], error=error, messages=[note])])


# --- One batch ------------------------------------------------------------------------------------


@dataclass
class _Planned:
    line: int
    raw: list[str]
    row: NormalizedRow | None = None
    error: str = ""
    status: str = ""
    work: Work | None = None
    edition: Edition | None = None
    messages: list[str] = field(default_factory=list)
    matched_by: str = ""  # ImportRow.MatchedBy: the key that found an existing book


def import_rows(
    *, job: ImportJob, importer: BaseImporter, lines: Iterable[tuple[int, list[str]]]
) -> list[str]:
    """Import one batch of rows in the current transaction; returns each row's status."""
    planned = [_normalize(importer, line, cells) for line, cells in lines]
    good = [p for p in planned if p.row]
    index = _CatalogIndex.load(good)
    new_works, new_editions, credits_for, dirty_works, dirty_editions = [], [], {}, {}, {}

    for item in good:
        row = item.row
        edition = index.edition_for(row)
        if edition is not None:
            item.work, item.edition = edition.work, edition
            changed = _fill_empty_edition(edition, row) | _fill_empty_work(edition.work, row)
            if changed:
                dirty_editions[id(edition)] = edition
                dirty_works[id(edition.work)] = edition.work
            item.status = ImportRow.Status.UPDATED if changed else ImportRow.Status.DUPLICATE
            continue
        work = index.work_for(row)
        if work is None:
            work = _new_work(row)
            new_works.append(work)
            credits_for[id(work)] = row.credits
            index.remember_work(work, row)
            item.status = ImportRow.Status.CREATED
        else:
            filled = _fill_empty_work(work, row)
            if filled and work.pk:
                dirty_works[id(work)] = work
            if not (row.isbn13 or row.goodreads_book_id or row.asin):
                # The same work, and nothing that would tell a new edition apart.
                item.work = work
                item.status = ImportRow.Status.UPDATED if filled else ImportRow.Status.DUPLICATE
                continue
            item.status = ImportRow.Status.UPDATED  # a new edition of a known work
        edition = _new_edition(work, row)
        new_editions.append(edition)
        index.remember_edition(edition)
        item.work, item.edition = work, edition

    # bulk_create picks up the primary keys of related objects created just before it.
    Work.objects.bulk_create(new_works)
    Edition.objects.bulk_create(new_editions)
    _create_credits(credits_for, new_works)
    _save_dirty(dirty_works.values(), dirty_editions.values())

    _insert_import_rows(job, planned)
    return [item.status or ImportRow.Status.FAILED for item in planned]


def _insert_import_rows(job: ImportJob, planned: list["_Planned"]) -> None:
    now = bulk.db_datetime(timezone.now())
    bulk.insert_many(
        ImportRow,
        IMPORT_ROW_FIELDS,
        (
            (
                now,
                now,
                job.pk,
                item.line,
                item.status or ImportRow.Status.FAILED,
                item.raw,
                item.row.as_json() if item.row else {},
                item.row.warnings if item.row else item.messages,
                item.error,
                item.work.pk if item.work else None,
                item.edition.pk if item.edition else None,
                item.matched_by,
            )
            for item in planned
        ),
    )


IMPORT_ROW_FIELDS = [
    "created_at",
    "updated_at",
    "job",
    "line_number",
    "status",
    "raw",
    "normalized",
    "messages",
    "error",
    "work",
    "edition",
    "matched_by",
]


def _normalize(importer: BaseImporter, line: int, cells: list[str]) -> _Planned:
    cells, warnings = importer.scrub_cells(cells)
    item = _Planned(line=line, raw=cells, messages=warnings)
    try:
        item.row = importer.read_row(cells)
    except RowError as exc:
        item.error = str(exc)
        item.status = ImportRow.Status.FAILED
    else:
        item.row.warnings[:0] = warnings
    return item


class _CatalogIndex:
    """The batch's view of the catalog: existing books found by a few bulk queries, plus the
    ones this batch creates, so that a book twice in one file is created once."""

    def __init__(self):
        self.by_isbn: dict[str, Edition] = {}
        self.by_goodreads: dict[str, Edition] = {}
        self.by_asin: dict[str, Edition] = {}
        self.by_title: dict[str, list[tuple[Work, str]]] = defaultdict(list)  # (work, author)

    @classmethod
    def load(cls, items: list[_Planned]) -> "_CatalogIndex":
        index = cls()
        rows = [item.row for item in items]
        isbns = {r.isbn13 for r in rows if r.isbn13}
        goodreads_ids = {r.goodreads_book_id for r in rows if r.goodreads_book_id}
        asins = {r.asin for r in rows if r.asin}
        titles = {text.normalize_title(r.title) for r in rows}
        editions = Edition.objects.select_related("work")
        if isbns:
            for edition in editions.filter(isbn13__in=isbns):
                index.by_isbn[edition.isbn13] = edition
        if goodreads_ids:
            for edition in editions.filter(goodreads_book_id__in=goodreads_ids):
                index.by_goodreads.setdefault(edition.goodreads_book_id, edition)
        if asins:
            for edition in editions.filter(asin__in=asins):
                index.by_asin.setdefault(edition.asin, edition)
        works = Work.objects.filter(title_normalized__in=titles).prefetch_related("credits__author")
        for work in works:
            authors = [c.author.name_normalized for c in work.credits.all() if c.role == "author"]
            index.by_title[work.title_normalized].append((work, authors[0] if authors else ""))
        return index

    def edition_for(self, row: NormalizedRow) -> Edition | None:
        if row.isbn13 and row.isbn13 in self.by_isbn:
            return self.by_isbn[row.isbn13]
        if row.goodreads_book_id and row.goodreads_book_id in self.by_goodreads:
            return self.by_goodreads[row.goodreads_book_id]
        if row.asin and row.asin in self.by_asin:
            return self.by_asin[row.asin]
        return None

    def work_for(self, row: NormalizedRow) -> Work | None:
        author = text.normalize_person_name(row.primary_author)
        if not author:
            return None  # a title alone is not enough to call two books the same
        for work, work_author in self.by_title.get(text.normalize_title(row.title), []):
            same_author = (
                bool(work_author) and fuzz.token_sort_ratio(author, work_author) >= AUTHOR_MATCH_MIN
            )
            same_volume = not (work.series_number and row.series_number) or (
                work.series_number == row.series_number
            )
            if same_author and same_volume and _subtitles_agree(work.subtitle, row.subtitle):
                return work
        return None

    def remember_work(self, work: Work, row: NormalizedRow) -> None:
        author = text.normalize_person_name(row.primary_author)
        self.by_title[text.normalize_title(row.title)].append((work, author))

    def remember_edition(self, edition: Edition) -> None:
        if edition.isbn13:
            self.by_isbn[edition.isbn13] = edition
        if edition.goodreads_book_id:
            self.by_goodreads.setdefault(edition.goodreads_book_id, edition)
        if edition.asin:
            self.by_asin.setdefault(edition.asin, edition)


def _subtitles_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    return fuzz.ratio(text.normalize_text(a), text.normalize_text(b)) >= SUBTITLE_MATCH_MIN


def _new_work(row: NormalizedRow) -> Work:
    # bulk_create skips save(), so the lookup key is set here.
    return Work(
        title=row.title,
        title_normalized=text.normalize_title(row.title)[:500],
        subtitle=row.subtitle,
        series=row.series,
        series_number=row.series_number,
        first_published_year=row.first_published_year or row.publication_year,
    )


def _edition_values(row: NormalizedRow) -> dict:
    values = {
        "isbn10": row.isbn10,
        "asin": row.asin,
        "publisher": row.publisher,
        "page_count": row.page_count,
        "format": row.format,
        "goodreads_book_id": row.goodreads_book_id,
        "subtitle": row.subtitle,
    }
    if row.publication_year:
        values["publication_date"] = _year_start(row.publication_year)
        values["publication_date_precision"] = Edition.DatePrecision.YEAR
    return values


def _year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _new_edition(work: Work, row: NormalizedRow) -> Edition:
    return Edition(work=work, isbn13=row.isbn13 or None, title=row.title, **_edition_values(row))


def _fill_empty(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if value not in ("", None) and getattr(obj, name) in ("", None):
            setattr(obj, name, value)
            changed = True
    return changed


def _fill_empty_edition(edition: Edition, row: NormalizedRow) -> bool:
    return _fill_empty(edition, _edition_values(row))


def _fill_empty_work(work: Work, row: NormalizedRow) -> bool:
    return _fill_empty(
        work,
        {
            "subtitle": row.subtitle,
            "series": row.series,
            "series_number": row.series_number,
            "first_published_year": row.first_published_year or row.publication_year,
        },
    )


EDITION_FILL_FIELDS = [
    "isbn10",
    "asin",
    "publisher",
    "page_count",
    "format",
    "goodreads_book_id",
    "subtitle",
    "publication_date",
    "publication_date_precision",
    "updated_at",
]
WORK_FILL_FIELDS = ["subtitle", "series", "series_number", "first_published_year", "updated_at"]


def _save_dirty(works: Iterable[Work], editions: Iterable[Edition]) -> None:
    now = timezone.now()
    existing_works = [w for w in works if w.pk]
    existing_editions = [e for e in editions if e.pk]
    for obj in (*existing_works, *existing_editions):
        obj.updated_at = now
    if existing_works:
        Work.objects.bulk_update(existing_works, WORK_FILL_FIELDS)
    if existing_editions:
        Edition.objects.bulk_update(existing_editions, EDITION_FILL_FIELDS)


def _create_credits(credits_for: dict[int, list[Credit]], works: list[Work]) -> None:
    names = {
        text.normalize_person_name(c.name): c for credits in credits_for.values() for c in credits
    }
    names.pop("", None)
    if not names:
        return
    authors = {a.name_normalized: a for a in Author.objects.filter(name_normalized__in=names)}
    missing = [
        Author(name=c.name, sort_name=c.sort_name, name_normalized=key[:255])
        for key, c in names.items()
        if key not in authors
    ]
    for author in Author.objects.bulk_create(missing):
        authors[author.name_normalized] = author
    now = bulk.db_datetime(timezone.now())
    links = []
    for work in works:
        seen = set()
        for position, credit in enumerate(credits_for.get(id(work), [])):
            author = authors.get(text.normalize_person_name(credit.name))
            if author is None or (author.pk, credit.role) in seen:
                continue
            seen.add((author.pk, credit.role))
            links.append((now, now, work.pk, author.pk, credit.role, position))
    bulk.insert_many(
        WorkAuthor, ["created_at", "updated_at", "work", "author", "role", "position"], links
    )
