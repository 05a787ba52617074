"""Years inside the date cells several sources share (pure): `1979`, a timestamp, `c1995`, a
catalog's `[c1921] 1946.`, `1979, c1969.` and `1947 [i.e.1946]`, with a warning on the row for
a filled cell that gives none."""

import re

from django.utils.translation import gettext as _

from catalog.importers.base import NormalizedRow
from catalog.importers.parsing import parse_year

_YEAR_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})(?!\d)")
# A library catalog's copyright year after the publication year: `1979, c1969.`, `[1988],
# c1982.`, `1954 ©1918`, `1965, c.1940`, `1979 [c1969]`.
_COPYRIGHT_YEAR = re.compile(
    r"(?<![^\s,;\[\]])(?:c\.?|©|cop\.|copyright)\s?\[?([1-9]\d{3})(?!\d)", re.I
)
# A catalog's correction of a year printed wrong, the true one: `1947 [i.e.1946]`, `[1923 i.e.
# 1924]`.
_CORRECTED_YEAR = re.compile(r"\bi\.\s?e\.?,?\s*\[?([1-9]\d{3})(?!\d)", re.I)
# A decade or a century a catalog gives where it does not know the year: `192-`, `194?`,
# `[194-?]`; `19--`, `19??`, `19-`. An edition's date says its year exactly
# (Edition.DatePrecision has no decade, nor a guess): it is no year.
_DECADE = re.compile(r"^\[?[1-9]\d\d[-?]\??\]?\.?$")
_CENTURY = re.compile(r"^\[?[1-9]\d(?:--?|\?\?|__)\??\]?\.?$")
# calibre's "undefined" date, `0101-01-01T…`, which CSVs made from a calibre library write as
# the year `0101`: no book's year.
_UNDEFINED_YEAR = "0101"


def year_in(value: str) -> int | None:
    """The year of a cell that is a year or a date: `1979`, `2019-03-05T01:00:00+01:00`,
    `c1995`, `[2007-05-08]`, a catalog's `[c1921] 1946.` (the printing's) and `1947 [i.e.1946]`
    (the corrected); calibre's "undefined" `0101` is none, and so is a decade, `192-`."""
    if (value or "").strip().startswith(_UNDEFINED_YEAR):
        return None
    year = parse_year(value)
    if year:
        return year
    value = value or ""
    if "." in value and (corrected := _CORRECTED_YEAR.search(value)):
        return parse_year(corrected.group(1))
    if "c" in value or "©" in value:
        # The printing's year, not the copyright year before it: `[c1921] 1946.` is 1946; a
        # copyright (or circa) year alone, `c. 1969?`, is the only year the cell gives.
        printing = _COPYRIGHT_YEAR.sub(" ", value)
        if _YEAR_IN_TEXT.search(printing):
            value = printing
    match = _YEAR_IN_TEXT.search(value)
    return parse_year(match.group(1)) if match else None


def copyright_year_in(value: str, year: int | None) -> int | None:
    """The copyright year a catalog writes after an edition's `year` when it is earlier, the
    year the text was first published: `1979, c1969.` -> 1969 (for 1979), `[1973, c1925]` ->
    1925; None for any other cell (`c1995` alone is the edition's own year)."""
    if year is None or ("c" not in value and "©" not in value):  # nearly every cell
        return None
    match = _COPYRIGHT_YEAR.search(value)
    copyright_year = parse_year(match.group(1)) if match else None
    return copyright_year if copyright_year is not None and copyright_year < year else None


def read_year_in(row: NormalizedRow, value: str, *, column: str) -> int | None:
    """`year_in`, with a warning on the row when a filled cell holds no year."""
    year = year_in(value)
    if year is None and value:
        row.warnings.append(
            no_year_message(
                column, value, _("%(column)s '%(value)s' holds no year; it was ignored.")
            )
        )
    return year


def no_year_message(column: str, value: str, otherwise: str) -> str:
    """The warning for a year cell that gives no year: one that gives a decade or a century
    where the year is not known (`194?`, `19??`, `19-`) says so; any other cell, `otherwise`
    (a message with `%(column)s` and `%(value)s`)."""
    if _DECADE.match(value):
        message = _("%(column)s '%(value)s' gives a decade, not a year; it was ignored.")
    elif _CENTURY.match(value):
        message = _(
            "%(column)s '%(value)s' gives only a century, the year not known; it was ignored."
        )
    else:
        message = otherwise
    return message % {"column": column, "value": value}
