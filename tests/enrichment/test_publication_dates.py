"""The one rule for publication dates: providers' `iso_date`, the dump's `publish_month`, and
"first published in a month". Pure functions: no database.

The `iso_date` cases are what the strptime loop it replaced answered (checked against it on
some 200,000 generated spellings when it was replaced).
"""

import subprocess
import sys

import pytest

from catalog.importers.parsing import parse_year
from catalog.years import latest_publication_year
from enrichment import publication_dates
from enrichment.providers import fields
from enrichment.publication_dates import (
    archive_org_date_parts,
    first_published_in,
    iso_date,
    openlibrary_iso_date,
    openlibrary_publish_month,
    publish_month,
    year_of,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ISO prefixes and timestamps, their parts as written
        ("2015", "2015"),
        ("2015-06", "2015-06"),
        ("2015-06-01", "2015-06-01"),
        ("2015-06-01T10:20:30Z", "2015-06-01"),
        ("1994 printing", "1994"),
        (2015, "2015"),  # ISBNdb's date_published
        # Open Library's and others' English dates
        ("December 1993", "1993-12"),
        ("Feb 2001", "2001-02"),
        ("MAY 2000", "2000-05"),
        ("December 31, 1992", "1992-12-31"),
        ("Nov 25, 2010", "2010-11-25"),
        ("January  5,  1988", "1988-01-05"),
        ("22 January 1988", "1988-01-22"),
        ("1 may 2001", "2001-05-01"),
        ("2001-5-3", "2001-05-03"),
        ("2001-5", "2001-05"),
        ("1994.", "1994"),
        ("December 1993.", "1993-12"),
        ("0999.", "999"),
        # Not in the calendar, or no spelling it knows: the first plausible year
        ("February 30, 2001", "2001"),
        ("February 29, 1900", "1900"),
        ("February 29, 2000", "2000-02-29"),
        ("22 Jan 1988", "1988"),  # "%d %b %Y" was never a spelling it read
        ("Sept 5, 1988", "1988"),
        ("January 22,1988", "1988"),
        ("c1999", "1999"),  # MARC's copyright date ("c" for ©), as catalogues write it
        ("c2001.", "2001"),
        ("p1999", "1999"),  # a sound recording's (℗) date
        ("[c1987]", "1987"),
        ("ISBN 9781999000000", ""),  # a year inside a longer number is none
        ("1990s", ""),  # a decade
        ("c. 1999", "1999"),
        ("[1987?]", "1987"),
        ("Spring 2004", "2004"),
        ("ſeptember 2001", "2001"),  # matches "september" only by Unicode case folding
        ("19\x0094", "1994"),  # NUL dropped, as fields.text does
        # No year
        ("n.d.", ""),
        ("1499", "1499"),
        ("in 1499", ""),  # a year before 1500 is only read when it is the whole value
        ("0000.", ""),
        ("", ""),
        ("   ", ""),
        (None, ""),
        (True, ""),
        (["1994"], ""),
        ({"value": "1994"}, ""),
    ],
)
def test_iso_date_reads_each_spelling_as_before(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # An ISO part out of the calendar is dropped, not proposed ("2001-13" could not be
        # stored, and was shown to the reviewer as it came)
        ("2001-13", "2001"),
        ("2001-00", "2001"),
        ("2019-25-11", "2019"),  # year, day, month: the month is not 25
        ("2003-02-30", "2003-02"),
        ("2003-05-00", "2003-05"),
        ("2015-06-31T00:00:00Z", "2015-06"),
        # A year no book was published in is no year (Open Library's "8858", a "9999")
        ("8858", ""),
        ("9999", ""),
        ("9999.", ""),
        ("0000", ""),
        # Numbers in day and month order, read when the order cannot be mistaken
        ("25/11/2019", "2019-11-25"),  # Google Books' Brazilian volume R7KuDwAAQBAJ
        ("11/25/2019", "2019-11-25"),
        ("15.06.2003", "2003-06-15"),
        ("15-06-2003", "2003-06-15"),
        ("5/5/2019", "2019-05-05"),
        ("3/11/2019", "2019"),  # March or November: the year only
        ("13/13/2019", "2019"),
        ("31/02/2019", "2019"),
        ("0/5/2019", "2019"),
        ("11/2019", "2019-11"),
        ("13/2019", "2019"),
        ("2003/05/01", "2003-05-01"),
        ("2003.05.01", "2003-05-01"),
        ("2003-5/1", "2003"),
        ("18??", ""),  # Google Books' approximate century (volume kyVDz2NJAqsC)
    ],
)
def test_a_date_out_of_the_calendar_or_in_numbers_is_no_wrong_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    "written",
    ["{year}", "{year}-05", "{year}-05-01", "May {year}", "May 1, {year}", "1/{year}", "c{year}"],
)
def test_a_year_past_the_latest_a_book_may_have_gives_no_date(written):
    """A provider's year after this year and five more (a "2090" for "2009") was proposed up to
    2099, where an export's was dropped: the latest year a book may have is one rule
    (catalog.years), the importers'."""
    latest = latest_publication_year()
    for year in (latest + 1, 2090):
        assert iso_date(written.format(year=year)) == ""
        assert publish_month(written.format(year=year)) is None
    assert parse_year(str(latest + 1)) is None
    assert iso_date(written.format(year=latest)).startswith(str(latest))


def test_providers_and_the_dump_share_the_rule():
    assert fields.iso_date is publication_dates.iso_date
    assert fields.year_of is publication_dates.year_of
    assert year_of("December 31, 1992") == 1992 and year_of("n.d.") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("December 1993", 199312),
        ("December 31, 1992", 199212),
        ("2001-05-03", 200105),
        ("1994", 199400),  # the year alone
        ("2001-13", 200100),  # a month that is none: the year alone
        ("25/11/2019", 201911),
        ("8858", None),
        ("2001-00", 200100),
        ("Spring 2004", 200400),
        ("0000", None),
        ("n.d.", None),
        ("", None),
        (None, None),
    ],
)
def test_publish_month(value, expected):
    assert publish_month(value) == expected


@pytest.mark.parametrize(
    ("value", "date", "month"),
    [
        # Open Library's bulk imports wrote a year alone as December 31 of it (177 of the 266
        # dates with a day in the real dump slice): the year alone, never that day or December.
        ("December 31, 1992", "1992", 199200),
        ("Dec 31, 1992", "1992", 199200),
        ("1992-12-31", "1992", 199200),
        # Every other date reads as for any provider.
        ("December 17, 1995", "1995-12-17", 199512),
        ("December 30, 1992", "1992-12-30", 199212),
        ("January 1, 2002", "2002-01-01", 200201),
        ("December 1993", "1993-12", 199312),
        ("1994", "1994", 199400),
        ("n.d.", "", None),
    ],
)
def test_open_librarys_december_31_is_the_year_alone(value, date, month):
    assert openlibrary_iso_date(value) == date
    assert openlibrary_publish_month(value) == month


def test_other_providers_december_31_is_that_day():
    # No other provider's answers show the habit: Google Books' "2015-12-31" is that day.
    assert iso_date("2015-12-31") == "2015-12-31" and publish_month("2015-12-31") == 201512


@pytest.mark.parametrize(
    ("months", "first_published"),
    [
        ([200103], True),
        ([200103, 200107, 200200], True),  # later editions do not matter
        ([200100, 200103], True),  # "2001" may be any month of 2001
        ([200000, 200103], False),  # "2000" is earlier whatever its month
        ([200101, 200103], False),
        ([None, 200103, None], True),  # undated editions say nothing
        ([200100], False),  # no edition dated that month
        ([200104], False),
        ([], False),
    ],
)
def test_first_published_in(months, first_published):
    assert first_published_in(months, year=2001, month=3) is first_published


def test_the_dump_reader_imports_no_django_models():
    """The loader's worker processes import the reader without setting Django up."""
    code = (
        "import sys, enrichment.dump.reader; "
        "print([m for m in sys.modules if m.endswith('.models') or m == 'django.conf'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("2009-01-01T00:00:00Z", ("2009",)),  # the search index's year alone
        ("2009-06-01T00:00:00Z", ("2009", "06")),  # its month alone
        ("2010-09-13T00:00:00Z", ("2010", "09", "13")),
        ("2009-01-01", ("2009", "01", "01")),  # an item's own metadata, as written
        ("2009", ("2009",)),
        ("", ()),
    ],
)
def test_archive_org_dates_are_no_more_precise_than_its_index_can_tell(value, parts):
    assert archive_org_date_parts(value) == parts
