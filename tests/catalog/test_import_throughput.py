"""Issue 18, goals 3 and 7: the import's lean writes and its reading of the file one batch at a
time. The files here are synthetic, built in the tests."""

import datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog import bulk, services
from catalog.importers import csv_rows, read_csv
from catalog.models import Author, Edition, ImportRow, Work, WorkAuthor, WorkSeries
from catalog.services import jobs
from catalog.services.index import _one_of, _plan_off
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL planner setting"
)

# Files that exercise every way read_csv reads rows: quoted line breaks, \r\n, old-Mac \r and
# \n endings, blank lines, Excel's `sep=;` line, a repeated header, LibraryThing's unquoted TSV.
SYNTHETIC_FILES = {
    "crlf-quoted-newline": b'Title,Author\r\n"A\r\nlong title",Ann\r\n\r\nB,Bob\r\n',
    "mac-cr": b"Title,Author\rA,Ann\r\rB,Bob\r",
    "lf-blank-lines": b"\n\nTitle,Author\n\nA,Ann\n  ,  \nB,Bob",
    "excel-sep": b"sep=;\nTitle;Author\nA;Ann\nB;Bob\n",
    "repeated-header": b"Title,Author,ISBN\nA,Ann,1\nTitle,Author,ISBN\nB,Bob,2\n",
    "tsv-unclosed-quote": b'Title\tAuthor\n"Quoted start\tAnn\nB\tBob\n',
}


@pytest.mark.parametrize("name", SYNTHETIC_FILES)
def test_csv_rows_reads_the_rows_read_csv_keeps(name):
    data = SYNTHETIC_FILES[name]
    kept = read_csv(data)
    counted = read_csv(data, keep_rows=False)
    header, rows = csv_rows(data)
    assert header == kept.header == counted.header
    assert list(rows) == kept.rows
    assert counted.rows == [] and counted.row_count == len(kept.rows)
    assert counted.warnings == kept.warnings


def synthetic_goodreads(rows: int) -> bytes:
    lines = [GOODREADS_24]
    width = GOODREADS_24.count(",") + 1
    for i in range(rows):
        lines.append(",".join([str(800_000 + i), f"Synthetic Book {i}", f"Writer {i}"]))
        lines[-1] += "," * (width - 3)
    return ("\n".join(lines) + "\n").encode()


def test_a_run_reads_the_file_one_batch_ahead_at_most(monkeypatch):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    read = {"rows": 0}
    ahead = []

    def counting_csv_rows(data):
        header, rows = csv_rows(data)

        def counted():
            for row in rows:
                read["rows"] += 1
                yield row

        return header, counted()

    real_batch = jobs._import_batch

    def watching_batch(job, importer, batch, planned=None):
        ahead.append(read["rows"] - job.rows_processed)
        return real_batch(job, importer, batch, planned)

    monkeypatch.setattr(jobs, "csv_rows", counting_csv_rows)
    monkeypatch.setattr(jobs, "_import_batch", watching_batch)
    job = services.import_job_create(data=synthetic_goodreads(45), filename="synthetic.csv")
    assert job.rows_total == 45
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.failed_count) == ("completed", 45, 0)
    # Before: every row of the file was read before the first batch was imported.
    assert ahead == [10, 10, 10, 10, 5]


def test_new_instances_are_the_ones_model_init_builds():
    values = {"title": "Synthetic", "title_normalized": "synthetic", "first_published_year": 1999}
    built, reference = bulk.new_instance(Work, **values), Work(**values)
    assert _fields(built) == _fields(reference)
    assert built.subjects is not bulk.new_instance(Work, **values).subjects  # a fresh list each
    assert built._state.adding and built._state.db is None


def test_loaded_instances_are_the_ones_a_query_of_those_fields_loads():
    stored = Author.objects.create(name="Ann Leckie", name_normalized="ann leckie", bio="Writer.")
    names = ("id", "name_normalized", "sort_name")
    values = dict(zip(names, Author.objects.values_list(*names).get(), strict=True))
    loaded, reference = bulk.loaded_instance(Author, values), Author.objects.only(*names).get()
    assert loaded == stored and loaded.get_deferred_fields() == reference.get_deferred_fields()
    assert not loaded._state.adding and loaded._state.db == reference._state.db
    assert loaded.bio == "Writer."  # a deferred field is read from the database


def test_a_lookup_finds_each_value_whole_whatever_characters_it_holds():
    work = Work.objects.create(title="Damaged", title_normalized="damaged")
    for asin in ["B00\x1fX", "B00", "X", ""]:
        Edition.objects.create(work=work, asin=asin)
    for values, found in [
        (["B00\x1fX", "Y"], ["B00\x1fX"]),  # not the two values the separator would make
        (["B00", "X"], ["B00", "X"]),
        (["", "B00"], ["", "B00"]),  # an empty value is a value
        (["Y"], []),
    ]:
        lookup = Edition.objects.filter(_one_of(Edition, "asin", values))
        assert sorted(lookup.values_list("asin", flat=True)) == found


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_new_gives_each_instance_its_row_and_id():
    works = [
        bulk.new_instance(Work, title=f"Synthetic {i}", title_normalized=f"synthetic {i}")
        for i in range(3)
    ]
    works[1].discovery = {"source": "synthetic"}
    editions = []
    for i, work in enumerate(works):
        edition = bulk.new_instance(
            Edition,
            isbn13=f"979800000000{i}",
            publication_date=datetime.date(2001, 1, 1),
            publication_date_precision=Edition.DatePrecision.YEAR,
        )
        edition.work = work  # saved just before: its id is picked up
        editions.append(edition)
    with transaction.atomic():
        bulk.insert_new(works)
        bulk.insert_new(editions)
    for work in works:
        stored = Work.objects.get(pk=work.pk)
        assert (stored.title, stored.created_at) == (work.title, work.created_at)
        assert stored.subjects == [] and stored.created_at is not None
    assert Work.objects.get(pk=works[1].pk).discovery == {"source": "synthetic"}
    assert Work.objects.get(pk=works[0].pk).discovery == {}
    for edition, work in zip(editions, works, strict=True):
        stored = Edition.objects.get(pk=edition.pk)
        assert (stored.work_id, stored.isbn13) == (work.pk, edition.isbn13)
        assert stored.publication_date == datetime.date(2001, 1, 1)
    # The ids were taken from the table's own sequence: the ORM's next row gets a new one.
    later = Work.objects.create(title="Later", title_normalized="later")
    assert later.pk > max(work.pk for work in works)


def test_a_row_the_database_refuses_is_an_integrity_error():
    Author.objects.create(name="Taken", name_normalized="taken", openlibrary_key="OL1A")
    duplicate = bulk.new_instance(
        Author, name="Other", name_normalized="other", openlibrary_key="OL1A"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_new([duplicate])
    assert Author.objects.count() == 1


def test_bulk_rows_are_counted_with_the_other_statements():
    work = Work.objects.create(title="Synthetic", title_normalized="synthetic")
    now = bulk.db_datetime(work.created_at)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_many(
            WorkSeries,
            ["created_at", "updated_at", "work", "name", "number", "position"],
            [(now, now, work.pk, "Saga", "1", 0), (now, now, work.pk, "Other", "", 1)],
        )
    assert [q["sql"] for q in queries.captured_queries if "catalog_workseries" in q["sql"]]
    assert WorkSeries.objects.filter(work=work).count() == 2


def test_an_import_stores_its_rows_records_as_the_orm_reads_them():
    job = services.import_job_create(data=synthetic_goodreads(3), filename="synthetic.csv")
    services.import_job_run(job=job)
    row = ImportRow.objects.get(job=job, line_number=2)
    assert row.normalized["title"] == "Synthetic Book 0"
    assert row.normalized["credits"] == [{"name": "Writer 0", "role": "author"}]
    assert row.messages == [] and row.corrected_columns == []
    assert row.work.editions.get().goodreads_book_id == "800000"


@postgres_only
def test_reserving_ids_finds_the_sequence_once_not_once_an_id():
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN VERBOSE {bulk.RESERVE_IDS_SQL}", ["catalog_work", "id", 1000])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # Run per id, pg_get_serial_sequence cost 2 s of server time a million ids.
    per_id = plan.split("Function Scan", 1)[1]
    assert "nextval" in per_id and "pg_get_serial_sequence" not in per_id


@postgres_only
def test_title_lookups_read_the_btree_index_not_the_trigram_one():
    with transaction.atomic():
        with _plan_off("bitmapscan"):
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_bitmapscan")
                assert cursor.fetchone()[0] == "off"
            plan = Work.objects.filter(title_normalized__in=["a", "b"]).explain()
            assert "trgm" not in plan
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_bitmapscan")
            assert cursor.fetchone()[0] == "on"


@postgres_only
def test_an_import_batch_looks_the_catalog_up_by_its_indexes_whatever_the_statistics():
    """On a table an import is filling, the planner's statistics trail its rows and it chose to
    scan whole tables for the batch's lookups (8 s of a 100,000-row import). Here the tables are
    small enough that the planner would scan them: the lookups must still read the indexes."""
    services.import_job_run(
        job=services.import_job_create(data=synthetic_goodreads(30), filename="a.csv")
    )
    plans = []

    def explained(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and "= ANY(" in sql:  # the batch's lookups of many values
            with connection.cursor() as cursor:  # same transaction, same planner settings
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(line for (line,) in cursor.fetchall()))
        return result

    again = services.import_job_create(data=synthetic_goodreads(30), filename="b.csv")
    with connection.execute_wrapper(explained):
        services.import_job_run(job=again)
    again.refresh_from_db()
    assert again.duplicate_count == 30  # found by their Goodreads ids
    assert plans  # the editions by their Goodreads ids
    assert not [plan for plan in plans if "Seq Scan" in plan], plans


def test_every_identifier_an_import_looks_up_leads_an_index_of_the_editions():
    from catalog.services.index import EDITION_KEYS

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "catalog_edition")
    leading = {c["columns"][0] for c in constraints.values() if c["index"] or c["unique"]}
    looked_up = {Edition._meta.get_field(name).column for _attr, name, _key in EDITION_KEYS}
    assert looked_up - leading == set()


PARTS = {WorkAuthor: "work", WorkSeries: "work", ImportRow: "job"}


@pytest.mark.parametrize("model", PARTS, ids=lambda model: model.__name__)
def test_the_parts_an_import_writes_have_only_the_indexes_their_models_declare(model):
    """Every index costs each of an import's inserts: a credit, a series entry and an import
    row carry the ones their queries use (catalog 0022 dropped six others), and their parent
    is found through their unique constraint's index, which begins with it."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    found = sorted(
        tuple(c["columns"])
        for c in constraints.values()
        if c["index"] and not c["unique"] and not c["primary_key"]
    )
    declared = sorted(
        [(f.column,) for f in model._meta.concrete_fields if f.db_index and not f.primary_key]
        + [tuple(model._meta.get_field(n).column for n in i.fields) for i in model._meta.indexes]
    )
    assert found == declared
    parent = model._meta.get_field(PARTS[model]).column
    assert any(c["unique"] and c["columns"][0] == parent for c in constraints.values())


@postgres_only
def test_the_catalog_has_no_prefix_pattern_indexes():
    """Django adds a `varchar_pattern_ops` index beside each indexed text column for prefix
    LIKE queries, which nothing runs on the catalog: an import paid for nine of them (catalog
    0023 dropped them). A migration that changes such a field makes Django create it again:
    drop it in the same migration."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'catalog\\_%%' "
            "AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert [name for (name,) in cursor.fetchall()] == []


@postgres_only
def test_an_import_batch_finds_editions_by_the_identifiers_index_once_the_tables_are_analyzed():
    """With statistics on the editions (autovacuum analyzes a table an import is filling), the
    planner joined each edition lookup to the works by reading every edition in its work's
    order and filtering each by the batch's identifiers: a statement's time grew with the
    table (12 ms at 50,000 editions, 2.5 s of the server's time in a 100,000-row import). The
    identifiers' index must answer the lookup, whatever the statistics say."""
    services.import_job_run(job=services.import_job_create(data=_with_isbns(300), filename="a.csv"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_edition, catalog_work")
    plans = []

    def explained(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("SELECT") and 'isbn13" = ANY(' in sql:
            with connection.cursor() as cursor:  # same transaction, same planner settings
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(line for (line,) in cursor.fetchall()))
        return result

    again = services.import_job_create(data=_with_isbns(300), filename="b.csv")
    with connection.execute_wrapper(explained):
        services.import_job_run(job=again)
    again.refresh_from_db()
    assert again.duplicate_count == 300  # found by their ISBNs
    assert plans
    # Read by the index, the identifiers are its condition, never a filter over rows read.
    filtered = [plan for plan in plans if "Filter: ((isbn13)::text = ANY" in plan]
    assert not filtered, filtered


def _with_isbns(rows: int) -> bytes:
    """Goodreads rows of one book each, with a valid ISBN-13 (synthetic)."""
    from catalog import isbn

    lines = [GOODREADS_24]
    width = GOODREADS_24.count(",") + 1
    for i in range(rows):
        first12 = f"978{190_000_000 + i:09d}"
        cells = [str(800_000 + i), f"Synthetic Book {i}", f"Writer {i}", "", "", "", ""]
        cells[6] = f'"=""{first12}{isbn.isbn13_check_digit(first12)}"""'
        lines.append(",".join(cells) + "," * (width - len(cells)))
    return ("\n".join(lines) + "\n").encode()


@postgres_only
def test_an_import_writes_its_timestamps_once_a_batch_not_once_a_row():
    """psycopg wrote a datetime's text for COPY anew at every row (about a microsecond a value,
    a tenth of the importing process's CPU); the batch's timestamp goes in binary, never as
    text. The stored times are the same."""
    from psycopg.types.datetime import DatetimeDumper

    dumped = []

    class CountingDumper(DatetimeDumper):
        def dump(self, obj):
            dumped.append(obj)
            return super().dump(obj)

    connection.ensure_connection()
    adapters = connection.connection.adapters
    adapters.register_dumper(datetime.datetime, CountingDumper)
    try:
        # Without queueing the books for enrichment, which writes requests the ORM's way.
        job = services.import_job_create(data=_with_isbns(200), filename="a.csv", enrich=False)
        before = len(dumped)
        services.import_job_run(job=job)
    finally:
        adapters.register_dumper(datetime.datetime, DatetimeDumper)
    assert len(dumped) - before < 50  # the job's own updates; none per row
    work = Work.objects.get(editions__isbn13=Edition.objects.order_by("pk")[0].isbn13)
    row = ImportRow.objects.get(job=job, line_number=2)
    credit = WorkAuthor.objects.get(work=work)
    job.refresh_from_db()
    started, finished = job.started_at, job.finished_at
    assert started is not None and finished is not None
    for stored in (work, work.editions.get(), row, credit):
        assert started <= stored.created_at == stored.updated_at <= finished


@postgres_only
def test_an_import_copies_its_rows_in_binary():
    """A text COPY has the server parse every timestamp, number and boolean of the batch (about
    5 % of its CPU in an import); the binary form has nothing to parse but the JSON."""
    job = services.import_job_create(data=_with_isbns(20), filename="a.csv", enrich=False)
    with CaptureQueriesContext(connection) as queries:
        services.import_job_run(job=job)
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
    tables = {sql.split()[1] for sql in copies}
    assert {'"catalog_work"', '"catalog_edition"', '"catalog_importrow"'} <= tables
    assert all("(FORMAT BINARY)" in sql for sql in copies)
    row = ImportRow.objects.get(job=job, line_number=2)
    assert row.status == ImportRow.Status.CREATED and row.edition is not None
    assert row.edition.isbn13 == row.normalized["isbn13"]


@postgres_only
@pytest.mark.parametrize(
    ("model", "field", "number"),
    [
        (Edition, "page_count", 2**40),
        (Edition, "page_count", 2**31),
        (Work, "first_published_year", 40_000),
    ],
)
def test_a_number_its_column_cannot_hold_is_refused_not_cut(model, field, number):
    """The binary COPY would keep a too-large number's low bytes (2**40 pages stored as 0); it is
    refused as the server refuses it, and the row says why."""
    from catalog.services.row_refusals import row_refusal_reason

    work = Work.objects.create(title="Synthetic", title_normalized="synthetic")
    obj: Edition | Work
    if model is Edition:
        obj = bulk.new_instance(Edition, title="Synthetic")
        bulk.relate(obj, "work", work)
    else:
        obj = bulk.new_instance(Work, title="Synthetic", title_normalized="synthetic")
    obj.__dict__[field] = number
    with pytest.raises(DataError) as refused, transaction.atomic():
        bulk.insert_new([obj])
    assert row_refusal_reason(refused.value) == (
        "A number in this row is larger than the catalog can store; the row was not imported."
    )
    assert model.objects.filter(**{field: number % 2**16}).count() == 0
