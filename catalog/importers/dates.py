"""Dates in an export's cells: ISO dates and ranges, and a spreadsheet's own numeric dates,
whose day and month order is read from the date itself or, where either order makes a date,
from the order the file's other dates show (BaseImporter.settle_date_order)."""

import datetime
import re

_DATE = re.compile(r"(\d{4})[/-](\d{1,2})(?:[/-](\d{1,2}))?")
# A spreadsheet's own date: `4/30/2023` (month first, as US spreadsheets write it) or
# `30.4.2023` / `30/4/2023` (day first, as most others do), its year in two digits too, as a
# short date format writes it (`31/3/22`).
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")


#: The orders a spreadsheet writes a date's day and month in (`numeric_date_order`).
DAY_FIRST, MONTH_FIRST = "day_first", "month_first"


def parse_date(value: str, *, order: str = "") -> str:
    """`2025/06/29`, `2025-06-29`, or a range `2023/05/23-2023/06/07` (its end) -> ISO date;
    a spreadsheet's `4/30/2023` or `30.4.2023` when only one order makes it a date (see
    `is_ambiguous_date`), or `4/1/2024` in the `order` the file's other dates show
    (DAY_FIRST, MONTH_FIRST; "" when they do not: such a date is not guessed)."""
    matches = _DATE.findall(value or "")
    if not matches:
        numeric = _numeric_parts(value)
        return _numeric_date(*numeric, order=order) if numeric else ""
    year, month, day = matches[-1]
    return _iso_date(int(year), int(month), int(day or 1))


def is_ambiguous_date(value: str) -> bool:
    """`4/1/2024`: 4 January or April 1, by the spreadsheet's country; such a date is not
    guessed."""
    numeric = _numeric_parts(value)
    if not numeric:
        return False
    first, second, year = numeric
    return first != second and bool(
        _iso_date(year, first, second) and _iso_date(year, second, first)
    )


def numeric_date_order(value: str) -> str:
    """The order a spreadsheet's numeric date shows it was written in: `30.4.2023` DAY_FIRST,
    `4/30/2023` MONTH_FIRST; "" for any other cell (`4/1/2024` could be either)."""
    numeric = _numeric_parts(value)
    if not numeric:
        return ""
    first, second, year = numeric
    if first > 12 and _iso_date(year, second, first):
        return DAY_FIRST
    if second > 12 and _iso_date(year, first, second):
        return MONTH_FIRST
    return ""


def _numeric_parts(value: str) -> tuple[int, int, int] | None:
    """A spreadsheet date's two first numbers and its year; a year in two digits is the latest
    not past this one (`22` 2022, `95` 1995): these are days a book was read or added."""
    numeric = _NUMERIC_DATE.match((value or "").strip())
    if numeric is None:
        return None
    first, second, year = map(int, numeric.groups())
    if year < 100:
        this_year = datetime.date.today().year
        year += this_year // 100 * 100
        if year > this_year:
            year -= 100
    return first, second, year


def _numeric_date(first: int, second: int, year: int, *, order: str = "") -> str:
    if first == second or first > 12 or (order == DAY_FIRST and second <= 12):
        return _iso_date(year, second, first)  # day first (or either order: the same date)
    if second > 12 or order == MONTH_FIRST:  # month first
        return _iso_date(year, first, second)
    return ""


def _iso_date(year: int, month: int, day: int) -> str:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""
