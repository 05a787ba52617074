"""Publication dates as catalogues write them, read by one rule. Pure: no Django, no database.

Every provider's publication date (`enrichment.providers.fields.iso_date` re-exports it) and the
Open Library dump reader's `publish_month` column read dates here, so the enrichment and the
backfill never disagree about when a book came out. The dump reader runs this on tens of
millions of editions (in worker processes that import no Django models): one compiled regular
expression and a table of month names, not a loop of strptime formats.
"""

import re
from collections.abc import Iterable
from typing import Any

from catalog.years import latest_publication_year

FULL_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: English month names and their three-letter abbreviations, lower case -> month number.
MONTHS = {
    name: number
    for number, full in enumerate(FULL_MONTH_NAMES, start=1)
    for name in (full, full[:3])
}
_FULL_NAMES = "|".join(FULL_MONTH_NAMES)
_ALL_NAMES = "|".join(MONTHS)
# Day and month numbers as strptime's %d and %m read them ("5", "05", " 5").
_DAY = r"3[01]|[12]\d|0[1-9]|[1-9]|[ ][1-9]"
_MONTH = r"1[0-2]|0[1-9]|[1-9]"

# "2015", "2015-06", "2015-06-01", "2015-06-01T10:00:00Z": the date part as written, each part
# kept only while it is in the calendar ("2001-13" is 2001, "2001-02-30" February 2001).
_ISO_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
# Every other spelling read exactly (after a final full stop is dropped), one alternative each.
# Numbers alone in day, month and year order are read only when the order cannot be mistaken
# (see _numeric_date): Google Books sends a Brazilian edition's "25/11/2019".
_WRITTEN_DATE = re.compile(
    rf"""
    (?P<num_y>\d{{4}})(?P<sep>[-/.])(?P<num_m>{_MONTH})(?:(?P=sep)(?P<num_d>{_DAY}))?  # 2001-5-3
    | (?P<n_first>\d{{1,2}})(?P<n_sep>[-/.])(?P<n_second>\d{{1,2}})(?P=n_sep)(?P<n_y>\d{{4}})
                                                                            # 25/11/2019
    | (?P<ny_m>{_MONTH})/(?P<ny_y>\d{{4}})                                   # 11/2019
    | (?P<year>\d{{4}})                                                      # 1994. (the stop cut)
    | (?P<mdy_m>{_ALL_NAMES})\s+(?P<mdy_d>{_DAY}),\s+(?P<mdy_y>\d{{4}})      # Jan 22, 1988
    | (?P<dmy_d>{_DAY})\s+(?P<dmy_m>{_FULL_NAMES})\s+(?P<dmy_y>\d{{4}})     # 22 January 1988
    | (?P<my_m>{_ALL_NAMES})\s+(?P<my_y>\d{{4}})                             # Feb 2001
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Anything else: the first plausible year in it ("c1999", "[1987?]", "Spring 2004"): four
# digits that are not part of a longer number; a letter may stand before them (MARC writes a
# copyright date "c1999", a phonogram's "p1999"); a decade ("1990s") is no year.
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d|s\b)")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_real_day(year: int, month: int, day: int) -> bool:
    if day <= 28:
        return True
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS_IN_MONTH[month - 1]


def _written_date(cleaned: str) -> tuple[str, ...] | None:
    """(year, "MM"[, "DD"]) of a date in one of the written spellings, or None (no spelling
    matches, or the date is not in the calendar: February 30th, year 0)."""
    match = _WRITTEN_DATE.fullmatch(cleaned)
    if match is None:
        return None
    groups = match.groupdict()
    if groups["num_y"] is not None:
        year, month, day = groups["num_y"], int(groups["num_m"]), groups["num_d"]
    elif groups["n_y"] is not None:
        numbers = _numeric_day_and_month(int(groups["n_first"]), int(groups["n_second"]))
        if numbers is None:
            return None
        year, (day_number, month) = groups["n_y"], numbers
        day = str(day_number)
    elif groups["ny_y"] is not None:
        year, month, day = groups["ny_y"], int(groups["ny_m"]), None
    elif groups["year"] is not None:
        year_number = int(groups["year"])
        return (str(year_number),) if 0 < year_number <= latest_publication_year() else None
    elif groups["mdy_y"] is not None:
        year, name, day = groups["mdy_y"], groups["mdy_m"], groups["mdy_d"]
        month = MONTHS.get(name.lower(), 0)
    elif groups["dmy_y"] is not None:
        year, name, day = groups["dmy_y"], groups["dmy_m"], groups["dmy_d"]
        month = MONTHS.get(name.lower(), 0)
    else:
        year, name, day = groups["my_y"], groups["my_m"], None
        month = MONTHS.get(name.lower(), 0)
    number = int(year)
    # A name that only matched by Unicode case folding ("ſeptember") is no month name.
    if not month or not number or number > latest_publication_year():
        return None
    if day is None:
        return (str(number), f"{month:02d}")
    day_number = int(day)
    if not _is_real_day(number, month, day_number):
        return None
    return (str(number), f"{month:02d}", f"{day_number:02d}")


def _numeric_day_and_month(first: int, second: int) -> tuple[int, int] | None:
    """(day, month) of a date written as two numbers before its year, or None when the order
    cannot be told: "25/11/2019" is day first, "11/25/2019" month first, "5/5/2019" either
    way the same day; "3/11/2019" is March or November, so only its year is read."""
    if not first or not second:
        return None
    if first == second <= 12 or (first > 12 and second <= 12):
        return first, second
    if second > 12 and first <= 12:
        return second, first
    return None


def _iso_parts(year: str, month: str | None, day: str | None) -> tuple[str, ...]:
    """An ISO prefix's parts, each kept while it is in the calendar: "2001-13" is 2001 and
    "2001-02-30" February 2001 (a date the catalog cannot store); year 0 and a year past the
    latest a book may have (catalog.years) are no year."""
    if not 0 < int(year) <= latest_publication_year():
        return ()
    if month is None or not 1 <= int(month) <= 12:
        return (year,)
    if day is None or int(day) < 1 or not _is_real_day(int(year), int(month), int(day)):
        return (year, month)
    return (year, month, day)


def date_parts(value: Any) -> tuple[str, ...]:
    """A publication date's parts as precise as known: ("2015",), ("2015", "06") or
    ("2015", "06", "01"); () when it names no year.

    Takes ints (ISBNdb's `date_published: 2015`), ISO dates and timestamps (their parts as
    written), English dates ("January 22, 1988", "22 January 1988", "Feb 2001", "2001-5-3");
    anything else falls back to the first plausible year in it (from 1500); a year past the
    latest a book may have (catalog.years: "8858", "2090") is none.
    """
    if value is None or isinstance(value, dict | list) or value is True or value is False:
        return ()
    raw = (value if type(value) is str else str(value)).replace("\x00", "").strip()
    if not raw:
        return ()
    if match := _ISO_PREFIX.match(raw):
        return _iso_parts(*match.groups())
    if written := _written_date(raw.rstrip(".")):
        return written
    year = _YEAR.search(raw)
    return (year.group(1),) if year and int(year.group(1)) <= latest_publication_year() else ()


def iso_date(value: Any) -> str:
    """A publication date as an ISO prefix as precise as known ("2015", "2015-06",
    "2015-06-01"), or "" (see `date_parts`)."""
    return "-".join(date_parts(value))


def openlibrary_date_parts(value: Any) -> tuple[str, ...]:
    """`date_parts` of an Open Library `publish_date`, where December 31 is the year alone.

    Open Library's bulk imports wrote a year they knew no more of as "December 31, <year>": in
    our real dump slice 177 of the 266 dates with a day are December 31 (none is January 1),
    where a real day would be about one in 365. The API, the search and the dump read it alike.
    """
    parts = date_parts(value)
    return parts[:1] if parts[1:] == ("12", "31") else parts


def openlibrary_iso_date(value: Any) -> str:
    """`iso_date` of an Open Library `publish_date` (see `openlibrary_date_parts`)."""
    return "-".join(openlibrary_date_parts(value))


# Archive.org's search index (Solr) keeps an item's `date` as a timestamp: a date known to the
# year is indexed as its 1 January at midnight, one known to the month as its first day.
_INDEX_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-01T00:00:00Z$")


def archive_org_date_parts(value: Any) -> tuple[str, ...]:
    """`date_parts` of Archive.org's `date`, no more precise than its search index can tell:
    a midnight timestamp on the 1st is its month, on 1 January its year (the recorded answer
    dates "Constellation Quarterly Report June 2009" 2009-01-01T00:00:00Z). An item's own
    metadata ("2009", "2009-06-17") is read as written."""
    parts = date_parts(value)
    if len(parts) == 3 and isinstance(value, str) and _INDEX_TIMESTAMP.match(value.strip()):
        return parts[:1] if parts[1] == "01" else parts[:2]
    return parts


def archive_org_iso_date(value: Any) -> str:
    """`iso_date` of Archive.org's `date` (see `archive_org_date_parts`)."""
    return "-".join(archive_org_date_parts(value))


def year_of(value: Any) -> int | None:
    date = iso_date(value)
    return int(date[:4]) if date else None


def publish_month(value: Any) -> int | None:
    """A date as the number YYYYMM (199312 for "December 1993"), YYYY00 when only its year is
    known ("1994"; also an ISO month outside 1-12), None without a year (or year 0)."""
    return _month_number(date_parts(value))


def openlibrary_publish_month(value: Any) -> int | None:
    """`publish_month` of an Open Library `publish_date`: "December 31, 1992" is 199200 (see
    `openlibrary_date_parts`)."""
    return _month_number(openlibrary_date_parts(value))


def _month_number(parts: tuple[str, ...]) -> int | None:
    if not parts:
        return None
    year = int(parts[0])
    if not year:
        return None
    month = int(parts[1]) if len(parts) > 1 else 0
    return year * 100 + (month if 1 <= month <= 12 else 0)


def first_published_in(publish_months: Iterable[int | None], *, year: int, month: int) -> bool:
    """Whether a work whose editions carry these `publish_month`s was first published in that
    month: one edition is dated that month and none is dated earlier. A year-only date of the
    same year (YYYY00) is not earlier (its month is unknown); one of an earlier year is.
    Undated editions (None) say nothing.

    `enrichment.dump.first_published.works_first_published` asks the same of the dump tables in SQL.
    """
    target, same_year = year * 100 + month, year * 100
    dated = [value for value in publish_months if value is not None]
    return target in dated and not any(value < target and value != same_year for value in dated)
