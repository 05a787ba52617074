"""calibre's catalog CSV (Convert books → Create a catalog → CSV).

Quirks: `authors` and `author_sort` are joined by ` & ` (in the same order); `identifiers` is
`isbn:…,goodreads:…,amazon:…,google:…`; `series_index` is a float (`8.0`, `1.5`) and is 1.0
even for a book in no series; `pubdate` is an ISO timestamp, and `0101-01-01…` means "unknown";
`languages` are ISO 639-2 codes (`eng`); `formats` lists the book's files (`epub, pdf`), so a
calibre library is e-books.
"""

import re

from catalog.importers.base import BaseImporter, Credit, NormalizedRow
from catalog.importers.cells import (
    openlibrary_key,
    set_primary_series,
)
from catalog.importers.dates import parse_date
from catalog.importers.parsing import ASIN, files_format
from catalog.importers.readers import apply_identifier
from catalog.importers.year_cells import year_in
from catalog.languages import language_code

_AMPERSAND = re.compile(r"\s+&\s+")


class CalibreImporter(BaseImporter):
    date_fields = ("timestamp",)
    source = "calibre"
    label = "calibre"
    signatures = (
        ("title", "authors", "author_sort"),
        ("title", "authors", "identifiers", "uuid"),
    )
    required = ("title", "authors")
    aliases = {
        "title": ("title",),
        "authors": ("authors",),
        "author_sort": ("author_sort",),
        "isbn": ("isbn",),
        "identifiers": ("identifiers",),
        "series": ("series",),
        "series_index": ("series_index",),
        "publisher": ("publisher",),
        "pubdate": ("pubdate",),
        "languages": ("languages",),
        "formats": ("formats",),
        "timestamp": ("timestamp",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        names = [name for name in _AMPERSAND.split(self.get(cells, "authors")) if name]
        sort_names = _AMPERSAND.split(self.get(cells, "author_sort"))
        # Each name between ` & ` is one person as calibre displays it.
        for index, name in enumerate(names):
            sort_name = sort_names[index] if index < len(sort_names) else ""
            if name.casefold() not in {c.name.casefold() for c in row.credits}:
                row.credits.append(Credit(name=name, sort_name=sort_name))
        apply_identifier(row, self.get(cells, "isbn"), column="isbn")
        self._read_identifiers(self.get(cells, "identifiers"), row)
        series = self.get(cells, "series")
        if series:
            set_primary_series(row, series, series_number(self.get(cells, "series_index")))
        row.publisher = self.get(cells, "publisher")
        row.publication_year = year_in(self.get(cells, "pubdate"))  # `0101…` is "unknown"
        row.language = language_code(self.get(cells, "languages"))
        row.format = files_format(self.get(cells, "formats"))
        row.date_added = parse_date(self.get(cells, "timestamp"), order=self.date_order)
        return row

    @staticmethod
    def _read_identifiers(value: str, row: NormalizedRow) -> None:
        for pair in value.split(","):
            scheme, _sep, identifier = pair.partition(":")
            scheme, identifier = scheme.strip().lower(), identifier.strip()
            if not identifier:
                continue
            if scheme == "isbn":
                apply_identifier(row, identifier, column="identifiers isbn")
            elif scheme == "goodreads" and identifier.isdigit():
                row.goodreads_book_id = row.goodreads_book_id or identifier
            elif scheme in ("amazon", "mobi-asin", "asin") and ASIN.match(identifier.upper()):
                row.asin = row.asin or identifier.upper()
            elif scheme == "google":
                row.google_books_id = row.google_books_id or identifier[:32]
            elif scheme == "openlibrary":
                row.openlibrary_edition_key = row.openlibrary_edition_key or openlibrary_key(
                    identifier, "M"
                )


def series_number(value: str) -> str:
    """calibre's float index as the series shows it: `8.0` -> "8", `1.5` -> "1.5"."""
    try:
        number = float(value)
    except ValueError:
        return ""
    if number < 0:
        return ""
    return str(int(number)) if number.is_integer() else f"{number:g}"
