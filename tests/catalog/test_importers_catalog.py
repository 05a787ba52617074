"""The newer formats against the database: what each stores, how its rows find books already in
the catalog (LibraryThing ids, Open Library keys), and that importing a file twice creates
nothing new. Every file here is synthetic, in the shape of the real exports."""

import pytest

from catalog import services
from catalog.importers import ImportFileError
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor, WorkSeries
from tests.catalog.test_importers_formats import (
    BOOKWYRM,
    CALIBRE,
    LIBIB,
    LIBRARYTHING,
    OPENLIBRARY,
    OPENLIBRARY_CURRENT,
    OPENREADS,
    synthetic_file,
)
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


def run_import(data: bytes, **kwargs) -> ImportJob:
    job = services.import_job_create(
        data=data, filename="synthetic-export.csv", enrich=False, **kwargs
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def catalog_counts():
    return (
        Work.objects.count(),
        Edition.objects.count(),
        Author.objects.count(),
        WorkAuthor.objects.count(),
    )


SYNTHETIC_FILES = {
    "librarything": lambda: synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "900001",
            "Title": "synthetic-Rayuela",
            "Primary Author": "Cortázar, Julio",
            "Secondary Author": "Rabassa, Gregory",
            "Secondary Author Roles": "Translator",
            "Publication": "Pantheon (1966), Hardcover",
            "ISBN": "[0394432835]",
        },
        {  # no ISBN: found again by its LibraryThing id
            "Book Id": "900002",
            "Title": "synthetic-Bestiario",
            "Primary Author": "Cortázar, Julio",
            "Date": "1951",
            "ISBN": "[]",
        },
        delimiter="\t",
    ),
    "libib": lambda: synthetic_file(
        LIBIB,
        {
            "item_type": "book",
            "title": "synthetic-Good Omens",
            "creators": "Neil Gaiman, Terry Pratchett",
            "ean_isbn13": "9780060853983",
        },
        {"item_type": "book", "title": "synthetic-No Barcode", "creators": "Ann Author"},
    ),
    "calibre": lambda: synthetic_file(
        CALIBRE,
        {
            "authors": "Seanan McGuire",
            "author_sort": "McGuire, Seanan",
            "identifiers": "goodreads:39077187,isbn:9780756411800",
            "series": "synthetic-InCryptid",
            "series_index": "8.0",
            "languages": "eng",
            "title": "synthetic-That Ain't Witchcraft",
            "pubdate": "2019-03-05T01:00:00+01:00",
        },
        {"authors": "Ann Author", "title": "synthetic-Only Title And Author"},
    ),
    "openlibrary": lambda: synthetic_file(
        OPENLIBRARY,
        {"Work Id": "OL9000001W", "Edition Id": "", "Bookshelf": "Want to Read"},
        {"Work Id": "OL9000002W", "Edition Id": "OL9000002M", "Bookshelf": "Already Read"},
    ),
    "bookwyrm": lambda: synthetic_file(
        BOOKWYRM,
        {
            "title": "synthetic-The Blue Bedspread",
            "author_text": "Raj Kamal Jha",
            "remote_id": "https://example.com/book/270",
            "openlibrary_key": "OL9000003M",
            "isbn_13": "9780375503122",
        },
        {
            "title": "synthetic-Only A Key",
            "author_text": "Ann Author",
            "remote_id": "https://example.com/book/271",
            "openlibrary_key": "OL9000004M",
        },
    ),
    "openreads": lambda: synthetic_file(
        OPENREADS,
        {
            "title": "synthetic-The Divide",
            "author": "Jason Hickel",
            "favourite": "false",
            "isbn": "9781786090034",
            "olid": "OL9000005M",
        },
        {"title": "synthetic-Wild Flowers", "author": "Alina Leonova", "favourite": "false"},
    ),
}


@pytest.mark.parametrize("source", sorted(SYNTHETIC_FILES))
def test_each_format_imports_and_a_reimport_creates_nothing(source):
    data = SYNTHETIC_FILES[source]()
    first = run_import(data)
    assert first.source == source and first.status == "completed"
    assert (first.created_count, first.failed_count) == (2, 0)
    after_first = catalog_counts()

    second = run_import(data)
    assert catalog_counts() == after_first
    assert (second.created_count, second.updated_count, second.failed_count) == (0, 0, 0)
    assert second.duplicate_count == 2
    assert all(row.matched_by for row in second.rows.all())


def test_generic_import_keeps_its_map_and_a_reimport_creates_nothing():
    data = (
        "Book;Writer;Code\n"
        "synthetic-Dune;Frank Herbert;9780441172719\n"
        "synthetic-Emma;Jane Austen;\n"
    )
    column_map = {"title": "Book", "author": "Writer", "isbn": "Code"}
    first = run_import(data.encode(), requested_format="generic", column_map=column_map)
    assert (first.source, first.column_map, first.created_count) == ("generic", column_map, 2)
    second = run_import(data.encode(), requested_format="generic", column_map=column_map)
    assert (second.created_count, second.duplicate_count) == (0, 2)
    assert sorted(second.rows.values_list("matched_by", flat=True)) == ["isbn", "title_author"]


def test_a_generic_job_retries_its_failed_rows_with_its_own_map():
    data = b"Book,Writer\n,Nobody\nsynthetic-Kept,Somebody\n"
    job = run_import(
        data, requested_format="generic", column_map={"title": "Book", "author": "Writer"}
    )
    assert (job.created_count, job.failed_count) == (1, 1)
    # Without the kept map the rows could not be read again at all.
    assert services.import_job_retry_failed(job=job) == 0
    job.refresh_from_db()
    assert job.status == "completed" and job.failed_count == 1


def test_librarything_rows_store_their_ids_credits_and_publication():
    run_import(SYNTHETIC_FILES["librarything"]())
    rayuela = Edition.objects.get(isbn13="9780394432830")
    assert rayuela.librarything_id == "900001" and rayuela.goodreads_book_id == ""
    assert (rayuela.publisher, rayuela.format) == ("Pantheon", "hardcover")
    assert [(c.author.name, c.role) for c in rayuela.work.credits.order_by("position")] == [
        ("Julio Cortázar", "author"),
        ("Gregory Rabassa", "translator"),
    ]
    assert Author.objects.get(name="Julio Cortázar").sort_name == "Cortázar, Julio"
    bestiario = Edition.objects.get(librarything_id="900002")
    assert bestiario.isbn13 is None and bestiario.publication_date.year == 1951


def test_a_row_is_found_by_its_librarything_id_whatever_its_title():
    edition = make_edition(make_work("Rayuela", authors=["Julio Cortázar"]), isbn13=None)
    Edition.objects.filter(pk=edition.pk).update(librarything_id="900002")
    job = run_import(SYNTHETIC_FILES["librarything"]())
    row = job.rows.get(line_number=3)
    assert row.edition_id == edition.pk and row.matched_by == ImportRow.MatchedBy.LIBRARYTHING_ID
    assert row.status in (ImportRow.Status.UPDATED, ImportRow.Status.DUPLICATE)


def test_openlibrary_rows_store_their_keys_and_find_books_by_them():
    job = run_import(SYNTHETIC_FILES["openlibrary"]())
    work = Work.objects.get(openlibrary_work_key="OL9000002W")
    assert work.title == "OL9000002W"  # a stand-in until the title is known
    assert work.editions.get().openlibrary_edition_key == "OL9000002M"
    assert "known by its Open Library key only" in job.rows.get(line_number=2).messages[0]

    assert work.title_is_placeholder

    # Once the work has its real title, the reading log still finds it, without a warning that
    # the titles differ.
    Work.objects.filter(pk=work.pk).update(
        title="Anathem", title_normalized="anathem", title_is_placeholder=False
    )
    again = run_import(SYNTHETIC_FILES["openlibrary"]())
    rows = {row.line_number: row for row in again.rows.all()}
    assert rows[2].matched_by == rows[3].matched_by == ImportRow.MatchedBy.OPENLIBRARY_ID
    assert rows[3].work_id == work.pk
    assert all(len(row.messages) == 1 for row in rows.values())  # the key-only note alone


def test_a_work_found_by_its_open_library_key_keeps_the_series_it_has():
    """A work found by its Open Library work key is in the batch's view with its series, like
    one found by an edition's identifier: the row's series, already there, is not added twice
    (the database refused that row). The titles differ, so only the key finds it."""
    work = make_work("synthetic-Les Dépossédés", authors=["Ursula K. Le Guin"])
    Work.objects.filter(pk=work.pk).update(
        openlibrary_work_key="OL9000010W", series="Hainish Cycle", series_number="5"
    )
    WorkSeries.objects.create(work=work, name="Hainish Cycle", number="5")
    data = synthetic_file(
        OPENLIBRARY_CURRENT,
        {
            "Work ID": "OL9000010W",
            "Title": "synthetic-The Dispossessed (Hainish Cycle, #5)",
            "Authors": "Ursula K. Le Guin",
            "Bookshelf": "Already Read",
        },
    )
    row = run_import(data).rows.get()
    assert row.status == ImportRow.Status.DUPLICATE and row.work_id == work.pk, row.error
    assert list(work.series_entries.values_list("name", "number")) == [("Hainish Cycle", "5")]


def test_a_work_known_by_title_gains_the_open_library_key_of_a_matching_row():
    work = make_work("synthetic-Wild Flowers", authors=["Alina Leonova"])
    data = synthetic_file(
        OPENREADS,
        {
            "title": "synthetic-Wild Flowers",
            "author": "Alina Leonova",
            "favourite": "false",
            "olid": "OL9000009M",
            "book_format": "paperback",
        },
    )
    job = run_import(data)
    row = job.rows.get()
    assert row.matched_by == ImportRow.MatchedBy.TITLE_AUTHOR and row.work_id == work.pk
    # A new edition of the known work, told apart by its Open Library edition key.
    assert row.edition.openlibrary_edition_key == "OL9000009M"
    assert run_import(data).rows.get().status == ImportRow.Status.DUPLICATE


def test_an_open_library_key_another_book_holds_is_not_given_twice():
    """The row's ISBN finds one edition; its Open Library edition key belongs to another. Both
    keys are unique in the catalog: giving the key to the first would make the database refuse
    the whole batch, so the key stays where it is and the row says so."""
    by_isbn = make_edition(make_work("synthetic-The Blue Bedspread", authors=["Raj Kamal Jha"]))
    holder = make_edition(make_work("synthetic-Other Book", authors=["Someone Else"]))
    Edition.objects.filter(pk=holder.pk).update(openlibrary_edition_key="OL9000003M")
    Work.objects.filter(pk=holder.work_id).update(openlibrary_work_key="OL9000003W")
    data = synthetic_file(
        BOOKWYRM,
        {
            "title": "synthetic-The Blue Bedspread",
            "author_text": "Raj Kamal Jha",
            "remote_id": "https://example.com/book/270",
            "openlibrary_key": "OL9000003M",
            "isbn_13": by_isbn.isbn13,
        },
    )
    job = run_import(data)
    row = job.rows.get()
    assert row.status != ImportRow.Status.FAILED and row.edition_id == by_isbn.pk
    assert row.matched_by == ImportRow.MatchedBy.ISBN
    by_isbn.refresh_from_db()
    assert by_isbn.openlibrary_edition_key is None
    assert any("OL9000003M already belongs to 'synthetic-Other Book'" in m for m in row.messages)


def test_new_identifiers_and_language_are_stored_on_editions():
    run_import(SYNTHETIC_FILES["calibre"]())
    edition = Edition.objects.get(isbn13="9780756411800")
    assert (edition.goodreads_book_id, edition.language) == ("39077187", "en")
    assert (edition.work.series, edition.work.series_number) == ("synthetic-InCryptid", "8")
    assert list(edition.work.series_entries.values_list("name", "number")) == [
        ("synthetic-InCryptid", "8")
    ]


def test_filling_an_existing_edition_adds_the_missing_ids():
    edition = make_edition(make_work("synthetic-Good Omens", authors=["Neil Gaiman"]))
    data = synthetic_file(
        CALIBRE,
        {
            "authors": "Neil Gaiman",
            "identifiers": f"isbn:{edition.isbn13},google:Hx1bAAAAQBAJ,openlibrary:OL9000010M",
            "languages": "eng",
            "title": "synthetic-Good Omens",
        },
    )
    row = run_import(data).rows.get()
    assert row.status == ImportRow.Status.UPDATED and row.matched_by == ImportRow.MatchedBy.ISBN
    edition.refresh_from_db()
    assert (edition.google_books_id, edition.openlibrary_edition_key, edition.language) == (
        "Hx1bAAAAQBAJ",
        "OL9000010M",
        "en",
    )


@pytest.mark.parametrize(("forced", "column"), [("goodreads", "Author"), ("storygraph", "Authors")])
def test_a_forced_format_without_its_columns_saves_nothing(forced, column):
    data = SYNTHETIC_FILES["librarything"]()
    with pytest.raises(ImportFileError, match=f"no {column} column"):
        services.import_job_create(data=data, filename="synthetic.tsv", requested_format=forced)
    assert ImportJob.objects.count() == 0 and Work.objects.count() == 0
