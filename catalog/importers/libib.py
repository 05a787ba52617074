"""Libib library export CSV: one flat file for every media type, 30 columns.

Quirks: `item_type` says what a row is (book, music, movie, videogame): only books are imported
(kinds.py); `creators` holds every name while `first_name` / `last_name` name the primary creator;
`ean_isbn13` / `upc_isbn10` hold the ISBNs; `publish_date` is `YYYY-MM-DD`; for a book `length`
(`length_of` in Libib's import template) is its page count.
"""

from catalog.importers.base import BaseImporter, NormalizedRow
from catalog.importers.readers import (
    apply_identifier,
    read_date,
    read_page_count,
    read_people,
    with_named_author,
)
from catalog.importers.year_cells import read_year_in


class LibibImporter(BaseImporter):
    source = "libib"
    label = "Libib"
    # Libib's own column names; its import template (no item_type, `length_of`,
    # `completed_date`) reads the same.
    signature = ("creators", "ean_isbn13", "upc_isbn10")
    required = ("title", "creators", "ean_isbn13")
    aliases = {
        "kind": ("item_type",),
        "title": ("title",),
        "creators": ("creators",),
        "first_name": ("first_name",),
        "last_name": ("last_name",),
        "ean_isbn13": ("ean_isbn13",),
        "upc_isbn10": ("upc_isbn10",),
        "publisher": ("publisher",),
        "publish_date": ("publish_date",),
        "pages": ("length", "length_of"),
        "completed": ("completed", "completed_date"),
        "added": ("added",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        row.publisher = self.get(cells, "publisher")  # before a `creators` crediting one
        # The primary creator first (first_name / last_name), then the others of `creators`.
        row.credits = with_named_author(
            read_people(row, self.get(cells, "creators")),
            self.get(cells, "first_name"),
            self.get(cells, "last_name"),
        )
        apply_identifier(row, self.get(cells, "ean_isbn13"), column="ean_isbn13")
        apply_identifier(row, self.get(cells, "upc_isbn10"), column="upc_isbn10")
        row.publication_year = read_year_in(
            row, self.get(cells, "publish_date"), column="publish_date"
        )
        row.page_count = read_page_count(row, self.get(cells, "pages"), column="length")
        row.date_read = read_date(
            row, self.get(cells, "completed"), column="completed", order=self.date_order
        )
        row.date_added = read_date(
            row, self.get(cells, "added"), column="added", order=self.date_order
        )
        return row
