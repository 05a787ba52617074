"""Issue 12, items 2-7: every row of a real export's shape is read right and matched right.

Every row here is synthetic, written in the shape of the real exports the issue names
(Goodreads 24/31-column, StoryGraph); no value is copied from someone's file.
"""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog import isbn, services, text
from catalog.importers import RowError, importer_for, read_csv
from catalog.importers.base import (
    NormalizedRow,
    fit_to_columns,
    is_repeated_header,
    parse_title,
    parse_title_parts,
    parse_whole_number,
    parse_year,
)
from catalog.models import Edition, ImportJob, ImportRow, Work, WorkSeries
from tests.catalog.test_importers import GOODREADS_24, GOODREADS_31, STORYGRAPH
from tests.factories import make_edition, make_work

HEADER = GOODREADS_24.split(",")
COLUMN = {name: index for index, name in enumerate(HEADER)}


def goodreads_row(**cells: str) -> list[str]:
    """A synthetic Goodreads 24-column row: cells by column name, the others empty."""
    row = [""] * len(HEADER)
    for name, value in cells.items():
        row[COLUMN[name.replace("_", " ")]] = value
    return row


def goodreads_file(*rows: list[str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def read_one(**cells: str) -> NormalizedRow:
    importer = importer_for(HEADER)
    return importer.read_row(goodreads_row(**cells))


# --- 2. Several series -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "entries"),
    [
        (
            "Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
            "Raising Steam",
            [("Discworld", "40"), ("Moist von Lipwig", "3")],
        ),
        ("Synthetic Novel (Some Series #2)", "Synthetic Novel", [("Some Series", "2")]),
        (
            "Synthetic Novel (Some Series, #4, Part 2)",
            "Synthetic Novel",
            [("Some Series", "4, Part 2")],
        ),
        ("Synthetic Omnibus (Some Series, #1-3)", "Synthetic Omnibus", [("Some Series", "1-3")]),
        ("Synthetic Prequel (Some Series, #0.5)", "Synthetic Prequel", [("Some Series", "0.5")]),
        (
            "Concurrent Programming (Prentice-Hall International Series in Computer Science)",
            "Concurrent Programming",
            [("Prentice-Hall International Series in Computer Science", "")],
        ),
        (
            "Cien años de soledad (Colección Austral)",
            "Cien años de soledad",
            [("Colección Austral", "")],
        ),
        ("Σειρά βιβλίων (Μια Σειρά, #2)", "Σειρά βιβλίων", [("Μια Σειρά", "2")]),
        (
            "Synthetic Analytics (Synthetic Data Mining and Discovery Series Book 36)",
            "Synthetic Analytics",
            [("Synthetic Data Mining and Discovery Series", "36")],
        ),
        # Not series: part of the title.
        (
            "Rio de Janeiro (Ten Moments That Shaped)",
            "Rio de Janeiro (Ten Moments That Shaped)",
            [],
        ),
        ("Synthetic Audio (Unabridged)", "Synthetic Audio (Unabridged)", []),
        ("Synthetic Tome (Library Edition)", "Synthetic Tome (Library Edition)", []),
        ("(Some Series, #1)", "(Some Series, #1)", []),
    ],
)
def test_every_series_of_a_title_is_read_with_its_number(raw, title, entries):
    assert text.split_series_entries(raw) == (title, entries)
    assert text.split_series(raw) == (title, *(entries[0] if entries else ("", "")))


def test_a_goodreads_row_in_two_series_keeps_both_the_first_primary():
    row = read_one(Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)", Author="T. P.")
    assert (row.title, row.series, row.series_number) == ("Raising Steam", "Discworld", "40")
    assert row.series_entries == [("Discworld", "40"), ("Moist von Lipwig", "3")]
    assert row.as_json()["series_entries"] == [("Discworld", "40"), ("Moist von Lipwig", "3")]


def test_parse_title_keeps_its_four_values_for_the_primary_series():
    assert parse_title("Raising Steam (Discworld, #40; Moist von Lipwig, #3)") == (
        "Raising Steam",
        "",
        "Discworld",
        "40",
    )


def test_series_are_fitted_to_their_columns_once_each():
    row = NormalizedRow(
        title="T",
        series_entries=[("S" * 300, "1"), ("Other", "1" * 17), ("other", "2")],
    )
    fit_to_columns(row)
    assert row.series_entries == [("S" * 255, "1"), ("Other", "")]
    assert (row.series, row.series_number) == ("S" * 255, "1")
    assert [w.split(" ", 1)[0] for w in row.warnings] == ["Series", "Series"]


def test_matching_still_strips_every_series_from_titles():
    from enrichment.matching import clean_title

    assert clean_title("Raising Steam (Discworld, #40; Moist von Lipwig, #3)") == "raising steam"
    assert clean_title("Concurrent Programming (Prentice-Hall International Series in X)") == (
        "concurrent programming"
    )


# --- 5. A spaced dash starts a subtitle ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "subtitle"),
    [
        ("Ich habe eine Axt – Best Of", "Ich habe eine Axt", "Best Of"),
        (
            "Ich habe eine Axt - Urlaub in den Misantropen",
            "Ich habe eine Axt",
            "Urlaub in den Misantropen",
        ),
        ("Synthetic — A Dash Subtitle (Some Series, #2)", "Synthetic", "A Dash Subtitle"),
        ("The Silk Roads: A New History", "The Silk Roads", "A New History"),
        ("Spider-Man and the Hyphen", "Spider-Man and the Hyphen", ""),
        ("Title (Penguin Classics; Odd)", "Title (Penguin Classics; Odd)", ""),  # no split inside
    ],
)
def test_text_after_a_spaced_dash_or_colon_is_the_subtitle(raw, title, subtitle):
    got_title, got_subtitle, _entries = parse_title_parts(raw)
    assert (got_title, got_subtitle) == (title, subtitle)


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


def run_import(data: bytes, **kwargs) -> ImportJob:
    job = services.import_job_create(data=data, filename="synthetic-export.csv", **kwargs)
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_book_in_two_series_gets_both_and_a_reimport_changes_nothing():
    data = goodreads_file(
        goodreads_row(
            Book_Id="101",
            Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
            Author="Synthetic Author",
            ISBN13='="9780306406157"',
        ),
        goodreads_row(
            Book_Id="102",
            Title="Concurrent Programming (Prentice-Hall International Series in Computer Science)",
            Author="Other Author",
        ),
    )
    job = run_import(data)
    assert job.created_count == 2
    steam = Work.objects.get(title="Raising Steam")
    assert (steam.series, steam.series_number) == ("Discworld", "40")
    assert [(s.name, s.number, s.position) for s in steam.series_entries.all()] == [
        ("Discworld", "40", 0),
        ("Moist von Lipwig", "3", 1),
    ]
    concurrent = Work.objects.get(title="Concurrent Programming")
    assert concurrent.series == "Prentice-Hall International Series in Computer Science"
    again = run_import(data)
    assert (again.created_count, again.updated_count, again.duplicate_count) == (0, 0, 2)
    assert WorkSeries.objects.count() == 3


@pytest.mark.django_db
def test_a_known_work_without_series_gains_them_its_own_primary_first():
    work = make_work(
        "Raising Steam", authors=["Synthetic Author"], series="Discworld", series_number="40"
    )
    make_edition(work, isbn13="9780306406157")
    bare = make_work("Synthetic Bare", authors=["Synthetic Author"])
    make_edition(bare, isbn13="9781861972712")
    data = goodreads_file(
        goodreads_row(
            Title="Raising Steam (Moist von Lipwig, #3; Discworld, #40)",
            Author="Synthetic Author",
            ISBN13='="9780306406157"',
        ),
        goodreads_row(
            Title="Synthetic Bare (Bare Saga, #1)",
            Author="Synthetic Author",
            ISBN13='="9781861972712"',
        ),
    )
    job = run_import(data)
    assert job.updated_count == 2
    assert [(s.name, s.number) for s in work.series_entries.all()] == [
        ("Discworld", "40"),
        ("Moist von Lipwig", "3"),
    ]
    bare.refresh_from_db()
    assert (bare.series, bare.series_number) == ("Bare Saga", "1")
    assert list(bare.series_entries.values_list("name", "position")) == [("Bare Saga", 0)]


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
        )
    )
    run_import(data)
    edition = Edition.objects.get()
    assert edition.isbn13 == "9780306406157" and edition.page_count == 128
    assert edition.publication_date.year == 2024 and edition.publication_date_precision == "year"
    assert edition.work.first_published_year == 2024


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


@pytest.mark.django_db
def test_two_books_whose_subtitles_differ_stay_two_works():
    data = goodreads_file(
        goodreads_row(
            Book_Id="11",
            Title="Ich habe eine Axt - Urlaub in den Misantropen",
            Author="Synthetic Autor",
            ISBN13='="9783161484100"',
        ),
        goodreads_row(
            Book_Id="12",
            Title="Ich habe eine Axt – Best Of",
            Author="Synthetic Autor",
            ISBN13='="9780306406157"',
        ),
    )
    job = run_import(data)
    assert job.created_count == 2
    works = Work.objects.order_by("subtitle")
    assert [(w.title, w.subtitle) for w in works] == [
        ("Ich habe eine Axt", "Best Of"),
        ("Ich habe eine Axt", "Urlaub in den Misantropen"),
    ]
    assert all(w.editions.count() == 1 for w in works)


@pytest.mark.django_db
def test_a_work_stored_with_its_subtitle_in_the_title_is_not_merged_with_another():
    # Imported before subtitles were split at a dash: the subtitle sits in the title.
    old = make_work("Ich habe eine Axt - Urlaub in den Misantropen", authors=["Synthetic Autor"])
    make_edition(old, isbn13="9783161484100")
    data = goodreads_file(
        goodreads_row(
            Title="Ich habe eine Axt – Best Of", Author="Synthetic Autor", ISBN13='="9780306406157"'
        )
    )
    job = run_import(data)
    assert job.created_count == 1
    assert Edition.objects.get(isbn13="9780306406157").work != old


@pytest.mark.django_db
def test_two_isbns_with_different_whole_titles_never_merge_but_the_same_title_does():
    work = make_work("Synthetic Tale", authors=["Synthetic Author"])
    make_edition(work, isbn13="9783161484100")
    data = goodreads_file(
        # Another edition of the same book: the same title, its own ISBN.
        goodreads_row(Title="Synthetic Tale", Author="Synthetic Author", ISBN13='="9780306406157"'),
        # Another book: a subtitle the work lacks, and its own ISBN.
        goodreads_row(
            Title="Synthetic Tale: The Sequel", Author="Synthetic Author", ISBN13='="9781861972712"'
        ),
        # No ISBN: nothing tells it apart, so the title and author decide (as before).
        goodreads_row(Title="Synthetic Tale: A Novel", Author="Synthetic Author"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert (rows[0].status, rows[0].work, rows[0].matched_by) == ("updated", work, "title_author")
    assert rows[1].status == "created" and rows[1].work != work
    assert rows[2].work == work and rows[2].matched_by == "title_author"


@pytest.mark.django_db
def test_goodreads_ids_tell_two_books_apart_like_isbns():
    data = goodreads_file(
        goodreads_row(Book_Id="31", Title="Synthetic Border - Part One", Author="A. Writer"),
        goodreads_row(Book_Id="32", Title="Synthetic Border", Author="A. Writer"),
        goodreads_row(Book_Id="33", Title="Synthetic Border – Part One", Author="A. Writer"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert [row.status for row in rows] == ["created", "created", "updated"]
    assert rows[2].work == rows[0].work and rows[2].matched_by == "earlier_row"
    assert rows[1].work != rows[0].work


@pytest.mark.django_db
def test_an_isbn_shared_with_another_book_warns_naming_both():
    work = make_work("The Subtle Knife", authors=["Philip Pullman"])
    make_edition(work, isbn13="9780306406157")
    data = goodreads_file(
        goodreads_row(
            Book_Id="9", Title="Nine Digit Book", Author="Other Author", ISBN13='="9780306406157"'
        ),
        # A decorated title by the same author: the same book, no warning.
        goodreads_row(
            Title="The Subtle Knife (His Dark Materials, #2)",
            Author="Philip Pullman",
            ISBN13='="9780306406157"',
        ),
    )
    job = run_import(data)
    mismatch, same = job.rows.order_by("line_number")
    assert mismatch.work == work and mismatch.matched_by == ImportRow.MatchedBy.ISBN
    assert mismatch.messages == [
        "ISBN 9780306406157 is already in the catalog as 'The Subtle Knife' by Philip Pullman; "
        "this row says 'Nine Digit Book' by Other Author."
    ]
    assert same.messages == [] and same.matched_by == ImportRow.MatchedBy.ISBN
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_every_match_records_its_key():
    by_goodreads = make_edition(
        make_work("Synthetic G", authors=["G. Writer"]), isbn13=None, goodreads_book_id="4242"
    )
    by_asin = make_edition(
        make_work("Synthetic A", authors=["A. Writer"]), isbn13=None, asin="B07MNWKF2M"
    )
    data = goodreads_file(
        goodreads_row(Book_Id="4242", Title="Synthetic G", Author="G. Writer"),
        goodreads_row(Title="Synthetic A", Author="A. Writer", ISBN="B07MNWKF2M"),
        goodreads_row(
            Book_Id="77", Title="Synthetic New", Author="N. Writer", ISBN13='="9780306406157"'
        ),
        goodreads_row(
            Book_Id="78", Title="Synthetic New", Author="N. Writer", ISBN13='="9780306406157"'
        ),
        goodreads_row(Title="Synthetic New", Author="N. Writer"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert [(r.status, r.matched_by) for r in rows] == [
        ("duplicate", "goodreads_id"),
        ("duplicate", "asin"),
        ("created", ""),
        ("duplicate", "earlier_row"),
        ("duplicate", "earlier_row"),
    ]
    assert rows[0].edition == by_goodreads and rows[1].edition == by_asin
    assert rows[3].edition == rows[2].edition and rows[4].work == rows[2].work


@pytest.mark.django_db
def test_a_book_created_by_an_earlier_batch_of_the_same_file_is_an_earlier_row(monkeypatch):
    monkeypatch.setattr(services, "IMPORT_BATCH_SIZE", 2)
    row = goodreads_row(
        Book_Id="5", Title="Synthetic Twice", Author="A. Writer", ISBN13='="9780306406157"'
    )
    other = goodreads_row(Book_Id="6", Title="Synthetic Other", Author="B. Writer")
    job = run_import(goodreads_file(row, other, row))
    assert job.rows.get(line_number=4).matched_by == ImportRow.MatchedBy.EARLIER_ROW
    again = run_import(goodreads_file(row))
    assert again.rows.get().matched_by == ImportRow.MatchedBy.ISBN


@pytest.mark.django_db
def test_a_storygraph_row_reads_its_series_and_dates_the_same_way():
    data = (
        STORYGRAPH
        + '\n"Raising Steam (Discworld, #40; Moist von Lipwig, #3)",Synthetic Author,,,,read,'
        "2024/01/02,not a date\n"
    ).encode()
    job = run_import(data)
    row = job.rows.get()
    assert row.normalized["series_entries"] == [["Discworld", "40"], ["Moist von Lipwig", "3"]]
    assert row.messages == ["Last Date Read 'not a date' is not a date; it was ignored."]


@pytest.mark.django_db
def test_series_named_only_by_a_later_row_of_the_file_are_kept_once():
    plain = goodreads_row(Title="Synthetic Kangaroo", Author="A. Writer", ISBN13='="9780306406157"')
    series = goodreads_row(
        Title="Synthetic Kangaroo (Kangaroo Saga, #4)",
        Author="A. Writer",
        ISBN13='="9780306406157"',
    )
    first = run_import(goodreads_file(plain, series))
    assert (first.created_count, first.updated_count) == (1, 1)
    work = Work.objects.get()
    assert (work.series, list(work.series_entries.values_list("name", "number"))) == (
        "Kangaroo Saga",
        [("Kangaroo Saga", "4")],
    )
    again = run_import(goodreads_file(plain, series))
    assert again.duplicate_count == 2


@pytest.mark.django_db
def test_the_work_admin_lists_every_series_with_its_number(client):
    run_import(
        goodreads_file(
            goodreads_row(
                Title="Raising Steam (Discworld, #40; Moist von Lipwig, #3)",
                Author="Synthetic Author",
                ISBN13='="9780306406157"',
            )
        )
    )
    work = Work.objects.get()
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    response = client.get(reverse("admin:catalog_work_change", args=[work.pk]))
    assert response.status_code == 200
    assert "Every series" in response.text
    assert "Discworld #40<br>Moist von Lipwig #3" in response.text
