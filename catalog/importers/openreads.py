"""Openreads (the Android / iOS app) CSV export.

Quirks: `subtitle` has its own column; `author` is free text (`Smith, Mark` is one person, a
comma list several); `isbn` is an ISBN-10 or -13; `olid` is the Open Library edition id;
`readings` is `start|finish|` per reading, `;`-separated; `deleted` = `true` marks a book in the
app's trash, which is not imported.
"""

from django.utils.translation import gettext as _

from catalog.importers.base import BaseImporter, NormalizedRow, RowError
from catalog.importers.cells import (
    openlibrary_key,
    set_subtitle_cell,
)
from catalog.importers.dates import parse_date
from catalog.importers.parsing import parse_format
from catalog.importers.readers import apply_identifier, read_page_count, read_people
from catalog.importers.year_cells import read_year_in


class OpenreadsImporter(BaseImporter):
    source = "openreads"
    label = "Openreads"
    signature = ("title", "author", "olid", "favourite")
    required = ("title", "author")
    aliases = {
        "title": ("title",),
        "subtitle": ("subtitle",),
        "author": ("author",),
        "deleted": ("deleted",),
        "pages": ("pages",),
        "publication_year": ("publication_year",),
        "isbn": ("isbn",),
        "olid": ("olid",),
        "book_format": ("book_format",),
        "readings": ("readings",),
        "finish_date": ("finish_date",),
        "date_added": ("date_added",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        if self.get(cells, "deleted").lower() == "true":
            raise RowError(_("This book is in Openreads' trash (deleted); it was not imported."))
        row = self.titled_row(cells)
        set_subtitle_cell(row, self.get(cells, "subtitle"))
        row.credits = read_people(row, self.get(cells, "author"))
        apply_identifier(row, self.get(cells, "isbn"), column="isbn")
        olid = self.get(cells, "olid")
        row.openlibrary_edition_key = openlibrary_key(olid, "M")
        row.openlibrary_work_key = openlibrary_key(olid, "W")
        row.page_count = read_page_count(row, self.get(cells, "pages"), column="pages")
        row.publication_year = read_year_in(
            row, self.get(cells, "publication_year"), column="publication_year"
        )
        row.format, warning = parse_format(self.get(cells, "book_format"))
        if warning:
            row.warnings.append(warning)
        row.date_read = _last_finished(self.get(cells, "readings")) or parse_date(
            self.get(cells, "finish_date")
        )
        row.date_added = parse_date(self.get(cells, "date_added"), order=self.date_order)
        return row


def _last_finished(readings: str) -> str:
    """`2023-10-27T00:00:00.000|2023-11-28T00:00:00.000|;…` -> the last reading's end date."""
    finished = ""
    for reading in readings.split(";"):
        parts = reading.split("|")
        if len(parts) > 1 and parse_date(parts[1]):
            finished = parse_date(parts[1])
    return finished
