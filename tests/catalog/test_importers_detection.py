"""The six newer export formats, read without a database: which importer a header is for, a
forced format's required columns, delimiters and encodings. Every row here is synthetic,
written in the shape of the real exports."""

import pytest

from catalog.importers import (
    IMPORTERS,
    ImportFileError,
    UnknownFormatError,
    detect_source,
    importer_for,
    read_csv,
)
from catalog.importers.csvfile import detect_delimiter
from tests.catalog.importer_formats_support import (
    CALIBRE,
    HEADERS,
    LIBRARYTHING,
    read,
    synthetic_file,
)
from tests.catalog.test_importers import GOODREADS_24, GOODREADS_31, STORYGRAPH, STORYGRAPH_2021

# --- Detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(HEADERS))
def test_each_format_is_recognised_by_exactly_one_importer(layout):
    header, source = HEADERS[layout], layout.split("_")[0]
    assert [cls.source for cls in IMPORTERS.values() if cls.matches(header)] == [source]
    assert detect_source(header).source == source


@pytest.mark.parametrize("header", [GOODREADS_24, GOODREADS_31, STORYGRAPH, STORYGRAPH_2021])
def test_goodreads_and_storygraph_headers_are_still_theirs(header):
    # Title/author columns ("title", "author") recur in the new formats' signatures.
    assert detect_source(header.split(",")).source in ("goodreads", "storygraph")
    assert detect_source(header.lower().split(",")) is detect_source(header.split(","))


def test_calibre_catalog_without_author_sort_is_still_calibre():
    header = [name for name in CALIBRE if name != "author_sort"]
    assert detect_source(header).source == "calibre"


def test_an_unknown_header_says_so_and_offers_a_guessed_map():
    with pytest.raises(UnknownFormatError, match="does not look like an export") as caught:
        importer_for(["Book", "Writer", "Code"])
    assert caught.value.guessed_map == {"title": "Book", "author": "Writer"}
    assert caught.value.header == ["Book", "Writer", "Code"]


# --- Item 8: a forced format must have its columns ----------------------------------------------


def librarything_csv() -> bytes:
    return synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "228822734",
            "Title": "synthetic-Book of Sand",
            "Primary Author": "Borges, Jorge Luis",
            "ISBN": "[1578660289]",
        },
    )


@pytest.mark.parametrize(
    ("forced", "missing"),
    [("goodreads", "The file has no Author column"), ("storygraph", "no Authors column")],
)
def test_forcing_a_format_on_a_file_without_its_columns_is_refused(forced, missing):
    """The issue: a LibraryThing file forced as Goodreads made books without authors with
    LibraryThing's Book Id as a Goodreads id; forced as StoryGraph, duplicates on every
    re-import. Now the missing columns are named and nothing is read."""
    csv_file = read_csv(librarything_csv())
    with pytest.raises(ImportFileError, match=missing):
        importer_for(csv_file.header, requested=forced)


def test_a_forced_format_missing_several_columns_names_them_all():
    with pytest.raises(ImportFileError, match="lacks the columns Primary Author and Book Id"):
        importer_for(["Title", "Author"], requested="librarything")


@pytest.mark.parametrize("source", ["libib", "calibre", "openlibrary", "bookwyrm", "openreads"])
def test_each_new_format_refuses_a_file_without_its_required_columns(source):
    with pytest.raises(ImportFileError, match="export always has"):
        importer_for(["Title", "Something"], requested=source)


def test_a_forced_format_with_its_columns_reads_the_file():
    importer, [row] = read(librarything_csv(), requested="librarything")
    assert importer.source == "librarything" and row.librarything_id == "228822734"


# --- Delimiters and encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("Title,Author,ISBN", ","),
        ("Title\tAuthor\tISBN", "\t"),
        ("Titel;Autor;ISBN", ";"),
        ('"Title; or, a subtitle",Author', ","),  # separators inside quotes do not count
        ("Title", ","),
        ("\n\nBook Id\tTitle", "\t"),
    ],
)
def test_the_delimiter_is_detected_from_the_header_line(line, delimiter):
    assert detect_delimiter(line + "\nx\n") == delimiter


def test_excel_separator_line_names_the_delimiter_and_keeps_line_numbers():
    data = b"sep=;\r\nTitle;Authors;Read Status\r\nsynthetic-A, B;Ann Author;read\r\n"
    csv_file = read_csv(data)
    assert (csv_file.delimiter, csv_file.header) == (";", ["Title", "Authors", "Read Status"])
    assert csv_file.rows == [(3, ["synthetic-A, B", "Ann Author", "read"])]


def test_librarything_tsv_is_read_with_unquoted_cells():
    data = synthetic_file(
        LIBRARYTHING,
        {
            "Book Id": "1",
            "Title": 'synthetic-"Quoted" start',
            "Primary Author": "Doe, Jane",
            "ISBN": "[]",
        },
        delimiter="\t",
    ).replace(b'"""Quoted"" start"', b'"Quoted" start')  # LibraryThing quotes nothing
    csv_file = read_csv(data)
    assert csv_file.delimiter == "\t"
    importer, [row] = read(data)
    assert importer.source == "librarything"
    assert row.title == 'synthetic-"Quoted" start' and not row.isbn13


def test_semicolon_separated_file_is_read():
    data = b"Titel;Autor\nsynthetic-Die Verwandlung;Franz Kafka\n"
    csv_file = read_csv(data)
    assert csv_file.header == ["Titel", "Autor"]
    assert csv_file.rows == [(2, ["synthetic-Die Verwandlung", "Franz Kafka"])]


def test_utf8_with_one_damaged_byte_stays_utf8_with_a_warning():
    """LibraryThing's TSV can hold one broken name; reading the whole file as Latin-1 would
    garble every other accented letter."""
    text = "Book Id\tTitle\tPrimary Author\n1\tsynthetic-Le Maître\tBoulgakov, Mikhaïl\n"
    data = text.encode() + b"2\tCort\xe2azar\tX, Y\n"
    csv_file = read_csv(data)
    assert csv_file.encoding == "utf-8"
    assert csv_file.rows[0][1][1:] == ["synthetic-Le Maître", "Boulgakov, Mikhaïl"]
    assert csv_file.rows[1][1][1] == "Cort\ufffdazar"
    assert "1 damaged byte sequence(s), on line(s) 3;" in csv_file.warnings[0]


def test_a_file_in_latin1_reads_back_its_accents():
    # Western single-byte files fit several code pages equally well; the tie goes to
    # Windows-1252, which reads every Latin-1 letter the same.
    data = "Title,Authors,Read Status\nsynthetic-Cien años,Gabriel García Márquez,read\n"
    csv_file = read_csv(data.encode("latin-1"))
    assert csv_file.rows[0][1][:2] == ["synthetic-Cien años", "Gabriel García Márquez"]
    assert csv_file.encoding == "cp1252"


# Known titles, encoded in the test in the code page a spreadsheet of that script writes.
SYNTHETIC_LEGACY_FILES = {
    "cp1251": (
        "Title,Author\nsynthetic-Мастер и Маргарита,Михаил Булгаков\n"
        "synthetic-Война и мир,Лев Толстой\n"
    ),
    "cp1253": (
        "Title,Author\nsynthetic-Οδύσσεια,Όμηρος\nsynthetic-Ο Καπετάν Μιχάλης,Νίκος Καζαντζάκης\n"
    ),
    "shift_jis": (
        "タイトル,著者\nsynthetic-吾輩は猫である,夏目漱石\nsynthetic-ノルウェイの森,村上春樹\n"
        "synthetic-雪国,川端康成\nsynthetic-羅生門,芥川龍之介\n"
    ),
    "cp1252": (
        "Title,Author\nsynthetic-Œuvres complètes – tome 1,Molière\n"
        "synthetic-L’Étranger,Albert Camus\n"
    ),
}


@pytest.mark.parametrize("encoding", SYNTHETIC_LEGACY_FILES)
def test_a_file_in_a_legacy_code_page_reads_back_its_text(encoding):
    # Read as Latin-1, as before, Cyrillic came out as "Ìàñòåð" and Japanese as mojibake.
    text = SYNTHETIC_LEGACY_FILES[encoding]
    csv_file = read_csv(text.encode(encoding))

    lines = text.splitlines()
    assert csv_file.header == lines[0].split(",")
    assert [cells for _, cells in csv_file.rows] == [line.split(",") for line in lines[1:]]
    # Shift-JIS is found as cp932, Microsoft's Shift-JIS, which reads these bytes the same.
    found = {"shift_jis": "cp932"}.get(encoding, encoding)
    assert csv_file.encoding == found
    assert f"it was read as {found}, the closest match found" in csv_file.warnings[0]


def test_bytes_no_encoding_explains_are_read_as_latin1_with_a_warning():
    data = b"Title,Author\nsynthetic-" + bytes(range(0x80, 0x100)) + b",X\n"
    csv_file = read_csv(data)
    assert csv_file.encoding == "latin-1"
    assert csv_file.rows[0][1][0] == "synthetic-" + bytes(range(0x80, 0x100)).decode("latin-1")
    assert "could not be recognised; it was read as Latin-1" in csv_file.warnings[0]


@pytest.mark.parametrize(
    ("header", "forced", "detected"),
    [
        (GOODREADS_24, "storygraph", "Goodreads"),
        (GOODREADS_24, "openreads", "Goodreads"),
    ],
)
def test_a_format_forced_on_another_sources_export_is_refused_naming_it(header, forced, detected):
    """The forced format's required columns are there (Title, Author), but the columns are
    another source's: read so, its cells would land in the wrong fields (a Goodreads file read
    as StoryGraph's lost its ISBNs and shelves). The refusal names the source they are."""
    with pytest.raises(ImportFileError, match=f"columns are the {detected} export's"):
        importer_for(header.split(","), requested=forced)
    assert importer_for(header.split(","), requested="auto").label == detected
