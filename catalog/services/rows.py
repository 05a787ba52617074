"""One batch of import rows: normalize each row, match it against the catalog (`index`), write
the new and changed books (`writes`) and the rows' records, all in the caller's transaction.

A batch the database refuses is split until the refused rows stand alone: each of those fails
with the database's reason and the others import.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import bulk, text
from catalog.importers import BaseImporter, NormalizedRow, RowError
from catalog.importers.base import Credit, NotABookError, row_json, row_values
from catalog.models import Edition, ImportJob, ImportRow, Work
from catalog.models.imports import NOT_A_BOOK_KEY
from catalog.services.index import _CatalogIndex, _identified
from catalog.services.row_refusals import row_refusal_reason
from catalog.services.writes import (
    _create_credits,
    _create_series,
    _fill_empty_edition,
    _fill_empty_work,
    _new_edition,
    _new_work,
    _save_dirty,
)

logger = logging.getLogger(__name__)


# What the database answers for one bad row (a value it cannot store, a broken constraint).
ROW_REFUSALS = (DataError, IntegrityError)


def _import_batch(job, importer, batch, planned=None):
    """Import a batch in one transaction. When the database refuses it, either another import
    inserted the same book between our lookup and our insert (a second look finds it) or some
    row breaks a column or a constraint: halves are retried until the refused rows stand
    alone, and each of those fails with the database's reason while the others import.

    `planned`: the batch's rows already normalized (by the reading worker, `reading`); the
    halves are normalized again from `batch`, since planning a batch changes its rows."""
    try:
        with transaction.atomic():
            _relax_commit()
            return import_rows(job=job, importer=importer, lines=batch, planned=planned)
    except ROW_REFUSALS:
        logger.info("Import job %s: the database refused a batch; isolating its rows", job.pk)
    with transaction.atomic():
        _relax_commit()
        return _import_isolating_refused_rows(job, importer, batch)


def _relax_commit() -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL to reach the disk. A
    crash can lose the last batches committed (well under a second of them), never corrupt
    anything: an import can be run again, and a re-run creates nothing twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


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
    # The database's own message for the log only: it names tables and can quote the row.
    logger.warning("Import job %s: the database refused line %s: %s", job.pk, line, refusal)
    error = row_refusal_reason(refusal)
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


def import_job_not_books(job: ImportJob) -> dict[str, int]:
    """How many of the job's rows failed for not being books, by the kind their file named
    (in kinds.py's words: {"journal article": 1073, "webpage": 92, …}), most first: what an
    import of a mixed list left out."""
    key = f"normalized__{NOT_A_BOOK_KEY}"
    counted = (
        job.rows.filter(status=ImportRow.Status.FAILED, normalized__has_key=NOT_A_BOOK_KEY)
        .values(key)
        .annotate(rows=Count("pk"))
    )
    by_kind = {str(row[key]): row["rows"] for row in counted}
    return dict(sorted(by_kind.items(), key=lambda item: (-item[1], item[0])))


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
    # The title's lookup key (`text.normalize_title`), computed where the row is read: by the
    # reading worker for a large job, off the writer's time.
    title_key: str = ""
    # The ImportRow's `raw` and `normalized` as stored, encoded by the reading worker
    # (`encode_record`); `normalized_json` holds while the row is as it was read (`_read_mark`).
    raw_json: str = ""
    normalized_json: str = ""
    read_mark: tuple = ()


def import_rows(
    *,
    job: ImportJob,
    importer: BaseImporter,
    lines: Iterable[tuple[int, list[str]]],
    planned: "list[_Planned] | None" = None,
) -> list[str]:
    """Import one batch of rows in the current transaction; returns each row's status.
    `planned`: the rows of `lines` already normalized (`_normalize`), else they are here."""
    if planned is None:
        planned = [_normalize(importer, line, cells) for line, cells in lines]
    good = [(item, item.row) for item in planned if item.row]
    title_keys = {row.title: item.title_key for item, row in good}
    index = _CatalogIndex.load([row for _item, row in good], job=job, title_keys=title_keys)
    new_works: list[Work] = []
    new_editions: list[Edition] = []
    credits_for: dict[int, list[Credit]] = {}  # id(work) -> its credits
    dirty_works: dict[int, Work] = {}
    dirty_editions: dict[int, Edition] = {}
    series_for: dict[int, tuple[Work, list[tuple[str, str]]]] = {}  # id(work) -> its series
    credited_works: dict[int, Work] = {}  # works in the catalog gaining their first credits

    work: Work | None
    for item, row in good:
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
            work = _new_work(row, index.title_key(row))
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
            if _resolve_synthetic(work, job):
                dirty_works[id(work)] = work
        edition = _new_edition(work, row)
        index.settle_openlibrary_keys(row, edition=edition)
        new_editions.append(edition)
        index.remember_edition(edition, work)
        item.work, item.edition = work, edition

    # Editions pick up the primary keys of the works inserted just before them.
    bulk.insert_new(new_works)
    bulk.insert_new(new_editions)
    _create_credits(credits_for, [*new_works, *credited_works.values()])
    _create_series(series_for.values())
    _save_dirty(dirty_works.values(), dirty_editions.values())

    _insert_import_rows(job, planned)
    return [item.status or ImportRow.Status.FAILED for item in planned]


def _resolve_synthetic(work: Work, job: ImportJob) -> bool:
    """A synthetic work (found by the backfill, resolved by no provider) that an export gives an
    identified edition is no longer synthetic: enrichment can now look that edition up. The
    discovery record keeps how it was resolved."""
    if not work.synthetic:
        return False
    work.synthetic = False
    work.discovery = {**work.discovery, "resolved_by": "import", "import_job": job.pk}
    return True


def encode_record(item: _Planned) -> tuple | None:
    """Encode the row's record (`raw`, `normalized`) now, in the process that read it: the
    writer stores the text unless planning the batch changed the row. -> the row's values
    (`row_values`) it was encoded from, None for a row that was not read."""
    item.raw_json = bulk.json_text(ImportRow, "raw", item.raw)
    if item.row is None:
        return None
    values = row_values(item.row)
    item.normalized_json = bulk.json_text(ImportRow, "normalized", row_json(values))
    item.read_mark = _read_mark(item.row)
    return values


def _read_mark(row: NormalizedRow) -> tuple:
    """What planning a batch may change in a row it was handed: warnings added, and the Open
    Library keys another book holds taken away (`index._settle_key`)."""
    return (len(row.warnings), row.openlibrary_work_key, row.openlibrary_edition_key)


def _normalized_record(item: _Planned):
    if item.row is None:
        return item.normalized_json or {}  # a row that is not a book: what it is
    if item.normalized_json and item.read_mark == _read_mark(item.row):
        return item.normalized_json
    return item.row.as_json()


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
                item.raw_json or item.raw,
                _normalized_record(item),
                item.row.warnings if item.row else item.messages,
                item.error,
                item.work.id if item.work else None,
                item.edition.id if item.edition else None,
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
        if isinstance(exc, NotABookError):
            # Kept as what the row was read as: the job counts what it left out by kind.
            item.normalized_json = bulk.json_text(
                ImportRow, "normalized", {NOT_A_BOOK_KEY: exc.kind}
            )
    else:
        item.row.warnings[:0] = warnings
        item.title_key = text.normalize_title(item.row.title)
    return item
