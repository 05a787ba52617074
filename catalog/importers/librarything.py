"""LibraryThing export (tab-separated, or the CSV with the same columns).

Quirks: authors are written `Last, First`; Secondary Author and Secondary Author Roles are
parallel lists (`|` or `;`); ISBNs come in brackets (`[2070291340]`, `[]` when none);
Publication holds publisher, year and binding in one cell (`Gallimard (1979), Poche`, or a
catalog's `Paris : Gallimard, 1979`); Page Count may read `321 pp.`; Date may be `?`. Book Id is
LibraryThing's own id, kept as such (never as a Goodreads id).
"""

import re

from django.utils.translation import gettext as _

from catalog.importers.base import BaseImporter, NormalizedRow, RowError
from catalog.importers.cells import (
    parse_language,
    person_from_sort_name,
    year_in,
)
from catalog.importers.parsing import FORMATS, ROLES, parse_date, parse_format, parse_int
from catalog.importers.readers import apply_identifier, read_page_count

_LIST = re.compile(r"\s*[|;]\s*")
# `Random House (2011), Edition: 1, Hardcover, 448 pages` -> publisher, year, the rest
_PUBLICATION = re.compile(r"^\s*(?P<publisher>[^()]+?)\s*\((?P<year>[^()]*)\)\s*,?\s*(?P<rest>.*)$")
_LEADING_NUMBER = re.compile(r"^\s*(\d[\d,.]*)")
_PAGES = re.compile(r"(\d[\d,]*)\s+pages\b", re.IGNORECASE)
# Media values that say "a book" without saying which binding.
_UNSPECIFIED_MEDIA = {"book", "paper book", "unknown", "unknown binding", "other"}
# A LibraryThing library may hold films and records too: they are not books.
_NOT_BOOKS = {"dvd", "blu-ray", "blu-ray disc", "vhs", "laserdisc", "video", "vinyl", "lp",
              "music cd", "video game", "board game"}  # fmt: skip


class LibraryThingImporter(BaseImporter):
    source = "librarything"
    label = "LibraryThing"
    signature = ("Book Id", "Primary Author")
    required = ("title", "primary_author", "book_id")
    aliases = {
        "title": ("Title",),
        "book_id": ("Book Id",),
        "primary_author": ("Primary Author",),
        "primary_role": ("Primary Author Role",),
        "secondary_authors": ("Secondary Author",),
        "secondary_roles": ("Secondary Author Roles",),
        "publication": ("Publication",),
        "date": ("Date",),
        "media": ("Media",),
        "pages": ("Page Count",),
        "languages": ("Languages",),
        "isbn": ("ISBN",),
        "isbns": ("ISBNs",),
        "date_read": ("Date Read",),
        "date_added": ("Entry Date", "Acquired"),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        media = self.get(cells, "media")
        if media.casefold() in _NOT_BOOKS:
            raise RowError(
                _("This LibraryThing item is a %(media)s, not a book; it was not imported.")
                % {"media": media}
            )
        row = self.titled_row(cells)
        self._read_credits(cells, row)
        self._read_isbns(cells, row)
        book_id = self.get(cells, "book_id")
        if book_id.isdigit():
            row.librarything_id = book_id
        elif book_id:
            row.warnings.append(
                _("Book Id '%(value)s' is not a LibraryThing id; ignored.") % {"value": book_id}
            )
        publisher, year, rest = parse_publication(self.get(cells, "publication"))
        row.publisher = publisher
        row.publication_year = year_in(self.get(cells, "date")) or year
        row.format = self._read_format(cells, row, rest)
        pages = self.get(cells, "pages")
        number = _LEADING_NUMBER.match(pages)  # `321 pp.`
        row.page_count = read_page_count(
            row, number.group(1).rstrip(".,") if number else pages, column="Page Count"
        )
        if row.page_count is None and (in_publication := _PAGES.search(rest)):
            row.page_count = parse_int(in_publication.group(1))  # `…, Edition: 2, 272 pages`
        row.language = parse_language(self.get(cells, "languages"))
        row.date_read = parse_date(self.get(cells, "date_read"))
        row.date_added = parse_date(self.get(cells, "date_added"))
        return row

    def _read_credits(self, cells: list[str], row: NormalizedRow) -> None:
        primary = self.get(cells, "primary_author")
        if primary:
            role = _role(self.get(cells, "primary_role"))
            row.credits.append(person_from_sort_name(primary, role=role))
        names = _split_list(self.get(cells, "secondary_authors"))
        roles = _LIST.split(self.get(cells, "secondary_roles"))
        known = {(c.name.casefold(), c.role) for c in row.credits}
        for index, name in enumerate(names):
            role = _role(roles[index] if index < len(roles) else "")
            credit = person_from_sort_name(name, role=role)
            if (credit.name.casefold(), credit.role) not in known:
                known.add((credit.name.casefold(), credit.role))
                row.credits.append(credit)

    def _read_isbns(self, cells: list[str], row: NormalizedRow) -> None:
        for value in _split_isbns(self.get(cells, "isbn")):
            apply_identifier(row, value, column="ISBN")
        if not row.isbn13:
            # ISBNs lists the record's ISBNs, often the 10 and 13 forms of the same one.
            for value in _split_isbns(self.get(cells, "isbns")):
                apply_identifier(row, value, column="ISBNs")
                if row.isbn13:
                    break

    def _read_format(self, cells: list[str], row: NormalizedRow, publication_rest: str) -> str:
        media = self.get(cells, "media")
        if media and media.casefold() not in _UNSPECIFIED_MEDIA:
            value, warning = parse_format(media)
            if warning:
                row.warnings.append(warning)
            return value
        # The binding Publication names after the year, when it is one we know.
        for part in publication_rest.split(","):
            if part.strip().lower() in FORMATS:
                return FORMATS[part.strip().lower()]
        return ""


def parse_publication(value: str) -> tuple[str, int | None, str]:
    """-> (publisher, year, what follows). `Gallimard (1979), Poche` -> ("Gallimard", 1979,
    "Poche"); `Paris : Gallimard, 1979` -> ("Gallimard", 1979, "");
    `Milano, Editore Branch, 2024` -> ("Editore Branch", 2024, "")."""
    value = (value or "").strip().rstrip(".")
    if not value:
        return "", None, ""
    match = _PUBLICATION.match(value)
    if match:
        return match["publisher"].strip(), year_in(match["year"]), match["rest"].strip()
    parts = [part.strip() for part in value.split(",") if part.strip()]
    year = year_in(parts[-1]) if parts else None
    if year and len(parts) > 1:
        parts = parts[:-1]
    elif year:
        return "", year, ""
    publisher = parts[-1]
    if " : " in publisher:
        publisher = publisher.split(" : ", 1)[1].strip()
    return publisher, year, ""


def _split_list(value: str) -> list[str]:
    return [part for part in _LIST.split(value or "") if part]


def _split_isbns(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;\[\]]+", value or "") if part]


def _role(value: str) -> str:
    """A LibraryThing role; an empty one is a co-author (`; Translator` pairs the first
    secondary author with no role)."""
    value = (value or "").strip().lower()
    return ROLES.get(value, "contributor") if value else "author"
