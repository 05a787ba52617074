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
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import zip_longest

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from bookstore import task_queue
from catalog import bulk, text
from catalog.importers import BaseImporter, NormalizedRow, RowError, importer_for, read_csv
from catalog.importers.base import Credit
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor, WorkSeries

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
    column_map: dict[str, str] | None = None,
    uploaded_by=None,
    enrich: bool = True,
) -> ImportJob:
    """Validate an uploaded export and record it as a pending job (raises ImportFileError;
    UnknownFormatError when the header is no known source's and no column map was given)."""
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header, requested=requested_format, column_map=column_map)
    job = ImportJob(
        requested_format=requested_format,
        source=importer.source,
        # The generic format's map, as checked against the header: a retry reads the same way.
        column_map=importer.column_map,
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
    transaction.on_commit(
        lambda: task_queue.enqueue(
            "catalog.tasks.run_import_job", job.pk, task_name=f"import-{job.pk}"
        )
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
        importer = importer_for(
            csv_file.header, requested=job.source, column_map=job.column_map or None
        )
        _run_rows(job, importer, csv_file.rows, progress=progress)
    except Exception as exc:  # whatever it was, the job must not stay running
        _fail(job, exc)
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
    importer = _importer_for_job(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        cancel_requested=False,
        finished_at=None,
        retried_by=requested_by,
        retried_at=timezone.now(),
    )
    job.refresh_from_db()
    lines = [(row.line_number, row.raw) for row in failed]
    corrections = {row.line_number: _RowCorrection.of(row) for row in failed if row.corrected_at}
    before = job.failed_count
    job.rows.filter(status=ImportRow.Status.FAILED).delete()  # those just read: no IN of ids
    job.failed_count -= len(failed)
    job.rows_processed -= len(failed)
    try:
        _run_rows(job, importer, lines, progress=progress)
    except Exception as exc:  # whatever it was, the job must not stay running
        _fail(job, exc)
    # Rows corrected by hand are read from their corrected cells: they stay marked as such.
    _keep_corrections(job, corrections)
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


def _fail(job: ImportJob, exc: Exception) -> None:
    """Something unexpected stopped the job: it ends failed with the reason, which the job page
    and `import_books --json` show; the traceback goes to the log."""
    logger.exception("Import job %s failed", job.pk)
    _finish(
        job, ImportJob.Status.FAILED, error=_("The import stopped: %(reason)s") % {"reason": exc}
    )


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "enqueued_count", "updated_at"])


def _enqueue_enrichment(job: ImportJob) -> int:
    """Hand the works this job created or changed to enrichment."""
    if _enrichment_hook(job) is None:
        return 0
    work_ids = list(
        job.rows.filter(
            status__in=[ImportRow.Status.CREATED, ImportRow.Status.UPDATED], work__isnull=False
        )
        .values_list("work_id", flat=True)
        .distinct()
    )
    return _enrich_works(job, work_ids)


def _enrichment_hook(job: ImportJob):
    """The one configured call that queues enrichment (catalog does not import enrichment), or
    None when this job's books are not to be enriched."""
    hook = getattr(settings, "CATALOG_ENRICHMENT_HOOK", "")
    if not (job.enrich and hook and settings.ENRICHMENT_AUTO_ENABLED):
        return None
    return import_string(hook)


def _enrich_works(job: ImportJob, work_ids: list[int]) -> int:
    hook = _enrichment_hook(job)
    return hook(work_ids=work_ids, trigger="post_import") if hook and work_ids else 0


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
    index = _CatalogIndex.load(good, job=job)
    new_works, new_editions, credits_for, dirty_works, dirty_editions = [], [], {}, {}, {}
    series_for: dict[int, tuple[Work, list[tuple[str, str]]]] = {}  # id(work) -> its series
    credited_works: dict[int, Work] = {}  # works in the catalog gaining their first credits

    for item in good:
        row = item.row
        edition, key = index.edition_for(row)
        if edition is not None:
            work = edition.work
            item.work, item.edition = work, edition
            item.matched_by = index.matched_by(edition, key)
            row.warnings.extend(index.disagreements(row, edition, key))
            index.settle_openlibrary_keys(row, work=work, edition=edition)
            was_placeholder = work.title_is_placeholder
            changed = _fill_empty_edition(edition, row) | _fill_empty_work(work, row)
            if changed:
                dirty_editions[id(edition)] = edition
                dirty_works[id(work)] = work
            changed |= index.plan_series(work, row, series_for)
            if was_placeholder and not work.title_is_placeholder:
                index.name_work(work, row, credits_for, credited_works)
            item.status = ImportRow.Status.UPDATED if changed else ImportRow.Status.DUPLICATE
            continue
        work = index.work_for(row)
        if work is None:
            work = _new_work(row)
            index.settle_openlibrary_keys(row, work=work)
            new_works.append(work)
            credits_for[id(work)] = row.credits
            series_for[id(work)] = (work, row.series_entries)
            index.remember_work(work, row)
            item.status = ImportRow.Status.CREATED
        else:
            item.matched_by = index.matched_by_work(work, row)
            index.settle_openlibrary_keys(row, work=work)
            was_placeholder = work.title_is_placeholder
            filled = _fill_empty_work(work, row)
            if filled and work.pk:
                dirty_works[id(work)] = work
            filled |= index.plan_series(work, row, series_for)
            if was_placeholder and not work.title_is_placeholder:
                index.name_work(work, row, credits_for, credited_works)
            if not _identified(row):
                # The same work, and nothing that would tell a new edition apart.
                item.work = work
                item.status = ImportRow.Status.UPDATED if filled else ImportRow.Status.DUPLICATE
                continue
            item.status = ImportRow.Status.UPDATED  # a new edition of a known work
        edition = _new_edition(work, row)
        index.settle_openlibrary_keys(row, edition=edition)
        new_editions.append(edition)
        index.remember_edition(edition)
        item.work, item.edition = work, edition

    # bulk_create picks up the primary keys of related objects created just before it.
    Work.objects.bulk_create(new_works)
    Edition.objects.bulk_create(new_editions)
    _create_credits(credits_for, [*new_works, *credited_works.values()])
    _create_series(series_for.values())
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
                [],
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
    "corrected_columns",
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


# The identifiers that find an edition, in the order they are tried:
# (NormalizedRow attribute, Edition field, ImportRow.MatchedBy).
EDITION_KEYS = [
    ("isbn13", "isbn13", ImportRow.MatchedBy.ISBN),
    ("goodreads_book_id", "goodreads_book_id", ImportRow.MatchedBy.GOODREADS_ID),
    ("asin", "asin", ImportRow.MatchedBy.ASIN),
    ("librarything_id", "librarything_id", ImportRow.MatchedBy.LIBRARYTHING_ID),
    ("openlibrary_edition_key", "openlibrary_edition_key", ImportRow.MatchedBy.OPENLIBRARY_ID),
]
# Values per `IN (…)`: SQLite refuses very long lists and deep expression trees (Django ticket
# #36116: a prefetch over 1,000 works became one OR per author), whatever the batch size.
IN_CHUNK = 900


def _chunks(values: Iterable) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _work_key(work: Work) -> tuple:
    """A work's identity in one batch: its pk, or the object for a work not saved yet."""
    return ("pk", work.pk) if work.pk is not None else ("new", id(work))


@dataclass(slots=True)
class _TitleCandidate:
    """A work that rows with its normalized title may belong to, and what must agree."""

    work: Work
    author: str  # normalized primary author
    title: str  # without series and subtitle
    subtitle: str

    def full_title(self) -> str:
        return text.normalize_text(f"{self.title} {self.subtitle}")


@dataclass(slots=True)
class _Person:
    name: str
    normalized: str
    role: str


class _CatalogIndex:
    """The batch's view of the catalog: existing books found by a few bulk queries (each a
    fixed number of statements per thousand rows, never one per row), plus the ones this batch
    creates, so that a book twice in one file is created once."""

    def __init__(self):
        self.by_key: dict[str, dict[str, Edition]] = {attr: {} for attr, _f, _k in EDITION_KEYS}
        self.by_title: dict[str, list[_TitleCandidate]] = defaultdict(list)
        self.people: dict[tuple, list[_Person]] = {}  # work key -> credits, in order
        self.new_credits: dict[tuple, list[Credit]] = {}  # the same for works not saved yet
        self.identified: set[tuple] = set()  # work keys with an edition an identifier finds
        self.with_series: set[tuple] = set()  # work keys whose series are known or planned
        self.made_by_this_job: set[tuple] = set()  # ("edition" | "work", pk)
        # Open Library keys are unique in the catalog: who holds each key the batch names.
        self.openlibrary_works: dict[str, Work] = {}
        self.openlibrary_editions: dict[str, Edition] = {}

    @classmethod
    def load(cls, items: list[_Planned], *, job: ImportJob | None = None) -> "_CatalogIndex":
        index = cls()
        rows = [item.row for item in items]
        unmatched = rows
        editions = Edition.objects.select_related("work")
        for attribute, field_name, _key in EDITION_KEYS:
            found = index.by_key[attribute]
            values = {getattr(row, attribute) for row in unmatched} - {""}
            for chunk in _chunks(values):
                for edition in editions.filter(**{f"{field_name}__in": chunk}):
                    found.setdefault(getattr(edition, field_name), edition)
            unmatched = [row for row in unmatched if getattr(row, attribute) not in found]
        # Only rows that no identifier found are matched by title, and never by a placeholder
        # title (an Open Library key standing in for the unknown title), theirs or the work's.
        titles = {
            text.normalize_title(row.title) for row in unmatched if not row.title_is_placeholder
        }
        title_works = [
            work
            for chunk in _chunks(titles)
            for work in Work.objects.filter(title_normalized__in=chunk, title_is_placeholder=False)
        ]
        matched_works = {
            edition.work.pk: edition.work
            for found in index.by_key.values()
            for edition in found.values()
        }
        index._load_openlibrary_keys(rows)
        work_ids = (
            {work.pk for work in title_works}
            | set(matched_works)
            | {work.pk for work in index.openlibrary_works.values()}
        )
        index._load_people(work_ids)
        index._load_identified([work.pk for work in title_works])
        if any(row.series_entries for row in rows):
            index._load_series(work_ids)
        if job is not None and job.created_count:
            edition_ids = {e.pk for found in index.by_key.values() for e in found.values()}
            index._load_made_by(job, edition_ids, [work.pk for work in title_works])
        for work in title_works:
            main, subtitle = text.split_subtitle(text.split_series_entries(work.title)[0])
            subtitle = work.subtitle or subtitle  # a title stored whole before subtitles split
            authors = [p.normalized for p in index.people.get(_work_key(work), [])]
            index.by_title[work.title_normalized].append(
                _TitleCandidate(
                    work=work, author=authors[0] if authors else "", title=main, subtitle=subtitle
                )
            )
        return index

    def _load_people(self, work_ids: set[int]) -> None:
        credits = WorkAuthor.objects.order_by("work_id", "position").values_list(
            "work_id", "author__name", "author__name_normalized", "role"
        )
        for chunk in _chunks(work_ids):
            for work_id, name, normalized, role in credits.filter(work_id__in=chunk):
                self.people.setdefault(("pk", work_id), []).append(_Person(name, normalized, role))
        # Title matching compares primary authors: those credited as authors, first.
        for people in self.people.values():
            people.sort(key=lambda person: person.role != WorkAuthor.Role.AUTHOR)

    def _load_openlibrary_keys(self, rows: list[NormalizedRow]) -> None:
        """The works and editions holding the batch's Open Library keys: a work is matched by
        its key, and no key is given to a second book (the database would refuse it)."""
        work_keys = {row.openlibrary_work_key for row in rows} - {""}
        for chunk in _chunks(work_keys):
            for work in Work.objects.filter(openlibrary_work_key__in=chunk):
                self.openlibrary_works[work.openlibrary_work_key] = work
        edition_keys = {row.openlibrary_edition_key for row in rows} - {""}
        for chunk in _chunks(edition_keys):
            for edition in Edition.objects.filter(openlibrary_edition_key__in=chunk):
                self.openlibrary_editions[edition.openlibrary_edition_key] = edition

    def _load_identified(self, work_ids: list[int]) -> None:
        fields = [field_name for _attr, field_name, _key in EDITION_KEYS]
        for chunk in _chunks(work_ids):
            for work_id, *values in Edition.objects.filter(work_id__in=chunk).values_list(
                "work_id", *fields
            ):
                if any(values):
                    self.identified.add(("pk", work_id))

    def _load_series(self, work_ids: set[int]) -> None:
        for chunk in _chunks(work_ids):
            series = WorkSeries.objects.filter(work_id__in=chunk).values_list("work_id", flat=True)
            self.with_series.update(("pk", work_id) for work_id in series.distinct())

    def _load_made_by(self, job: ImportJob, edition_ids: set[int], work_ids: list[int]) -> None:
        """Which of the books found were created by an earlier batch of this same job."""
        made = job.rows.filter(status=ImportRow.Status.CREATED)
        for chunk in _chunks(edition_ids):
            ids = made.filter(edition_id__in=chunk).values_list("edition_id", flat=True)
            self.made_by_this_job.update(("edition", pk) for pk in ids)
        for chunk in _chunks(work_ids):
            ids = made.filter(work_id__in=chunk).values_list("work_id", flat=True)
            self.made_by_this_job.update(("work", pk) for pk in ids)

    def edition_for(self, row: NormalizedRow) -> tuple[Edition | None, str]:
        """-> (the edition one of the row's identifiers finds, that key's MatchedBy value)."""
        for attribute, _field, key in EDITION_KEYS:
            value = getattr(row, attribute)
            if value and value in self.by_key[attribute]:
                return self.by_key[attribute][value], key
        return None, ""

    def work_for(self, row: NormalizedRow) -> Work | None:
        """The work this row is another edition of: same normalized title, same primary author
        (spelling variants only), same volume, agreeing subtitles; and when the row and the
        work both carry identifiers (ISBNs, Goodreads ids), which tell two books apart, the
        same whole title. A work that
        holds the row's Open Library work key is the row's work, whatever its title."""
        if row.openlibrary_work_key in self.openlibrary_works:
            return self.openlibrary_works[row.openlibrary_work_key]
        if row.title_is_placeholder:
            return None  # a key standing in for a title names no book by title
        author = text.normalize_person_name(row.primary_author)
        if not author:
            return None  # a title alone is not enough to call two books the same
        for candidate in self.by_title.get(text.normalize_title(row.title), []):
            work = candidate.work
            same_author = (
                bool(candidate.author)
                and fuzz.token_sort_ratio(author, candidate.author) >= AUTHOR_MATCH_MIN
            )
            same_volume = not (work.series_number and row.series_number) or (
                work.series_number == row.series_number
            )
            if not (same_author and same_volume):
                continue
            if not _subtitles_agree(candidate.subtitle, row.subtitle):
                continue
            # Both sides name their own edition (ISBN, Goodreads id, ...): only the same whole
            # title makes them one work ("Axt – Best Of" and "Axt - Urlaub ..." are two books).
            whole_title = text.normalize_text(f"{row.title} {row.subtitle}")
            if (
                _identified(row)
                and _work_key(work) in self.identified
                and candidate.full_title() != whole_title
            ):
                continue
            return work
        return None

    def matched_by(self, edition: Edition, key: str) -> str:
        if edition.pk is None or ("edition", edition.pk) in self.made_by_this_job:
            return ImportRow.MatchedBy.EARLIER_ROW
        return key

    def matched_by_work(self, work: Work, row: NormalizedRow) -> str:
        if work.pk is None or ("work", work.pk) in self.made_by_this_job:
            return ImportRow.MatchedBy.EARLIER_ROW
        if _same_book(self.openlibrary_works.get(row.openlibrary_work_key), work):
            return ImportRow.MatchedBy.OPENLIBRARY_ID
        return ImportRow.MatchedBy.TITLE_AUTHOR

    def settle_openlibrary_keys(
        self, row: NormalizedRow, *, work: Work | None = None, edition: Edition | None = None
    ) -> None:
        """Give the row's Open Library keys to this work / edition only when no other book
        holds them (each key is unique in the catalog), with a warning otherwise; a key given
        is held from now on, so later rows find the book by it."""
        for attribute, holders, book in (
            ("openlibrary_work_key", self.openlibrary_works, work),
            ("openlibrary_edition_key", self.openlibrary_editions, edition),
        ):
            key = getattr(row, attribute)
            if not key or book is None:
                continue
            holder = holders.get(key)
            if holder is not None and not _same_book(holder, book):
                setattr(row, attribute, "")
                if getattr(book, attribute) == key:  # a new book took it from the row
                    setattr(book, attribute, None)
                row.warnings.append(
                    _(
                        "Open Library key %(key)s already belongs to %(book)s; it was not given "
                        "to this book."
                    )
                    % {"key": key, "book": _book_label(_title_of(holder), [])}
                )
            elif getattr(book, attribute) in (None, "", key):
                holders[key] = book
                if edition is not None and attribute == "openlibrary_edition_key":
                    self.by_key[attribute].setdefault(key, edition)

    def disagreements(self, row: NormalizedRow, edition: Edition, key: str) -> list[str]:
        """A warning when the book an identifier found is plainly not the row's: neither title
        is the other (or a decorated form of it) and no author is shared. The identifier stays
        the key; the librarian is told both books."""
        work = edition.work
        if row.title_is_placeholder or work.title_is_placeholder:
            return []  # one side has no title yet (Open Library's key-only reading log)
        title = text.normalize_title(row.title)
        if _titles_agree(title, work.title_normalized) or (
            edition.title and _titles_agree(title, text.normalize_title(edition.title))
        ):
            return []
        theirs = self._people_of(work)
        ours = [text.normalize_person_name(credit.name) for credit in row.credits]
        if any(
            fuzz.token_sort_ratio(a, b.normalized) >= AUTHOR_MATCH_MIN
            for a in ours
            if a
            for b in theirs
        ):
            return []
        attribute = next((attr for attr, _field, k in EDITION_KEYS if k == key), "")
        return [
            _(
                "%(key)s %(value)s is already in the catalog as %(book)s; this row says "
                "%(row_book)s."
            )
            % {
                "key": ImportRow.MatchedBy(key).label,
                "value": getattr(row, attribute, ""),
                "book": _book_label(work.title, [p.name for p in theirs]),
                "row_book": _book_label(row.title, [c.name for c in row.credits]),
            }
        ]

    def _people_of(self, work: Work) -> list[_Person]:
        key = _work_key(work)
        if key not in self.people and key in self.new_credits:
            self.people[key] = [
                _Person(c.name, text.normalize_person_name(c.name), c.role)
                for c in self.new_credits[key]
            ]
        return self.people.get(key, [])

    def plan_series(self, work: Work, row: NormalizedRow, series_for: dict) -> bool:
        """Plan the row's series for a work that has none yet, in the catalog or from the row
        that created it (the work's own primary series stays first). Returns True when the
        work gains series."""
        key = _work_key(work)
        if not row.series_entries or key in self.with_series:
            return False
        self.with_series.add(key)
        entries = list(row.series_entries)
        if work.series:
            names = {work.series.casefold()}
            entries = [(work.series, work.series_number)] + [
                entry for entry in entries if entry[0].casefold() not in names
            ]
        series_for[id(work)] = (work, entries)
        return True

    def remember_work(self, work: Work, row: NormalizedRow) -> None:
        key = _work_key(work)
        self.new_credits[key] = row.credits  # normalized only if a disagreement is checked
        if row.series_entries:
            self.with_series.add(key)
        self._remember_title(work, row)

    def name_work(
        self,
        work: Work,
        row: NormalizedRow,
        credits_for: dict[int, list[Credit]],
        credited_works: dict[int, Work],
    ) -> None:
        """A work known by its Open Library key only has just taken this row's real title: it
        also takes the row's credits when it has none (the key-only reading log names nobody),
        and later rows may find it by title and author."""
        key = _work_key(work)
        if not (self.people.get(key) or self.new_credits.get(key)) and row.credits:
            self.new_credits[key] = row.credits
            credits_for[id(work)] = row.credits
            if work.pk is not None:  # a new work's credits are written with it
                credited_works[id(work)] = work
        self._remember_title(work, row)

    def _remember_title(self, work: Work, row: NormalizedRow) -> None:
        if work.title_is_placeholder:
            return  # never matched by title
        self.by_title[work.title_normalized].append(
            _TitleCandidate(
                work=work,
                author=text.normalize_person_name(row.primary_author),
                title=row.title,
                subtitle=row.subtitle,
            )
        )

    def remember_edition(self, edition: Edition) -> None:
        for attribute, field_name, _key in EDITION_KEYS:
            value = getattr(edition, field_name)
            if value:
                self.by_key[attribute].setdefault(value, edition)
        if any(getattr(edition, field_name) for _attr, field_name, _key in EDITION_KEYS):
            self.identified.add(_work_key(edition.work))


def _same_book(a, b) -> bool:
    """The same work or edition, whichever query loaded it."""
    return a is not None and (a is b or (a.pk is not None and a.pk == b.pk))


def _title_of(book: Work | Edition) -> str:
    return book.title or (book.work.title if isinstance(book, Edition) else "")


def _identified(row: NormalizedRow) -> bool:
    """The row names an edition of its own: an identifier that would tell it apart."""
    return any(getattr(row, attribute) for attribute, _field, _key in EDITION_KEYS)


def _titles_agree(a: str, b: str) -> bool:
    """Normalized titles of the same book: equal, or one is the other with words around it
    ("the subtle knife" / "his dark materials the subtle knife")."""
    return a == b or bool(a and b and (f" {a} " in f" {b} " or f" {b} " in f" {a} "))


def _book_label(title: str, authors: list[str]) -> str:
    if not authors:
        return _("'%(title)s'") % {"title": title}
    return _("'%(title)s' by %(author)s") % {"title": title, "author": authors[0]}


def _subtitles_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    return fuzz.ratio(text.normalize_text(a), text.normalize_text(b)) >= SUBTITLE_MATCH_MIN


def _new_work(row: NormalizedRow) -> Work:
    # bulk_create skips save(), so the lookup key is set here.
    return Work(
        title=row.title,
        title_normalized=text.normalize_title(row.title)[:500],
        title_is_placeholder=row.title_is_placeholder,
        subtitle=row.subtitle,
        series=row.series,
        series_number=row.series_number,
        first_published_year=row.first_published_year or row.publication_year,
        openlibrary_work_key=row.openlibrary_work_key or None,  # unique: NULL when unknown
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
        "librarything_id": row.librarything_id,
        "google_books_id": row.google_books_id,
        "openlibrary_edition_key": row.openlibrary_edition_key or None,  # unique: NULL if unknown
        "language": row.language,
    }
    if row.publication_year:
        values["publication_date"] = _year_start(row.publication_year)
        values["publication_date_precision"] = Edition.DatePrecision.YEAR
    return values


def _year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def _new_edition(work: Work, row: NormalizedRow) -> Edition:
    # A placeholder title is the work's stand-in, not this edition's title.
    title = "" if row.title_is_placeholder else row.title
    return Edition(work=work, isbn13=row.isbn13 or None, title=title, **_edition_values(row))


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
    titled = _replace_placeholder_title(work, row)
    return titled | _fill_empty(
        work,
        {
            "subtitle": row.subtitle,
            "series": row.series,
            "series_number": row.series_number,
            "first_published_year": row.first_published_year or row.publication_year,
            "openlibrary_work_key": row.openlibrary_work_key or None,
        },
    )


def _replace_placeholder_title(work: Work, row: NormalizedRow) -> bool:
    """A placeholder title (an Open Library key) counts as empty: the first row that names the
    book's real title gives it, and the work is no longer a placeholder. A row with a
    placeholder of its own never replaces a title."""
    if not work.title_is_placeholder or row.title_is_placeholder:
        return False
    work.title = row.title
    work.title_normalized = text.normalize_title(row.title)[:500]
    work.title_is_placeholder = False
    return True


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
    "librarything_id",
    "google_books_id",
    "openlibrary_edition_key",
    "language",
    "updated_at",
]
WORK_FILL_FIELDS = [
    "title",
    "title_normalized",
    "title_is_placeholder",
    "subtitle",
    "series",
    "series_number",
    "first_published_year",
    "openlibrary_work_key",
    "updated_at",
]


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
    authors = {
        author.name_normalized: author
        for chunk in _chunks(names)
        for author in Author.objects.filter(name_normalized__in=chunk)
    }
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


def _create_series(planned: Iterable[tuple[Work, list[tuple[str, str]]]]) -> None:
    """Every series of each work, the primary one (Work.series) at position 0."""
    now = bulk.db_datetime(timezone.now())
    bulk.insert_many(
        WorkSeries,
        ["created_at", "updated_at", "work", "name", "number", "position"],
        (
            (now, now, work.pk, name, number, position)
            for work, entries in planned
            for position, (name, number) in enumerate(entries)
        ),
    )


# --- One failed row, corrected by hand ----------------------------------------------------------


class ImportRowRerunRefused(Exception):
    """This row cannot be corrected and re-run; the message says why, for the librarian."""


# Which of the job's counters a row's status adds to.
_STATUS_COUNTERS = {
    ImportRow.Status.CREATED: "created_count",
    ImportRow.Status.UPDATED: "updated_count",
    ImportRow.Status.DUPLICATE: "duplicate_count",
    ImportRow.Status.FAILED: "failed_count",
}


def _importer_for_job(job: ImportJob) -> BaseImporter:
    """The importer a finished job's kept rows are read again with (retries, re-runs): the
    same source, and for a generic job the same column map."""
    return importer_for(job.header, requested=job.source, column_map=job.column_map or None)


def import_row_rerun_refusal(*, row: ImportRow) -> str:
    """Why this row cannot be corrected and re-run now, or "" when it can."""
    job = row.job
    if row.status != ImportRow.Status.FAILED:
        return _("Only a failed row can be corrected and re-run; this one is %(status)s.") % {
            "status": row.get_status_display().lower()
        }
    if not job.is_finished:
        return _("This import is still running: re-run the row once it has finished.")
    if job.file_status == ImportJob.FileStatus.DELETED:
        return _("This row's cells were deleted with the uploaded file: it cannot be re-run.")
    return ""


def import_row_rerun(*, row: ImportRow, cells: list[str], user) -> ImportRow:
    """Store a failed row's corrected cells and import that row alone, in one transaction, by
    the batch path (a one-row batch: the same matching, writes and refusals as any row).

    The job's counts follow the row's new status, its book is queued for enrichment like any
    imported row's, and the row records who corrected which columns, and when (its own fields,
    not a warning). Returns the row as it now stands (a new record: the batch path inserts it).
    Raises ImportRowRerunRefused."""
    refusal = import_row_rerun_refusal(row=row)
    if refusal:
        raise ImportRowRerunRefused(refusal)
    job = row.job
    importer = _importer_for_job(job)
    cells = [str(cell) for cell in cells]
    correction = _RowCorrection(
        by_id=user.pk if user else None,
        at=timezone.now(),
        # A row corrected twice keeps every column corrected since the file's version.
        columns=_merged_columns(row.corrected_columns, _changed_columns(importer, row.raw, cells)),
    )
    with transaction.atomic():
        # Whoever removes the failed row first re-runs it; a second submit finds it gone.
        removed, _counts = ImportRow.objects.filter(
            pk=row.pk, status=ImportRow.Status.FAILED
        ).delete()
        if not removed:
            raise ImportRowRerunRefused(_("This row was re-run meanwhile, by someone else."))
        [status] = _import_batch(job, importer, [(row.line_number, cells)])
        _keep_corrections(job, {row.line_number: correction})
        rerun = ImportRow.objects.select_related("job", "corrected_by").get(
            job=job, line_number=row.line_number
        )
        counters = {}
        if status != ImportRow.Status.FAILED:  # a row still failing leaves the counts as they are
            counter = _STATUS_COUNTERS[status]
            counters = {"failed_count": F("failed_count") - 1, counter: F(counter) + 1}
        if status in (ImportRow.Status.CREATED, ImportRow.Status.UPDATED) and rerun.work_id:
            enqueued = _enrich_works(job, [rerun.work_id])
            counters["enqueued_count"] = F("enqueued_count") + enqueued
        ImportJob.objects.filter(pk=job.pk).update(**counters, updated_at=timezone.now())
    return rerun


@dataclass(frozen=True)
class _RowCorrection:
    """Who corrected a row's cells by hand, when, and which columns (none: re-run unchanged)."""

    by_id: int | None  # the user (None: the system, or a user since deleted)
    at: datetime.datetime
    columns: list[str]

    @classmethod
    def of(cls, row: ImportRow) -> "_RowCorrection":
        return cls(by_id=row.corrected_by_id, at=row.corrected_at, columns=row.corrected_columns)


def _keep_corrections(job: ImportJob, corrections: dict[int, _RowCorrection]) -> None:
    """Put the corrections back on the rows that now stand for those lines: importing a line
    again replaces its row record. Corrections are made by hand, so they are few."""
    for line, correction in corrections.items():
        job.rows.filter(line_number=line).update(
            corrected_by_id=correction.by_id,
            corrected_at=correction.at,
            corrected_columns=correction.columns,
        )


def _changed_columns(importer: BaseImporter, before: list[str], after: list[str]) -> list[str]:
    return [
        importer.column_name(index)
        for index, (old, new) in enumerate(zip_longest(before, after, fillvalue=""))
        if old != new
    ]


def _merged_columns(earlier: list[str], new: list[str]) -> list[str]:
    return [*earlier, *(column for column in new if column not in earlier)]
