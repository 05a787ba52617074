"""LibraryThing export (tab-separated, or the CSV with the same columns).

Quirks: authors are written `Last, First`, sometimes two in one cell (`Boswell, Dustin &
Foucher, Trevor`); roles are in the user's interface language (`Autor`, `Auteur`); Secondary
Author and Secondary Author Roles are parallel lists (`|` or `;`); ISBNs come in brackets
(`[2070291340]`, `[]` when none); Publication holds publisher, year and binding in one cell
(`Gallimard (1979), Poche`, or a catalog's `Paris : Gallimard, 1979`), and a publisher's name
may hold commas (`Farrar, Straus and Giroux`, `F W Media, Inc.`); Page Count may read `321 pp.`
or `xxxviii; 103`; Date may be `?`. Book Id is LibraryThing's own id, kept as such (never as a
Goodreads id).

The CSV export of 2014 (mouse-reeve/book-catalogue) names its columns in capitals inside single
quotes (`'TITLE'`, `'AUTHOR (last, first)'`, `'PUBLICATION INFO'`, `'ISBNs'`, `'DATE'`,
`'ENTRY DATE'`) and has no Book Id, Media, Page Count or Languages.
"""

import re

from django.utils.translation import gettext as _

from catalog.importers.base import BaseImporter, NormalizedRow
from catalog.importers.cells import (
    person_from_sort_name,
    split_at_ampersands,
    without_others_tail,
)
from catalog.importers.dates import parse_date
from catalog.importers.parsing import FORMATS, ROLES, parse_format, parse_int, split_isbn_cells
from catalog.importers.readers import apply_identifier, read_page_count
from catalog.importers.year_cells import year_in
from catalog.languages import language_code

_LIST = re.compile(r"\s*[|;]\s*")
# `Random House (2011), Edition: 1, Hardcover, 448 pages` -> publisher, year, the rest
_PUBLICATION = re.compile(r"^\s*(?P<publisher>[^()]+?)\s*\((?P<year>[^()]*)\)\s*,?\s*(?P<rest>.*)$")
# A catalog's year after the publisher: `2014`, `c2000.`, `[2013]`, `©1999`.
_YEAR_PART = re.compile(r"^\[?(?:c|©|cop\.)?\s*(\d{4})\??\]?\.?$", re.IGNORECASE)
_PAGES_PART = re.compile(r"^\d[\d,]*\s*(?:pages|pp?\.?)$", re.IGNORECASE)
# A part that goes on the publisher's name before it: `F W Media, Inc.`, `Farrar, Straus and
# Giroux`, `CDEJR Web Services, Inc/Gay Authors`; a place is never one (`Milano, Mondadori`).
_NAME_CONTINUATION = re.compile(
    r"^(?:inc|ltd|llc|l\.l\.c|co|corp|plc|llp|pty|gmbh|ag|kg|s\.?a|s\.?l|s\.?p\.?a|s\.?r\.?l"
    r"|b\.?v|n\.?v)\b\.?|\s(?:and|&)\s",
    re.IGNORECASE,
)
_PAGES = re.compile(r"(\d[\d,]*)\s+pages\b", re.IGNORECASE)
# Media values that say "a book" without saying which binding.
_UNSPECIFIED_MEDIA = {"book", "paper book", "unknown", "unknown binding", "other"}
# The 2014 CSV export's own columns: the primary author twice, as written and as sorted.
_LAYOUT_2014 = ("AUTHOR (first, last)", "AUTHOR (last, first)")
# A LibraryThing library may hold films and records too: they are not books.


class LibraryThingImporter(BaseImporter):
    source = "librarything"
    label = "LibraryThing"
    signatures = (("Book Id", "Primary Author"), _LAYOUT_2014)
    required = ("title", "primary_author", "book_id")
    # Media names a film or a record too (`DVD`, `Vinyl`): such a row fails (kinds.py).
    media_fields = ("media",)
    aliases = {
        "title": ("Title",),
        "book_id": ("Book Id",),
        # The sorted form keeps the sort name (the 2014 export also has `AUTHOR (first, last)`).
        "primary_author": ("Primary Author", "AUTHOR (last, first)"),
        "primary_role": ("Primary Author Role",),
        "secondary_authors": ("Secondary Author",),
        # The CSV export names it in the singular (robdmc/libraryThing).
        "secondary_roles": ("Secondary Author Roles", "Secondary Author Role"),
        "publication": ("Publication", "PUBLICATION INFO"),
        "date": ("Date",),
        "media": ("Media",),
        "pages": ("Page Count",),
        "languages": ("Languages",),
        "isbn": ("ISBN",),
        "isbns": ("ISBNs",),
        "date_read": ("Date Read",),
        "date_added": ("Entry Date", "Acquired"),
    }

    def missing_columns(self) -> list[str]:
        missing = super().missing_columns()
        if self.has_columns(_LAYOUT_2014):
            # That export has no Book Id: its rows are matched by ISBN, or title and author.
            missing = [name for name in missing if name != self.aliases["book_id"][0]]
        return missing

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
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
        row.page_count = read_page_count(row, self.get(cells, "pages"), column="Page Count")
        if row.page_count is None and (in_publication := _PAGES.search(rest)):
            row.page_count = parse_int(in_publication.group(1))  # `…, Edition: 2, 272 pages`
        row.language = language_code(self.get(cells, "languages"))
        row.date_read = parse_date(self.get(cells, "date_read"), order=self.date_order)
        row.date_added = parse_date(self.get(cells, "date_added"), order=self.date_order)
        return row

    def _read_credits(self, cells: list[str], row: NormalizedRow) -> None:
        primary_role = _role(self.get(cells, "primary_role"))
        people = [(name, primary_role) for name in people_in(self.get(cells, "primary_author"))]
        names = _split_list(self.get(cells, "secondary_authors"))
        roles = _LIST.split(self.get(cells, "secondary_roles"))
        for index, name in enumerate(names):
            role = _role(roles[index] if index < len(roles) else "")
            people.extend((person, role) for person in people_in(name))
        known = {(c.name.casefold(), c.role) for c in row.credits}
        for name, role in people:
            credit = person_from_sort_name(name, role=role)
            if (credit.name.casefold(), credit.role) not in known:
                known.add((credit.name.casefold(), credit.role))
                row.credits.append(credit)

    def _read_isbns(self, cells: list[str], row: NormalizedRow) -> None:
        read = split_isbn_cells(self.get(cells, "isbn"))
        for value in read:
            apply_identifier(row, value, column=self.column_of("isbn"))
        if not row.isbn13:
            # ISBNs lists the record's ISBNs, often the 10 and 13 forms of the same one; the
            # value ISBN already gave (a barcode, say) is not read, nor warned about, twice.
            for value in split_isbn_cells(self.get(cells, "isbns")):
                if value in read:
                    continue
                apply_identifier(row, value, column=self.column_of("isbns"))
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
    `Milano, Editore Branch, 2024` -> ("Editore Branch", 2024, ""); a name with commas stays
    whole: `Farrar, Straus and Giroux`, `F W Media, Inc.`."""
    value = (value or "").strip()
    if not value:
        return "", None, ""
    match = _PUBLICATION.match(value.rstrip("."))
    if match:
        publisher = match["publisher"].strip().rstrip(",").rstrip()  # `Gallimard, (date?)`
        return publisher, year_in(match["year"]), match["rest"].strip()
    after_place = " : " in value  # `Padova : Messaggero, c2000.`
    if after_place:
        value = value.split(" : ", 1)[1]
    # `(date?)`: LibraryThing's "no date known", standing where a publisher and year would.
    parts = [part.strip() for part in value.split(",") if part.strip() not in ("", "(date?)")]
    year: int | None = None
    rest: list[str] = []
    # The year, binding and pages a catalog writes after the publisher.
    while parts and (
        _PAGES_PART.match(parts[-1])
        or parts[-1].casefold() in FORMATS
        or parts[-1].casefold().startswith("edition:")  # `Edition: French`, never a publisher
        or (year is None and _YEAR_PART.match(parts[-1]))
    ):
        last = parts.pop()
        if year_match := _YEAR_PART.match(last):
            year = year_in(year_match.group(1))
        else:
            rest.insert(0, last)
    if not parts:
        return "", year, ", ".join(rest)
    # After ` : ` all that is left is the name; without it, a part before the name is a place
    # (`Milano, Editore Branch`), unless the name goes on from it (`Little, Brown and Company`).
    start = 0 if after_place else len(parts) - 1
    while start > 0 and _NAME_CONTINUATION.search(parts[start]):
        start -= 1
    return ", ".join(parts[start:]), year, ", ".join(rest)


def people_in(value: str) -> list[str]:
    """The people one author cell names, each as written (`Last, First` or not).

    `Boswell, Dustin & Foucher, Trevor` and `David Talbott & Wallace Thornhill` are two people,
    `Simon & Schuster` and `W. W. Norton & Company` one, by the rule of any author cell
    (`split_at_ampersands`). `Volcano, C.B. Daring; J. Rogue; Deric Shannon; Abbey` is a `;`
    list that LibraryThing turned around at its last surname: it names Abbey Volcano last."""
    parts = _split_list(without_others_tail(value))  # `…; et al.` names no one more
    if (
        len(parts) > 1
        and parts[0].count(",") == 1
        and not any("," in part for part in parts[1:])
        and len(parts[-1].split()) == 1
    ):
        surname, first = (half.strip() for half in parts[0].split(","))
        parts = [first, *parts[1:-1], f"{parts[-1]} {surname}"]
    return [person for part in parts for person in split_at_ampersands(part)]


def _split_list(value: str) -> list[str]:
    return [part for part in _LIST.split(value or "") if part]


def _role(value: str) -> str:
    """A LibraryThing role; an empty one is a co-author (`; Translator` pairs the first
    secondary author with no role)."""
    value = (value or "").strip().lower()
    return ROLES.get(value, "contributor") if value else "author"
