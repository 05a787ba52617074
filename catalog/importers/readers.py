"""Readers of a cell into a NormalizedRow that say on the row what they could not read: page
counts, years, dates, contributors, and ISBN-ish identifiers (never guessed)."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import isbn
from catalog.importers.base import Credit, NormalizedRow
from catalog.importers.cells import person_from_sort_name, split_people
from catalog.importers.dates import is_ambiguous_date, parse_date
from catalog.importers.parsing import (
    ASIN,
    clean_cell,
    is_unknown_person,
    parse_int,
    parse_whole_number,
    parse_year,
    read_trailing_role,
    split_names,
)
from catalog.importers.publishers import publisher_credit
from catalog.importers.year_cells import no_year_message

# A page count with its unit (`321 pp.`), or after front matter in roman figures or brackets
# (LibraryThing's `xxxviii; 103`, Zotero's `xii, 300`, `[8], 103`); never a range (`592-594`,
# the pages an article spans).
_MAIN_PAGE_COUNT = re.compile(
    r"^\s*(?:(?:[ivxlcdm]+|\[\d+\])\s*[;,+]\s*)*(\d[\d,.]*)\s*(?:pp?\.?|pages)?\s*$", re.IGNORECASE
)


def main_page_count(value: str) -> str:
    """The main (arabic) page count of a cell: `321 pp.` -> "321", `xxxviii; 103` -> "103";
    a cell without one is returned as it is, for the warning."""
    number = _MAIN_PAGE_COUNT.match(value or "")
    return number.group(1).rstrip(".,") if number else (value or "")


def read_page_count(row: NormalizedRow, value: str, *, column: str) -> int | None:
    """The page count in a cell (`main_page_count`'s), or None with a warning on the row when
    the cell holds something else (an empty cell, or 0 as some exports write it, is just
    unknown)."""
    pages = parse_int(value)
    if pages is None and value:  # only a cell that is no plain number is searched
        pages = parse_int(main_page_count(value))
    if pages is None and value and parse_whole_number(value) != 0:
        row.warnings.append(
            _("%(column)s '%(value)s' is not a page count; it was ignored.")
            % {"column": column, "value": value}
        )
    return pages


def read_year(row: NormalizedRow, value: str, *, column: str, ancient: bool = False) -> int | None:
    """The year in a cell, or None with a warning on the row when the cell holds something
    else (no_year_message: a decade or a century said as such)."""
    year = parse_year(value, ancient=ancient)
    if year is None and value:
        row.warnings.append(
            no_year_message(
                column, value, _("%(column)s '%(value)s' is not a year; it was ignored.")
            )
        )
    return year


def read_date(row: NormalizedRow, value: str, *, column: str, order: str = "") -> str:
    """The ISO date in a cell, or "" with a warning on the row when the cell holds something
    else; a day and a month either could be read in `order` (the importer's `date_order`)."""
    date = parse_date(value, order=order)
    if date or not value:
        return date
    if is_ambiguous_date(value):
        message = _("%(column)s '%(value)s' can be read day first or month first; it was ignored.")
    else:
        message = _("%(column)s '%(value)s' is not a date; it was ignored.")
    row.warnings.append(message % {"column": column, "value": value})
    return date


def read_people(row: NormalizedRow, value: str, *, role: str = "author") -> list[Credit]:
    """The people of a cell (`split_people`); a cell that credits the publisher instead, as a
    library catalog's column of people may (`Published by Doubleday, Doran, and Company Inc.`,
    `(Published by) David McKay`), names no one: its publisher is the row's when the row has
    none."""
    publisher = publisher_credit(value)
    if publisher is None:
        return split_people(value, role=role)
    row.publisher = row.publisher or publisher
    return []


def with_named_author(credits: list[Credit], first_name: str, last_name: str) -> list[Credit]:
    """The author a file names in a first-name and a last-name column (Libib's `first_name` /
    `last_name`, a shop's `Author First Name` / `Author Last Name`) first, `First Last` sorted
    as `Last, First`, then the other `credits`. An organisation whose name the columns split
    (`Kiyosato Museum` / `of Contemporary Art`) is its name whole, and `Various` no one."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not (first_name or last_name) or any(
        part and is_unknown_person(part) for part in (first_name, last_name)
    ):
        return credits  # `Various` / `Contributors`, `-`
    if not first_name and credits:
        return credits  # a surname alone beside the whole names: a column to sort by
    if first_name[:1].islower():  # `of Contemporary Art`: the rest of the last column's name
        named = Credit(name=f"{last_name} {first_name}")
    else:
        primary = " ".join(part for part in (first_name, last_name) if part)
        sort_name = f"{last_name}, {first_name}" if first_name and last_name else ""
        named = Credit(name=primary, sort_name=sort_name)
    key = named.name.casefold()
    return [named, *(c for c in credits if c.name.casefold() != key)]


def parse_contributors(value: str, *, default_role: str) -> list[Credit]:
    """`Name (Translator), Other Name` -> credits; a missing role is `default_role`. A cell of
    one word, a comma and one word is one person's sorted name (`Coyne, Shawn`, as an owner may
    write it in Goodreads' Additional Authors), not two people."""
    if value.count(",") == 1 and "(" not in value and value.count(" ") <= 1:  # at C speed
        last, first = (part.strip() for part in value.split(","))
        if last and first and " " not in first and not is_unknown_person(last):
            return [person_from_sort_name(value, role=default_role)]
    credits = []
    for part in split_names(value):
        named = read_trailing_role(part)
        # Every parenthesis of this column is a role (StoryGraph's), one we do not know too.
        role = (named.role or "contributor") if named.words else default_role
        if named.name:
            credits.append(Credit(name=named.name, role=role))
    return credits


def add_credits(credits: list[Credit], more: list[Credit]) -> None:
    """Append `more` to a row's credits. A person already credited is credited again only in
    a role of their own (an author who narrates the audiobook, StoryGraph's `Trevor Noah
    (Narrator)`); a name repeated as a plain contributor (Goodreads' Additional Authors
    repeat the Author) adds nothing. One person in two roles is what WorkAuthor holds."""
    known = {(c.name.casefold(), c.role) for c in credits}
    people = {name for name, _role in known}
    for credit in more:
        key = (credit.name.casefold(), credit.role)
        if key in known or (credit.role == "contributor" and key[0] in people):
            continue
        known.add(key)
        people.add(key[0])
        credits.append(credit)


# What a value refused as an ISBN is (catalog.isbn.why_not_isbn), said to the librarian.
_NOT_AN_ISBN = {
    "isbn13_digit_missing": gettext_lazy(
        "%(column)s '%(value)s' has 12 digits: an ISBN-13 with a digit missing; it was not "
        "used as an ISBN."
    ),
    "upc": gettext_lazy(
        "%(column)s '%(value)s' is a product barcode (UPC), not an ISBN; it was not used as an "
        "ISBN."
    ),
    "ean": gettext_lazy(
        "%(column)s '%(value)s' is a product barcode (EAN), not an ISBN; it was not used as an "
        "ISBN."
    ),
    "isbn13_cut": gettext_lazy(
        "%(column)s '%(value)s' has 10 digits starting like an ISBN-13: an ISBN-13 cut short; "
        "it was not used as an ISBN."
    ),
    "isbn13_without_prefix": gettext_lazy(
        "%(column)s '%(value)s' looks like ISBN-13 %(isbn13)s without its 978 prefix (or an "
        "ISBN-10 with a wrong check digit); it was not used as an ISBN."
    ),
    "isbn13_check": gettext_lazy(
        "%(column)s '%(value)s' has a wrong check digit; it was not used as an ISBN."
    ),
    "isbn10_check": gettext_lazy(
        "%(column)s '%(value)s' has a wrong check digit; it was not used as an ISBN."
    ),
}
# pandas writes a number column as floats: `9780306406157.0` is 9780306406157, digit for digit.
_FLOAT_DIGITS = re.compile(r"^(\d+)\.0+$")


def apply_identifier(
    row: NormalizedRow, value: str, *, column: str, expected_form: str = "", isbn_only: bool = False
) -> None:
    """Put an ISBN-ish cell where it belongs: ISBN, ASIN, or a kept non-ISBN id.

    Never guesses: spreadsheet damage (`9.78053E+12`) yields no ISBN and a warning, and so does
    a value that is close to an ISBN (a digit missing, a wrong check digit, a product barcode),
    saying which. `expected_form` ("isbn13" / "isbn10") is what the column should hold: an
    ISBN-10 in an ISBN-13 column is read, with a note, and so is an ISBN-10 column's value that
    a spreadsheet cut to 8 digits (`60853980`, 0060853980) when its check digit holds. With
    `isbn_only` (a column a librarian mapped as ISBN, unlike StoryGraph's ISBN/UID, which may
    hold other ids) any other text is said too.
    """
    value = clean_cell(value)
    if not value:
        return
    if isbn.is_scientific_notation(value):
        row.warnings.append(
            _(
                "%(column)s '%(value)s' was damaged by a spreadsheet (scientific notation); "
                "its digits are lost, so no ISBN was taken from it."
            )
            % {"column": column, "value": value}
        )
        return
    if whole := _FLOAT_DIGITS.match(value):
        value = whole.group(1)
    compact = isbn.canonicalize(value)
    if ASIN.match(compact):
        row.asin = row.asin or compact
        return
    parsed = isbn.parse_isbn(compact)
    # A column that holds only ISBN-10s, saved by a spreadsheet as a number: one starting 00
    # (HarperCollins' 006…, Vintage's 0099…) lost both zeros, `60853980`. No ISBN has 8 digits.
    two_zeros_lost = parsed is None and expected_form == "isbn10" and len(compact) == 8
    if two_zeros_lost:
        parsed = isbn.parse_isbn("00" + compact)
    if parsed is None:
        reason = isbn.why_not_isbn(compact)
        if reason == "isbn13_without_prefix" and row.isbn13 == "978" + compact:
            return  # Goodreads' ISBN column repeating the row's ISBN-13 without its 978
        row.other_ids.append(value)
        if reason:
            values = {"column": column, "value": value, "isbn13": "978" + compact}
            row.warnings.append(_NOT_AN_ISBN[reason] % values)
        elif compact.isdigit() and len(compact) == 13:
            row.warnings.append(
                _(
                    "%(column)s '%(value)s' has 13 digits but is neither an ISBN nor a product "
                    "barcode; it was not used as an ISBN."
                )
                % {"column": column, "value": value}
            )
        elif isbn_only and compact:
            row.warnings.append(
                _("%(column)s '%(value)s' is not an ISBN; it was not used as an ISBN.")
                % {"column": column, "value": value}
            )
        return
    if isbn.is_ismn(parsed.isbn13):
        # Goodreads gives some books a 979-0 "ISBN13" beside their true ISBN-10.
        row.other_ids.append(value)
        row.warnings.append(
            _(
                "%(column)s '%(value)s' is a music publication's number (ISMN, 979-0), not an "
                "ISBN; it was not used as an ISBN."
            )
            % {"column": column, "value": value}
        )
        return
    if two_zeros_lost:
        row.warnings.append(
            _(
                "%(column)s '%(value)s' read as ISBN-10 %(isbn10)s (an ISBN-10 whose two "
                "leading zeros a spreadsheet dropped)."
            )
            % {"column": column, "value": value, "isbn10": parsed.isbn10}
        )
    elif parsed.source_form == "sbn":
        row.warnings.append(
            _(
                "%(column)s '%(value)s' read as ISBN-10 %(isbn10)s (9-digit SBN, or an ISBN-10 "
                "whose leading zero a spreadsheet dropped)."
            )
            % {"column": column, "value": value, "isbn10": parsed.isbn10}
        )
    elif expected_form == "isbn13" and parsed.source_form == "isbn10":
        row.warnings.append(
            _("%(column)s '%(value)s' is an ISBN-10; it was read as ISBN-13 %(isbn13)s.")
            % {"column": column, "value": value, "isbn13": parsed.isbn13}
        )
    if row.isbn13 and row.isbn13 != parsed.isbn13:
        if row.isbn13[:3] == "979" and compact[:9] == row.isbn13[3:12]:
            # Goodreads' "ISBN" of a 979 ISBN-13, which has no ISBN-10: its digits after 979
            # with an ISBN-10's check digit (`1129360784` beside 9791129360786), no other book's.
            return
        # Kept where the row's reading shows it, never lost: which one the book carries is the
        # librarian's to say.
        row.other_ids.append(value)
        row.warnings.append(
            _(
                "%(column)s '%(value)s' disagrees with ISBN %(isbn13)s in the same row: the "
                "edition was given %(isbn13)s and '%(value)s' is listed under Other ids. Check "
                "the ISBN printed in the book and correct the edition if it is the other one."
            )
            % {"column": column, "value": value, "isbn13": row.isbn13}
        )
        return
    row.isbn13 = parsed.isbn13
    row.isbn10 = row.isbn10 or (parsed.isbn10 or "")
