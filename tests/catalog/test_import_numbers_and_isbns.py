"""Issue 12, items 3, 4 and 6: numbers as spreadsheets write them, a header repeated inside
the file, and ISBN warnings that say what a value is.

Every row here is synthetic, written in the shape of the real exports the issue names
(Goodreads 24/31-column, StoryGraph); no value is copied from someone's file.
"""

import pytest

from catalog import isbn
from catalog.importers import RowError, importer_for, read_csv
from catalog.importers.parsing import (
    is_repeated_header,
    parse_whole_number,
    parse_year,
)
from catalog.models import Edition, ImportRow, Work
from tests.catalog.import_rows import HEADER, goodreads_file, goodreads_row, read_one, run_import
from tests.catalog.test_importers import GOODREADS_31

# --- 3. Numbers written by spreadsheets and pandas ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("128", 128),
        ("128.0", 128),
        ("2024.0", 2024),
        ("128,0", 128),
        ("1,234", 1234),
        ("1,000", 1000),
        ("1.000", 1000),
        ("2024.00", 2024),
        ("1.234", 1234),  # German / Spanish / Turkish thousands: a page count is never 1.234
        ("1 234", 1234),
        ("12.5", None),
        ("1,23", None),
        ("1.234,5", None),
        ("many", None),
        ("", None),
    ],
)
def test_whole_numbers_as_spreadsheets_and_pandas_write_them(value, number):
    assert parse_whole_number(value) == number


def test_pandas_years_and_pages_are_stored_not_dropped():
    row = read_one(
        Title="Synthetic Pandas Book",
        Author="A. Writer",
        Number_of_Pages="128.0",
        Year_Published="2024.0",
        Original_Publication_Year="1,999",
    )
    assert (row.page_count, row.publication_year, row.first_published_year) == (128, 2024, 1999)
    assert row.warnings == []


def test_an_unreadable_number_or_date_warns_instead_of_vanishing():
    row = read_one(
        Title="Synthetic Damaged Numbers",
        Author="A. Writer",
        Number_of_Pages="12.5",
        Year_Published="next year",
        Date_Read="someday",
    )
    assert row.page_count is None and row.publication_year is None and row.date_read == ""
    assert row.warnings == [
        "Number of Pages '12.5' is not a page count; it was ignored.",
        "Year Published 'next year' is not a year; it was ignored.",
        "Date Read 'someday' is not a date; it was ignored.",
    ]


@pytest.mark.parametrize(("value", "year"), [("-750", -750), ("8", 8), ("80.0", 80)])
def test_an_ancient_original_publication_is_kept(value, year):
    row = read_one(Title="Synthetic Epic", Author="A Poet", Original_Publication_Year=value)
    assert row.first_published_year == year and row.warnings == []
    assert parse_year(value) is None  # an edition was printed after the year 100


def test_zero_pages_is_unknown_not_damage():
    row = read_one(Title="Synthetic Zero", Author="A. Writer", Number_of_Pages="0")
    assert row.page_count is None and row.warnings == []


# --- 4. A header row repeated inside the file ----------------------------------------------------


def test_a_repeated_header_is_recognised_in_any_case_or_layout():
    assert is_repeated_header(HEADER, HEADER)
    assert is_repeated_header(HEADER, [name.upper() + " " for name in HEADER])
    assert is_repeated_header(HEADER, GOODREADS_31.split(","))  # the other Goodreads layout
    assert not is_repeated_header(
        HEADER, goodreads_row(Title="Title", Author="Author", Book_Id="7")
    )
    assert not is_repeated_header(HEADER, goodreads_row(Title="Title"))


def test_a_repeated_header_row_fails_alone_and_the_file_says_where():
    data = goodreads_file(
        goodreads_row(Book_Id="1", Title="Synthetic First", Author="A. Writer"),
        HEADER,
        goodreads_row(Book_Id="2", Title="Synthetic Second", Author="A. Writer"),
    )
    csv_file = read_csv(data)
    assert csv_file.warnings == [
        "Line 3 repeats the header row (exports joined together?); it was skipped."
    ]
    importer = importer_for(csv_file.header)
    with pytest.raises(RowError, match="repeats the header row"):
        importer.read_row(csv_file.rows[1][1])


# --- 6. ISBN warnings that say what a value is ---------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "warning"),
    [
        ('="978152939268"', "ISBN13 '978152939268' has 12 digits: an ISBN-13 with a digit missing"),
        ('="0785342510591"', "ISBN13 '0785342510591' is a product barcode (EAN), not an ISBN"),
        ('="036000291452"', "ISBN13 '036000291452' is a product barcode (UPC), not an ISBN"),
        ('="9780306406158"', "ISBN13 '9780306406158' has a wrong check digit"),
        ('="3937989426"', "ISBN13 '3937989426' looks like ISBN-13 9783937989426 without its 978"),
        ('="9783000469"', "ISBN13 '9783000469' has 10 digits starting like an ISBN-13: an"),
        ('="0306406153"', "ISBN13 '0306406153' has a wrong check digit"),
        ('="1234567890123"', "ISBN13 '1234567890123' has 13 digits but is neither an ISBN nor"),
    ],
)
def test_a_value_that_is_not_an_isbn_says_what_it_is(cell, warning):
    row = read_one(Title="Synthetic Ids", Author="A. Writer", ISBN13=cell)
    assert row.isbn13 == "" and row.isbn10 == ""
    assert len(row.warnings) == 1 and row.warnings[0].startswith(warning)
    assert row.warnings[0].endswith("it was not used as an ISBN.")


def test_an_isbn10_in_the_isbn13_column_is_read_with_a_note():
    row = read_one(Title="Synthetic Ten", Author="A. Writer", ISBN13='="0306406152"')
    assert (row.isbn13, row.isbn10) == ("9780306406157", "0306406152")
    assert row.warnings == [
        "ISBN13 '0306406152' is an ISBN-10; it was read as ISBN-13 9780306406157."
    ]


def test_a_pandas_float_isbn_is_read_digit_for_digit():
    row = read_one(Title="Synthetic Float", Author="A. Writer", ISBN13="9780306406157.0")
    assert row.isbn13 == "9780306406157" and row.warnings == []


def test_an_isbn_column_repeating_the_isbn13_without_978_is_no_damage():
    row = read_one(
        Title="Synthetic Echo", Author="A. Writer", ISBN13='="9783937989426"', ISBN='="3937989426"'
    )
    assert (row.isbn13, row.other_ids, row.warnings) == ("9783937989426", [], [])


def test_why_not_isbn_never_repairs_a_value():
    assert isbn.why_not_isbn("978152939268") == "isbn13_digit_missing"
    assert isbn.parse_isbn("978152939268") is None
    assert isbn.why_not_isbn("0785342510591") == "ean"
    assert isbn.why_not_isbn("0306406153") == "isbn10_check"
    assert isbn.why_not_isbn("B07MNWKF2M") == "" and isbn.why_not_isbn("38549081") == ""


# --- Against the database: what the catalog ends up holding -------------------------------------


@pytest.mark.django_db
def test_pandas_numbers_reach_the_edition_and_the_work():
    data = goodreads_file(
        goodreads_row(
            Book_Id="1",
            Title="Synthetic Pandas Book",
            Author="A. Writer",
            ISBN13="9780306406157.0",
            Number_of_Pages="128.0",
            Year_Published="2024.0",
            Original_Publication_Year="1999.0",
        )
    )
    run_import(data)
    edition = Edition.objects.get()
    assert edition.isbn13 == "9780306406157" and edition.page_count == 128
    assert edition.publication_date.year == 2024 and edition.publication_date_precision == "year"
    assert edition.work.first_published_year == 1999


@pytest.mark.django_db
def test_a_repeated_header_makes_no_book_and_is_a_failed_row_with_the_reason():
    data = goodreads_file(
        goodreads_row(Book_Id="1", Title="Synthetic First", Author="A. Writer"),
        HEADER,
        goodreads_row(Book_Id="2", Title="Synthetic Second", Author="A. Writer"),
    )
    job = run_import(data)
    assert (job.created_count, job.failed_count) == (2, 1)
    assert not Work.objects.filter(title="Title").exists()
    assert not Work.objects.filter(credits__author__name="Additional Authors").exists()
    failed = job.rows.get(status=ImportRow.Status.FAILED)
    assert failed.line_number == 3 and "repeats the header row" in failed.error
    assert any("Line 3 repeats the header row" in warning for warning in job.warnings)
