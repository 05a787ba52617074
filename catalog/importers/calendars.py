"""Years an export writes in the Hijri calendars, which the catalog must not store as Gregorian.

Iranian publishers date their books in the Solar Hijri (Persian) calendar, `1382` for a book of
2003, and Goodreads keeps the year as its librarians typed it; Arabic publishers often date
theirs in the Islamic (lunar Hijri) calendar, `1413` for 1992. Read as Gregorian, either is a
year before printing. A Hijri year cannot be turned into one Gregorian year (each spans two: the
Solar Hijri year from Nowruz, in March), so such a year is not stored; the row says which two
Gregorian years it is, and enrichment may fill the date from a source.

A year is read as Hijri only in a row written in Arabic script (its title, publisher or a
person's name) or said to be in Persian, Arabic or Urdu: for an edition, any year from 1300 to
the current Hijri year (no edition was printed then); for a first publication, only when the
row's edition year is Hijri too. An edition year of the common era says the row's years are of
it (al-Damiri's Ḥayāt al-ḥayawān was written about 1400, and an export that dates its edition
2006 says so), and so does no edition year: a first publication year is the work's, shared by
its editions in every language and mostly dated in the common era (Hafez's Divan, 1368). In the
real Persian and Arabic Goodreads rows swept, each Hijri first publication year stood beside a
Hijri edition year (2 rows), and each first publication year without an edition year was of
the common era (8 rows, none from 1300 on). Such a year is kept, with a warning that gives its
Hijri reading: dropping it would lose a classic's true date for good, where a Hijri year kept
by mistake shows on the work, and on the import row why, for a librarian to correct.
"""

import datetime
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from catalog.importers.base import NormalizedRow

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Letters Persian writes and Arabic does not: pe, che, zhe, gaf, keheh, Farsi yeh. Urdu writes
# them too, with letters of its own (tteh, ddal, rreh, noon ghunna, yeh barree).
_PERSIAN_LETTERS = re.compile(r"[\u067e\u0686\u0698\u06af\u06a9\u06cc]")
_URDU_LETTERS = re.compile(r"[\u0679\u0688\u0691\u06ba\u06d2]")
_HIJRI_LANGUAGES = frozenset({"fa", "ar", "ur"})
#: The first Hijri year read as one: 1300 is 1921 (Solar) or 1882 (lunar), and no edition was
#: printed in 1300 of the common era.
FIRST_HIJRI_YEAR = 1300
# The lunar year's length in Gregorian years, and where 1 AH began (16 July 622).
_LUNAR_YEAR = 354.36708 / 365.2425
_LUNAR_EPOCH = 622.54


def _solar_hijri_span(year: int) -> tuple[int, int]:
    return year + 621, year + 622


def _lunar_hijri_span(year: int) -> tuple[int, int]:
    start = _LUNAR_EPOCH + (year - 1) * _LUNAR_YEAR
    return int(start), int(start + _LUNAR_YEAR)


def _current_years() -> tuple[int, int]:
    """This year in the Solar Hijri and in the lunar Hijri calendar (the latest either can be)."""
    today = datetime.date.today().year
    return today - 621, int((today + 1 - _LUNAR_EPOCH) / _LUNAR_YEAR) + 1


def _row_calendar(row: "NormalizedRow") -> str:
    """ "solar" for a row in Persian, "lunar" for one in Arabic or Urdu, "" for any other."""
    texts = [row.title, row.subtitle, row.publisher, *(credit.name for credit in row.credits)]
    written = " ".join(text for text in texts if text)
    language = row.language.casefold()
    if language not in _HIJRI_LANGUAGES and not _ARABIC_SCRIPT.search(written):
        return ""
    if language == "fa" or (
        language not in _HIJRI_LANGUAGES
        and _PERSIAN_LETTERS.search(written)
        and not _URDU_LETTERS.search(written)
    ):
        return "solar"
    return "lunar"


def _hijri_span(year: int | None, calendar: str) -> tuple[str, tuple[int, int]] | None:
    """(calendar, the two Gregorian years) when `year` can be a Hijri year of the row's
    calendar; a Persian row's year past this Solar Hijri year is a lunar one (`1420`)."""
    if year is None or year < FIRST_HIJRI_YEAR:
        return None
    solar_now, lunar_now = _current_years()
    if calendar == "solar" and year <= solar_now + 1:
        return "solar", _solar_hijri_span(year)
    if year <= lunar_now + 1:
        return "lunar", _lunar_hijri_span(year)
    return None


def drop_hijri_years(row: "NormalizedRow") -> None:
    """Leave out of the row the years it gives in a Hijri calendar, each with a warning that
    says which Gregorian years it is (the module's docstring says when a year is one)."""
    calendar = _row_calendar(row)
    if not calendar:
        return
    edition = _hijri_span(row.publication_year, calendar)
    if edition is not None:
        row.warnings.append(
            _hijri_warning(_("The publication year"), row.publication_year, edition)
        )
        row.publication_year = None
    first = _hijri_span(row.first_published_year, calendar)
    if first is None or (row.publication_year is not None and edition is None):
        return  # a Gregorian edition year says the row's years are Gregorian
    if edition is not None:
        row.warnings.append(
            _hijri_warning(_("The first publication year"), row.first_published_year, first)
        )
        row.first_published_year = None
        return
    row.warnings.append(
        _(
            "The first publication year %(year)s was kept as a year of the common era: the row "
            "gives no edition year to say its calendar. If it is a Hijri year, the book was "
            "first published in %(first)s–%(last)s; correct it on the work."
        )
        % {"year": row.first_published_year, "first": first[1][0], "last": first[1][1]}
    )


def _hijri_warning(which: str, year: int | None, span: tuple[str, tuple[int, int]]) -> str:
    calendar, (first, last) = span
    if calendar == "solar":
        message = _(
            "%(which)s %(year)s is a year of the Solar Hijri (Persian) calendar, %(first)s–"
            "%(last)s in the Gregorian one the catalog keeps; it was ignored."
        )
    else:
        message = _(
            "%(which)s %(year)s is a year of the Islamic (Hijri) calendar, %(first)s–%(last)s "
            "in the Gregorian one the catalog keeps; it was ignored."
        )
    return message % {"which": which, "year": year, "first": first, "last": last}
