"""Row normalization and file reading: pure, no database. Real rows come from the mapmyreads
exports (tests/fixtures/imports/mapmyreads, MIT); other layouts are written here from their
published headers."""

from pathlib import Path

import pytest

from catalog.importers import ImportFileError, RowError, importer_for, read_csv
from catalog.importers.base import MAX_CELL_CHARS, Credit, NormalizedRow
from catalog.importers.dates import parse_date
from catalog.importers.fitting import fit_to_columns
from catalog.importers.parsing import clean_cell, parse_format
from catalog.isbn import canonicalize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"
GOODREADS_24 = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,"
    "Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,"
    "Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,"
    "Private Notes,Read Count,Owned Copies"
)
GOODREADS_31 = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,"
    "Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,"
    "Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,"
    "Private Notes,Read Count,Recommended For,Recommended By,Owned Copies,"
    "Original Purchase Date,Original Purchase Location,Condition,Condition Description,BCID"
)
STORYGRAPH = (
    "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,"
    "Dates Read,Read Count,Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,"
    "Loveable Characters?,Diverse Characters?,Flawed Characters?,Star Rating,Review,"
    "Content Warnings,Content Warning Description,Tags,Owned?"
)
STORYGRAPH_2021 = STORYGRAPH.replace("ISBN/UID", "ISBN")


def rows_of(data: bytes, requested="auto"):
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header, requested=requested)
    return importer, [(line, importer.normalize(cells)) for line, cells in csv_file.rows]


def real_row(filename: str, line: int):
    _, rows = rows_of((FIXTURES / filename).read_bytes())
    return dict(rows)[line]


def goodreads(*cells: str, header: str = GOODREADS_24) -> bytes:
    width = header.count(",") + 1
    padded = list(cells) + [""] * (width - len(cells))
    return (header + "\n" + ",".join(padded) + "\n").encode()


# --- Source detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (GOODREADS_24, "goodreads"),
        (GOODREADS_31, "goodreads"),
        (GOODREADS_24.upper(), "goodreads"),
        (STORYGRAPH, "storygraph"),
        (STORYGRAPH_2021, "storygraph"),
    ],
)
def test_source_is_detected_from_the_header(header, source):
    assert importer_for(header.split(",")).source == source


def test_storygraph_2021_header_reads_isbn_column():
    data = STORYGRAPH_2021 + "\nSubprime Attention Crisis,Tim Hwang,,9780374538651,,read\n"
    _, [(_, row)] = rows_of(data.encode())
    assert row.isbn13 == "9780374538651"


def test_goodreads_31_column_layout_imports_like_the_24_column_one():
    data = goodreads(
        "42036538",
        "Gideon the Ninth (The Locked Tomb #1)",
        "Tamsyn Muir",
        "Muir, Tamsyn",
        "",
        '="1250313198"',
        '="9781250313195"',
        header=GOODREADS_31,
    )
    _, [(_, row)] = rows_of(data)
    assert (row.title, row.series, row.series_number) == (
        "Gideon the Ninth",
        "The Locked Tomb",
        "1",
    )
    assert row.isbn13 == "9781250313195" and row.isbn10 == "1250313198"


# --- Real Goodreads rows (mapmyreads) ------------------------------------------------------------


def test_goodreads_excel_quoting_is_unwrapped():
    row = real_row("goodreads_library_export.csv", 2)  # The Silk Roads
    assert row.isbn13 == "9781408839973"
    assert row.isbn10 == "1408839970"
    assert (row.title, row.subtitle) == ("The Silk Roads", "A New History of the World")


def test_goodreads_empty_isbn13_cell_falls_back_to_isbn10_with_x():
    _, rows = rows_of((FIXTURES / "goodreads_library_export.csv").read_bytes())
    with_x = [row for _, row in rows if row.isbn10.endswith("X")]
    assert len(with_x) >= 30
    for row in with_x:
        assert row.isbn13.startswith("978") and len(row.isbn13) == 13


def test_goodreads_series_suffix_author_lf_and_additional_authors():
    row = real_row("goodreads_library_export.csv", 5)  # "Ninth House (Alex Stern, #1)"
    assert (row.title, row.series, row.series_number) == ("Ninth House", "Alex Stern", "1")
    assert row.credits[0].name == "Leigh Bardugo"
    assert row.credits[0].sort_name == "Bardugo, Leigh"
    creativity = real_row("goodreads_library_export.csv", 6)
    assert [(c.name, c.role) for c in creativity.credits] == [
        ("Ed Catmull", "author"),
        ("Amy Wallace", "contributor"),  # "Amy    Wallace" in the file
    ]


def test_whole_real_goodreads_export_has_no_failed_row_and_trims_publishers():
    _, rows = rows_of((FIXTURES / "goodreads_library_export.csv").read_bytes())
    assert len(rows) == 358
    assert all(row.publisher == row.publisher.strip() for _, row in rows)
    assert {row.format for _, row in rows} <= {
        "hardcover",
        "paperback",
        "ebook",
        "mass_market",
        "audiobook",
        "",
    }


def test_real_disagreeing_isbn_columns_keep_isbn13_and_warn():
    row = real_row("goodreads_library_export.csv", 65)
    assert row.isbn13 == "9780230770034"
    assert any("disagrees" in w for w in row.warnings)
    # The other ISBN is not lost, and the warning says what to do about it.
    [other] = row.other_ids
    assert canonicalize(other) == "1447272676"
    [warning] = [w for w in row.warnings if "disagrees" in w]
    assert "listed under Other ids" in warning and "correct the edition" in warning


# --- Real StoryGraph rows ------------------------------------------------------------------------


def test_storygraph_contributors_with_roles_become_ordered_credits():
    _, rows = rows_of((FIXTURES / "storygraph_export.csv").read_bytes())
    by_title = {row.title: row for _, row in rows}
    queenie = by_title["Queenie"]
    assert [(c.name, c.role) for c in queenie.credits] == [
        ("Candice Carty-Williams", "author"),
        ("Shvorne Marks", "narrator"),
    ]
    crucial = by_title["Crucial Conversations"]
    assert crucial.credits[0].role == "author"
    assert [c.role for c in crucial.credits[1:]] == ["contributor"] * 4


def test_storygraph_author_who_narrates_is_credited_in_both_roles():
    """Line 49: Trevor Noah wrote Born a Crime and narrates its audiobook."""
    born_a_crime = real_row("storygraph_export.csv", 49)
    assert [(c.name, c.role) for c in born_a_crime.credits] == [
        ("Trevor Noah", "author"),
        ("Trevor Noah", "narrator"),
    ]


def test_a_person_named_again_without_a_role_is_credited_once():
    """Goodreads repeats the author in Additional Authors (`Jim Collins | Jim Collins,
    Morten T. Hansen`): no contributor credit on top of the author's."""
    data = goodreads(
        "1", "Great by Choice", "Jim Collins", '"Collins, Jim"', '"Jim Collins, Morten T. Hansen"'
    )
    _, [(_, row)] = rows_of(data)
    assert [(c.name, c.role) for c in row.credits] == [
        ("Jim Collins", "author"),
        ("Morten T. Hansen", "contributor"),
    ]


def test_storygraph_uid_cells_asin_isbn10_sbn_and_non_isbn_ids():
    _, rows = rows_of((FIXTURES / "storygraph_export.csv").read_bytes())
    rows = dict(rows)
    assert rows[73].isbn13 == "" and rows[73].other_ids == ["38549081"]  # not an ISBN: kept
    assert rows[127].isbn10 == "8418897821" and rows[127].isbn13 == "9788418897825"
    assert rows[153].isbn10 == "0140143505"  # zero dropped by a spreadsheet, check digit holds
    assert any("SBN" in w for w in rows[153].warnings)
    asin_rows = [row for row in rows.values() if row.asin]
    assert [r.asin for r in asin_rows] == ["B07MNWKF2M"] and asin_rows[0].isbn13 == ""


def test_storygraph_formats_and_date_ranges():
    _, rows = rows_of((FIXTURES / "storygraph_export.csv").read_bytes())
    formats = {row.format for _, row in rows}
    assert formats == {"paperback", "hardcover", "ebook", "audiobook", ""}
    neverwhere = dict(rows)[11]
    assert neverwhere.date_read == "2023-06-07"


# --- Quirks on constructed rows ---------------------------------------------------------------


def test_spreadsheet_damaged_isbn_gives_no_isbn_and_a_warning():
    data = goodreads("1", "Some Book", "An Author", "", "", "9.78053E+12", "9.78053E+12")
    _, [(_, row)] = rows_of(data)
    assert row.isbn13 == "" and row.isbn10 == ""
    assert any("scientific notation" in w for w in row.warnings)


def test_wrong_check_digit_is_not_an_isbn():
    data = goodreads("1", "Some Book", "An Author", "", "", "", '="9780306406158"')
    _, [(_, row)] = rows_of(data)
    assert row.isbn13 == "" and "wrong check digit" in row.warnings[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tapa blanda", "paperback"),
        ("Kindle Edition", "ebook"),
        ("Mass Market Paperback", "mass_market"),
        ("Audio Cassette", "audiobook"),
        ("Unknown Binding", ""),
        ("Leather Bound", "hardcover"),
        ("Boxed Set", "other"),  # names no binding
        # Real bindings naming two formats (tests/fixtures/imports/real_shapes: none kept).
        ("Audio CD + ebook", "other"),
        ("Kindle Edition with Audio/Video", "other"),
    ],
)
def test_format_values_are_normalized(value, expected):
    assert parse_format(value)[0] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025/06/29", "2025-06-29"),
        ("2023/05/23-2023/06/07", "2023-06-07"),
        ("", ""),
        ("2021/02/30", ""),
    ],
)
def test_dates_are_parsed(value, expected):
    assert parse_date(value) == expected


def test_row_without_title_fails_alone():
    data = goodreads("1", "", "An Author")
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    with pytest.raises(RowError, match="no title"):
        importer.normalize(csv_file.rows[0][1])


def test_row_with_ten_thousand_columns_fails_alone():
    data = goodreads("1", "Wide", "Author") + (",x" * 10_000 + "\n").encode()
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    importer.normalize(csv_file.rows[0][1])
    with pytest.raises(RowError, match="10001 cells but the header has 24 columns"):
        importer.normalize(csv_file.rows[1][1])


# --- Encodings and bad files ----------------------------------------------------------------------


def test_utf8_bom_and_crlf_are_read():
    data = "\ufeff".encode() + goodreads("1", "Cien años de soledad", "Gabriel García Márquez")
    data = data.replace(b"\n", b"\r\n")
    _, [(line, row)] = rows_of(data)
    assert line == 2 and row.title == "Cien años de soledad"


def test_latin1_file_is_read_with_a_warning_naming_the_encoding():
    data = goodreads("1", "Cien años de soledad", "Gabriel García Márquez")
    latin1 = data.decode().encode("latin-1")
    csv_file = read_csv(latin1)
    assert csv_file.encoding == "cp1252"  # Latin-1's letters, as Windows writes them
    assert "it was read as cp1252" in csv_file.warnings[0]
    assert csv_file.rows[0][1][1] == "Cien años de soledad"


def test_line_numbers_count_multiline_cells():
    data = (
        goodreads("1", '"A title"', "A") + b'2,"Two\nline title",B' + b"," * 21 + b"\n3,Three,C\n"
    )
    csv_file = read_csv(data)
    assert [line for line, _ in csv_file.rows] == [2, 3, 5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
        (b"Book Id,Author\n1,Someone\n", "no Title column"),
        (b"name,colour\nx,y\n", "does not look like an export we recognise"),
        ((GOODREADS_24 + '\n1,"Unclosed title,Author\n').encode(), "could not be read as CSV"),
        ((GOODREADS_24 + '\n1,"Bad" quote,Author\n').encode(), "could not be read as CSV"),
        ("Title,Authors\nDune,Frank Herbert\n".encode("utf-16-le"), "binary data"),  # no BOM
        ((GOODREADS_24 + ",H" + "x" * 1_000_000 + "\n1,T,A\n").encode(), "header row has a cell"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ImportFileError, match=message):
        csv_file = read_csv(data)
        importer_for(csv_file.header)


def test_requested_format_overrides_detection_but_still_needs_a_title():
    csv_file = read_csv(b"Title,Authors\nDune,Frank Herbert\n")
    importer = importer_for(csv_file.header, requested="storygraph")
    assert importer.normalize(csv_file.rows[0][1]).title == "Dune"


# --- Damaged cells and column widths --------------------------------------------------------------


def test_nul_characters_are_removed_from_the_cells_with_a_warning_naming_the_columns():
    importer = importer_for(read_csv(goodreads("1", "T", "A")).header)
    cells, warnings = importer.scrub_cells(["1", "Dam\x00aged", "A", "re\x00vi\x00ew"])
    assert cells == ["1", "Damaged", "A", "review"]
    assert warnings == ["NUL characters (file damage) were removed from: Title, Author l-f."]
    assert importer.scrub_cells(["1", "Fine"]) == (["1", "Fine"], [])


def test_a_stray_nul_does_not_make_a_small_file_binary():
    csv_file = read_csv(b"Title,Authors\nDu\x00ne,Frank Herbert\n")
    assert csv_file.rows == [(2, ["Du\x00ne", "Frank Herbert"])]  # the row's import removes it


def test_a_giant_cell_fails_its_row_before_it_is_read():
    importer = importer_for(read_csv(goodreads("1", "T", "A")).header)
    fits = ["1", "T", "A", "x" * MAX_CELL_CHARS]
    assert importer.read_row(fits).title == "T"
    with pytest.raises(RowError, match=r"Author l-f holds 1,000,001 characters"):
        importer.read_row(["1", "T", "A", "x" * (MAX_CELL_CHARS + 1)])


def test_fit_to_columns_cuts_text_at_a_word_boundary_and_drops_over_long_ids():
    row = NormalizedRow(
        title="Short",
        subtitle="word " * 200,  # 1,000 characters; the columns keep 500
        publisher="P" * 300,  # one word: cut at 255 exactly
        series_number="1" * 17,
        goodreads_book_id="9" * 33,
        credits=[Credit(name="Name " * 60, sort_name="Ok")],
    )
    fit_to_columns(row)
    assert row.title == "Short"
    assert row.subtitle == ("word " * 100).strip() and len(row.subtitle) == 499
    assert row.publisher == "P" * 255
    assert row.credits[0].name == ("Name " * 51).strip() and row.credits[0].sort_name == "Ok"
    assert row.series_number == "" and row.goodreads_book_id == ""
    assert [w.split(" ", 1)[0] for w in row.warnings] == [
        "Subtitle",
        "Publisher",
        "Author",
        "Series",
        "Goodreads",
    ]
    assert "Subtitle was 1,000 characters" in row.warnings[0] and "(500)" in row.warnings[0]


def test_a_row_that_fits_gets_no_warning():
    row = NormalizedRow(title="t" * 500, publisher="p" * 255, credits=[Credit(name="n" * 255)])
    fit_to_columns(row)
    assert row.warnings == [] and len(row.title) == 500


@pytest.mark.parametrize(
    ("cell", "read_as"),
    [
        # What catalog.csvsafe wrote into a failed-rows download comes back as the original.
        ('\'="9780441172719"', "9780441172719"),
        ("'-2", "-2"),
        ("'@home", "@home"),
        # An apostrophe that starts a real title stays.
        ("'Salem's Lot", "'Salem's Lot"),
        ("'Tis the Season", "'Tis the Season"),
    ],
)
def test_a_neutralised_cell_from_our_own_download_reads_as_the_original(cell, read_as):
    assert clean_cell(cell) == read_as


@pytest.mark.parametrize(
    ("cell", "read_as"),
    [
        ("L&#39;Étranger", "L'Étranger"),  # synthetic, numeric entity
        ("&quot;Surely You're Joking&quot;", '"Surely You\'re Joking"'),  # synthetic
        # A name's own `&`, even before a `;`, is no entity.
        ("AT&T; Bell Labs", "AT&T; Bell Labs"),
        ("Simon & Schuster; Pocket", "Simon & Schuster; Pocket"),
        ("R&D; &bogus; notes", "R&D; &bogus; notes"),
    ],
)
def test_an_html_entity_in_a_cell_is_read_and_a_plain_ampersand_kept(cell, read_as):
    assert clean_cell(cell) == read_as
