"""What a sweep of Goodreads exports new to the tests found (tests/fixtures/imports/real_shapes,
each file's source in its PROVENANCE.md): an older layout, a spreadsheet's short dates, Korean
books' ISBNs and bindings."""

import datetime

import pytest

from catalog.importers.dates import DAY_FIRST, parse_date
from catalog.importers.parsing import parse_format
from catalog.models import Author, Edition, ImportJob, Work
from tests.catalog.real_lines import import_real


@pytest.mark.django_db
def test_an_older_goodreads_layout_with_bookid_is_read_as_goodreads():
    """An older Goodreads export names its first column `BookId` (and has `RecommendedFor`,
    `BCID`): it was refused as a file no format recognises, to be mapped by hand, and its
    authors' sort names and first publication years were lost."""
    job = import_real("goodreads-ghomakkad-bookid-layout.csv")
    assert job.source == "goodreads"
    assert sorted(
        Edition.objects.values_list(
            "work__title", "goodreads_book_id", "work__first_published_year", "isbn13"
        )
    ) == [
        ("A Heartbreaking Work of Staggering Genius", "4953", 2000, "9780375725784"),
        ("Macintosh System 7.5 for Dummies", "2166491", 1994, "9781568841977"),
    ]
    assert Work.objects.get(title__startswith="A Heartbreaking").credits.get().author.sort_name == (
        "Eggers, Dave"
    )


@pytest.mark.django_db
def test_a_spreadsheets_short_dates_with_two_digit_years_are_read():
    """A Goodreads export re-saved by a spreadsheet writes its dates `31/3/22` and `11/1/23`:
    every one of its 187 rows warned "Date Added '31/3/22' is not a date" and lost its dates
    read and added. They are 31 March 2022 and, day first as the file's other dates show,
    11 January 2023."""
    job = import_real("goodreads-niallwhelan1-two-digit-years.csv")
    rows = {row.line_number: row for row in job.rows.all()}
    assert job.rows.filter(has_warnings=True).count() == 0
    assert (rows[2].normalized["date_read"], rows[2].normalized["date_added"]) == (
        "2023-01-11",
        "2022-03-31",
    )
    assert (rows[3].normalized["date_read"], rows[3].normalized["date_added"]) == (
        "2023-01-09",
        "2023-01-08",
    )


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("31/3/22", "2022-03-31"),
        ("4/1/22", "2022-01-04"),  # in the file's order, day first
        ("1/2/95", "1995-02-01"),  # a year past this one is of the century before
        ("31/3/2022", "2022-03-31"),
        ("31/3/022", ""),
    ],
)
def test_a_two_digit_year_is_the_latest_not_past_this_one(value, date):
    assert parse_date(value, order=DAY_FIRST) == date
    assert datetime.date.today().year >= 2026  # the cases' `95` and `22` assume so


@pytest.mark.django_db
def test_goodreads_isbn10_of_a_979_isbn_is_no_other_isbn():
    """Goodreads gives Korean books with a 979-11 ISBN-13 an "ISBN" of its digits after 979
    with an ISBN-10's check digit (`1129360784` beside 9791129360786); no ISBN-10 exists for
    a 979 ISBN. Each row warned that the two disagree and listed it under Other ids."""
    job = import_real("goodreads-ditadeb-isbn10-of-a-979-isbn.csv")
    assert job.rows.filter(has_warnings=True).count() == 0
    assert sorted(Edition.objects.values_list("isbn13", "isbn10")) == [
        ("9791126452200", ""),
        ("9791129360786", ""),
    ]
    assert all(not row.normalized.get("other_ids") for row in job.rows.all())


@pytest.mark.django_db
def test_a_korean_comics_binding_names_no_format_and_a_list_of_bindings_their_one_format():
    """Bindings `Manhwa` (a Korean comic) and `Webtoon, Webcomic, Manhwa`: each was recorded
    as the format "other" with an "Unrecognized format" note. A manhwa is printed or read on
    the web: no format, as `Manga`; the list names one, a comic of the web, an e-book."""
    job = import_real("goodreads-ditadeb-manhwa.csv")
    assert job.status == ImportJob.Status.COMPLETED
    assert job.rows.filter(has_warnings=True).count() == 0
    assert dict(Edition.objects.values_list("work__title", "format")) == {
        "어느 날 공주가 되어버렸다 1 [Eoneu Nal Gongjuga Doeeobeoryeotda 1] "
        "(Who Made Me a Princess, Season 1)": "",
        "Follow the Bread Crumbs": "ebook",
    }


@pytest.mark.parametrize(
    ("value", "format_"),
    [("Manhua", ""), ("Paperback, Manga", "paperback"), ("Manga, Comic", "")],
)
def test_bindings_listed_together_give_the_one_format_they_name(value, format_):
    assert parse_format(value) == (format_, "")


def test_bindings_listed_together_that_disagree_are_other_with_a_note():
    assert parse_format("Paperback, Hardcover")[0] == "other"


@pytest.mark.django_db
def test_the_binding_comics_names_no_format():
    """Binding `Comics` (The Walking Dead, Vol. 3) was "other" with an "Unrecognized format"
    note; like `Comic`, it says what the book is, not how it is bound."""
    job = import_real("goodreads-roger0-0-comics.csv")
    assert job.rows.filter(has_warnings=True).count() == 0
    assert Edition.objects.get().format == ""


@pytest.mark.django_db
def test_a_kept_goodreads_exports_series_and_part_columns_name_the_series():
    """An owner kept his Goodreads export with columns of his own, among them `Series` and
    `Part` for the series its titles leave out (`Acceptance`, Southern Reach 3): the file was
    read as Goodreads' and the series were lost. They are the works' series."""
    import_real("goodreads-colemanm-series-and-part-columns.csv")
    assert dict(Work.objects.values_list("title", "series").order_by("title")) == {
        "Acceptance": "Southern Reach",
        "Basic Economics": "",
        "Caldé of the Long Sun": "The Book of the Long Sun",
        "Jurassic Park": "Jurassic Park",
    }
    assert Work.objects.get(title="Acceptance").series_number == "3"


@pytest.mark.django_db
def test_an_author_lf_that_is_the_name_unturned_gives_no_sort_name():
    """A program appended books to a Goodreads export with `Author l-f` the name as written,
    `Andy Weir`: the authors were sorted under their given names (`Andy Weir`, among the A's).
    Such a cell is no sort name; Goodreads' own rows keep theirs."""
    import_real("goodreads-booktomo-author-lf-unturned.csv")
    assert dict(Author.objects.values_list("name", "sort_name")) == {
        "Delia Owens": "Owens, Delia",
        "Andy Weir": "",
        "Tara Westover": "",
    }


@pytest.mark.django_db
def test_kindle_misspelt_in_a_binding_is_an_ebook():
    """Binding `Kinde Edition` (a Korean web comic's volume, among the same file's `Kindle
    Edition` rows) was "other" with an "Unrecognized format" note."""
    job = import_real("goodreads-ditadeb-kindle-misspelt.csv")
    assert job.rows.filter(has_warnings=True).count() == 0
    assert list(Edition.objects.values_list("format", flat=True)) == ["ebook"]
