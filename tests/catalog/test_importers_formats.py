"""The six newer export formats, read without a database: every column each one reads, and
their quirks. Every row here is synthetic, written in the shape of the real exports (headers
as LibraryThing, Libib, calibre, Open Library, BookWyrm and Openreads write them)."""

import pytest

from catalog.importers import (
    importer_for,
    read_csv,
)
from catalog.importers.calibre import series_number
from catalog.importers.cells import (
    openlibrary_key,
    parse_series_cell,
)
from catalog.importers.librarything import parse_publication
from catalog.importers.parsing import files_format
from catalog.importers.year_cells import year_in
from tests.catalog.importer_formats_support import (
    BOOKWYRM,
    CALIBRE,
    LIBIB,
    LIBIB_TEMPLATE,
    LIBRARYTHING,
    OPENLIBRARY,
    OPENLIBRARY_CURRENT,
    OPENREADS,
    read,
    synthetic_file,
)

# --- LibraryThing --------------------------------------------------------------------------------


def test_librarything_row_reads_every_column():
    data = synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "5498194",
            "Title": "synthetic-Marelle",
            "Primary Author": "Cortázar, Julio",
            "Primary Author Role": "",
            "Secondary Author": "Rabassa, Gregory|Doe, Jane",
            "Secondary Author Roles": "Translator|Illustrator",
            "Publication": "Gallimard (1979), Poche",
            "Date": "1979",
            "Media": "Broché",
            "Page Count": "590 ",
            "Languages": "French, Spanish",
            "ISBN": "[2070291340]",
            "ISBNs": "2070291340, 9782070291342",
            "Date Read": "[2007-05-08]",
            "Entry Date": "[2006-08-09]",
            "Work id": "57814",
        },
        delimiter="\t",
    )
    _importer, [row] = read(data)
    assert row.title == "synthetic-Marelle"
    assert [(c.name, c.role, c.sort_name) for c in row.credits] == [
        ("Julio Cortázar", "author", "Cortázar, Julio"),
        ("Gregory Rabassa", "translator", "Rabassa, Gregory"),
        ("Jane Doe", "illustrator", "Doe, Jane"),
    ]
    assert (row.isbn13, row.isbn10) == ("9782070291342", "2070291340")
    assert row.librarything_id == "5498194" and row.goodreads_book_id == ""
    assert (row.publisher, row.publication_year) == ("Gallimard", 1979)
    assert (row.format, row.page_count, row.language) == ("paperback", 590, "fr")
    assert (row.date_read, row.date_added) == ("2007-05-08", "2006-08-09")
    assert row.warnings == []


def test_librarything_quirks():
    data = synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "1",
            "Title": "synthetic-One",
            "Primary Author": "Orwell, George",
            "Secondary Author": "Austen, Jane; Pym, Barbara",
            "Secondary Author Roles": "; Translator",
            "Publication": "Random House (2011), Edition: 1, Hardcover, 448 pages",
            "Date": "?",
            "Media": "Book",
            "Page Count": "321 pp.",
            "ISBN": "[]",
            "ISBNs": "1578660289, 9781578660285",
        },
    )
    _importer, [row] = read(data)
    # An empty role is a co-author; `;` separates as well as `|`.
    assert [(c.name, c.role) for c in row.credits] == [
        ("George Orwell", "author"),
        ("Jane Austen", "author"),
        ("Barbara Pym", "translator"),
    ]
    assert row.isbn13 == "9781578660285"  # from ISBNs when the ISBN cell is `[]`
    assert (row.publisher, row.publication_year) == ("Random House", 2011)  # Date was `?`
    assert (row.format, row.page_count) == ("hardcover", 321)  # "Book" says no binding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Gallimard (1979), Poche", ("Gallimard", 1979, "Poche")),
        ("Paris : Gallimard, 1979.", ("Gallimard", 1979, "")),
        ("Milano, Editore Branch, 2024", ("Editore Branch", 2024, "")),
        ("Seuil", ("Seuil", None, "")),
        ("1979", ("", 1979, "")),
        ("", ("", None, "")),
    ],
)
def test_librarything_publication_cell(value, expected):
    assert parse_publication(value) == expected


def test_librarything_pages_from_publication_and_films_are_not_books():
    data = synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "1",
            "Title": "synthetic-Slack",
            "Primary Author": "DeMarco, Tom",
            "Publication": "Currency (2002), Edition: Reprint, 256 pages",
            "Media": "Paperback",
        },
        {"Book Id": "2", "Title": "synthetic-A film", "Primary Author": "X, Y", "Media": "DVD"},
    )
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    book = importer.read_row(csv_file.rows[0][1])
    assert (book.page_count, book.publisher, book.format) == (256, "Currency", "paperback")
    with pytest.raises(Exception, match="is a DVD, not a book"):
        importer.read_row(csv_file.rows[1][1])


def test_librarything_book_id_that_is_not_a_number_is_not_kept():
    data = synthetic_file(
        LIBRARYTHING, {"Book Id": "LT-7", "Title": "synthetic-Two", "Primary Author": "A, B"}
    )
    _importer, [row] = read(data)
    assert row.librarything_id == "" and "not a LibraryThing id" in row.warnings[0]


# --- Libib ---------------------------------------------------------------------------------------


def test_libib_row_reads_every_column_and_skips_other_media():
    data = synthetic_file(
        LIBIB,
        {
            "item_type": "book",
            "title": "synthetic-Good Omens",
            "creators": "Neil Gaiman, Terry Pratchett",
            "first_name": "Terry",
            "last_name": "Pratchett",
            "ean_isbn13": "9780060853983",
            "upc_isbn10": "0060853980",
            "publisher": "William Morrow",
            "publish_date": "2006-11-28",
            "length": "412",
            "completed": "2024-02-01",
            "added": "2024-01-05",
        },
        {"item_type": "movie", "title": "synthetic-A film", "creators": "Someone"},
    )
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    book = importer.read_row(csv_file.rows[0][1])
    assert importer.source == "libib"
    # first_name / last_name name the primary creator, who comes first.
    assert [(c.name, c.sort_name) for c in book.credits] == [
        ("Terry Pratchett", "Pratchett, Terry"),
        ("Neil Gaiman", ""),
    ]
    assert (book.isbn13, book.isbn10, book.publisher) == (
        "9780060853983",
        "0060853980",
        "William Morrow",
    )
    assert (book.publication_year, book.page_count) == (2006, 412)
    assert (book.date_read, book.date_added) == ("2024-02-01", "2024-01-05")
    with pytest.raises(Exception, match="item_type says this is a film, not a book"):
        importer.read_row(csv_file.rows[1][1])


def test_libib_template_layout_is_read_too():
    data = synthetic_file(
        LIBIB_TEMPLATE,
        {
            "title": "synthetic-The Dispossessed",
            "creators": "Ursula K. Le Guin",
            "ean_isbn13": "9780441478125",
            "length_of": "304",
            "completed_date": "2026-02-06",
            "publish_date": "1974",
        },
    )
    importer, [row] = read(data)
    assert importer.source == "libib"
    assert (row.isbn13, row.page_count, row.publication_year) == ("9780441478125", 304, 1974)
    assert row.date_read == "2026-02-06" and row.primary_author == "Ursula K. Le Guin"


# --- calibre -------------------------------------------------------------------------------------


def test_calibre_row_reads_every_column():
    data = synthetic_file(
        CALIBRE,
        {
            "authors": "Terry Pratchett & Neil Gaiman",
            "author_sort": "Pratchett, Terry & Gaiman, Neil",
            "timestamp": "2021-01-19T22:41:16+01:00",
            "formats": "epub, original_epub",
            "isbn": "",
            "identifiers": (
                "goodreads:12067,isbn:9780060853983,amazon:B000FC2L1W,google:Hx1bAAAAQBAJ,"
                "openlibrary:OL7353617M"
            ),
            "series": "synthetic-Omens",
            "series_index": "1.5",
            "languages": "eng",
            "title": "synthetic-Good Omens",
            "publisher": "Harper",
            "pubdate": "2006-11-28T00:00:00+00:00",
            "id": "864",
            "uuid": "3051ed45-8943-4900-a22a-d2704e3583df",
        },
    )
    importer, [row] = read(data)
    assert importer.source == "calibre"
    assert [(c.name, c.sort_name) for c in row.credits] == [
        ("Terry Pratchett", "Pratchett, Terry"),
        ("Neil Gaiman", "Gaiman, Neil"),
    ]
    assert row.isbn13 == "9780060853983" and row.goodreads_book_id == "12067"
    assert (row.asin, row.google_books_id) == ("B000FC2L1W", "Hx1bAAAAQBAJ")
    assert row.openlibrary_edition_key == "OL7353617M"
    assert (row.series, row.series_number) == ("synthetic-Omens", "1.5")
    assert row.series_entries == [("synthetic-Omens", "1.5")]
    assert (row.publisher, row.publication_year, row.language) == ("Harper", 2006, "en")
    assert (row.format, row.date_added) == ("ebook", "2021-01-19")


def test_calibre_unknown_date_and_no_series_give_nothing():
    data = synthetic_file(
        CALIBRE,
        {
            "authors": "Anonymous",
            "title": "synthetic-Beowulf",
            "series": "",
            "series_index": "1.0",  # calibre's default, series or not
            "pubdate": "0101-01-01T00:00:00+00:00",  # calibre's "unknown"
        },
    )
    _importer, [row] = read(data)
    assert (row.series, row.series_number, row.publication_year) == ("", "", None)


@pytest.mark.parametrize(
    ("value", "expected"), [("8.0", "8"), ("1.5", "1.5"), ("0.5", "0.5"), ("", ""), ("x", "")]
)
def test_calibre_series_index(value, expected):
    assert series_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("epub, original_epub", "ebook"), ("PDF", "ebook"), ("m4b", "audiobook"), ("", "")],
)
def test_calibre_formats_say_what_kind_of_book(value, expected):
    assert files_format(value) == expected


# --- Open Library --------------------------------------------------------------------------------


def test_openlibrary_reading_log_rows_are_books_known_by_their_keys():
    data = synthetic_file(
        OPENLIBRARY,
        {"Work Id": "OL102749W", "Edition Id": "", "Bookshelf": "Currently Reading"},
        {"Work Id": "OL361393W", "Edition Id": "OL7798182M", "Bookshelf": "Want to Read"},
    )
    importer, (work_only, with_edition) = read(data)
    assert importer.source == "openlibrary"
    assert (work_only.title, work_only.openlibrary_work_key) == ("OL102749W", "OL102749W")
    assert work_only.title_is_placeholder and work_only.openlibrary_edition_key == ""
    assert with_edition.openlibrary_edition_key == "OL7798182M"
    assert "known by its Open Library key only" in work_only.warnings[0]


def test_openlibrary_current_reading_log_has_titles_and_authors():
    data = synthetic_file(
        OPENLIBRARY_CURRENT,
        {
            "Work ID": "OL59863W",
            "Title": "synthetic-The Left Hand of Darkness (Hainish Cycle, #4)",
            "Authors": "Ursula K. Le Guin",
            "First Publish Year": "1969",
            "Edition ID": "OL24210043M",
            "Bookshelf": "Already Read",
        },
    )
    importer, [row] = read(data)
    assert importer.source == "openlibrary"
    assert (row.title, row.series, row.title_is_placeholder) == (
        "synthetic-The Left Hand of Darkness",
        "Hainish Cycle",
        False,
    )
    assert [c.name for c in row.credits] == ["Ursula K. Le Guin"]
    assert (row.first_published_year, row.openlibrary_work_key) == (1969, "OL59863W")
    assert (row.openlibrary_edition_key, row.warnings) == ("OL24210043M", [])


def test_openlibrary_row_without_a_key_fails_with_the_reason():
    data = synthetic_file(
        OPENLIBRARY,
        {"Work Id": "", "Edition Id": "", "Bookshelf": "Want to Read"},
        {"Work Id": "12345", "Edition Id": "", "Bookshelf": "Want to Read"},
    )
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    with pytest.raises(Exception, match="no Open Library work or edition id"):
        importer.read_row(csv_file.rows[0][1])
    with pytest.raises(Exception, match="'12345' is not an Open Library"):
        importer.read_row(csv_file.rows[1][1])


# --- BookWyrm and Openreads ----------------------------------------------------------------------


def test_bookwyrm_row_reads_every_column():
    data = synthetic_file(
        BOOKWYRM,
        {
            "title": "synthetic-Ottolenghi Simple",
            "author_text": "Yotam Ottolenghi, Tara Wigley",
            "remote_id": "https://example.com/book/2",
            "openlibrary_key": "OL43065148M",
            "librarything_key": "123456",
            "goodreads_key": "38908726",
            "asin": "",
            "isbn_10": "0449017036",
            "isbn_13": "9780449017036",
            "pages": "288",
            "finish_date": "2022-10-10",
            "shelf_date": "2024-08-10",
        },
    )
    importer, [row] = read(data)
    assert importer.source == "bookwyrm"
    assert [c.name for c in row.credits] == ["Yotam Ottolenghi", "Tara Wigley"]
    assert (row.isbn13, row.goodreads_book_id) == ("9780449017036", "38908726")
    assert row.openlibrary_edition_key == "OL43065148M" and row.page_count == 288
    # BookWyrm's librarything_key is a LibraryThing work id: never a copy's Book Id.
    assert row.librarything_id == ""
    assert (row.date_read, row.date_added) == ("2022-10-10", "2024-08-10")


def test_openreads_row_reads_every_column_and_skips_trashed_books():
    data = synthetic_file(
        OPENREADS,
        {
            "title": "synthetic-The road to winter",
            "subtitle": "A novel",
            "author": "Smith, Mark",
            "favourite": "false",
            "deleted": "false",
            "pages": "233",
            "publication_year": "2016",
            "isbn": "9781925355123",
            "olid": "OL26934980M",
            "book_format": "paperback",
            "readings": "2023-10-12T00:00:00.000|2023-11-15T00:00:00.000|",
            "date_added": "2024-03-01T13:01:12.939",
        },
        {"title": "synthetic-Trashed", "author": "Someone", "deleted": "true"},
    )
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    row = importer.read_row(csv_file.rows[0][1])
    assert importer.source == "openreads"
    assert (row.title, row.subtitle) == ("synthetic-The road to winter", "A novel")
    assert [(c.name, c.sort_name) for c in row.credits] == [("Mark Smith", "Smith, Mark")]
    assert (row.isbn13, row.openlibrary_edition_key) == ("9781925355123", "OL26934980M")
    assert (row.page_count, row.publication_year, row.format) == (233, 2016, "paperback")
    assert (row.date_read, row.date_added) == ("2023-11-15", "2024-03-01")
    with pytest.raises(Exception, match="in Openreads' trash"):
        importer.read_row(csv_file.rows[1][1])


# --- Shared cell readers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1979", 1979), ("2019-03-05T01:00:00+01:00", 2019), ("c1995", 1995),
        ("[2007-05-08]", 2007), ("1850-?", 1850), ("0101-01-01T00:00:00+00:00", None),
        ("0101", None), ("?", None), ("", None),
        # a copyright or circa year alone is the cell's year; after a printing's, not
        ("c. 1969?", 1969), ("[c1921]", 1921), ("©1918", 1918), ("[c1921] 1946.", 1946),
        ("1979, c1969.", 1979),
    ],
)  # fmt: skip
def test_year_in(value, expected):
    assert year_in(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Discworld #3", ("Discworld", "3")), ("Discworld, #3", ("Discworld", "3")),
        ("Discworld (3)", ("Discworld", "3")), ("Discworld, Book 3", ("Discworld", "3")),
        ("Saga vol. 2", ("Saga", "2")), ("Foundation 1-3", ("Foundation", "1-3")),
        ("Series#0.5", ("Series", "0.5")), ("Catch-22", ("Catch-22", "")),
        ("Dune", ("Dune", "")),
    ],
)  # fmt: skip
def test_parse_series_cell(value, expected):
    assert parse_series_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("OL102749W", "W", "OL102749W"), ("/works/OL102749W", "W", "OL102749W"),
        ("https://openlibrary.org/books/OL7353617M/Fantastic_Mr_Fox", "M", "OL7353617M"),
        ("OL7353617M", "W", ""), ("ol7353617m", "M", "OL7353617M"), ("12345", "W", ""),
    ],
)  # fmt: skip
def test_openlibrary_key(value, kind, expected):
    assert openlibrary_key(value, kind) == expected
