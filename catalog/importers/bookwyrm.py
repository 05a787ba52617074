"""BookWyrm's CSV export (Settings → Export book list).

Quirks: `author_text` joins every author with commas; `openlibrary_key` is the edition's
(`OL43065148M`); `goodreads_key` is a Goodreads book id; `librarything_key` is a LibraryThing
*work* id, not the per-copy Book Id of a LibraryThing export, so it is left in the raw row; a book
read twice or reviewed may appear on several rows (the later ones are duplicates).
"""

from catalog.importers.base import BaseImporter, NormalizedRow
from catalog.importers.cells import openlibrary_key
from catalog.importers.dates import parse_date
from catalog.importers.parsing import ASIN
from catalog.importers.readers import apply_identifier, read_page_count, read_people


class BookWyrmImporter(BaseImporter):
    date_fields = ("finish_date", "shelf_date")
    source = "bookwyrm"
    label = "BookWyrm"
    signature = ("title", "author_text", "remote_id")
    required = ("title", "author_text")
    aliases = {
        "title": ("title",),
        "author_text": ("author_text",),
        "openlibrary_key": ("openlibrary_key",),
        "goodreads_key": ("goodreads_key",),
        "asin": ("asin",),
        "isbn_10": ("isbn_10",),
        "isbn_13": ("isbn_13",),
        "pages": ("pages",),
        "finish_date": ("finish_date",),
        "shelf_date": ("shelf_date",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        row.credits = read_people(row, self.get(cells, "author_text"))
        apply_identifier(row, self.get(cells, "isbn_13"), column="isbn_13")
        apply_identifier(row, self.get(cells, "isbn_10"), column="isbn_10")
        asin = self.get(cells, "asin").upper()
        if ASIN.match(asin):
            row.asin = row.asin or asin
        goodreads = self.get(cells, "goodreads_key")
        if goodreads.isdigit():
            row.goodreads_book_id = goodreads
        key = self.get(cells, "openlibrary_key")
        row.openlibrary_edition_key = openlibrary_key(key, "M")
        row.openlibrary_work_key = openlibrary_key(key, "W")
        row.page_count = read_page_count(row, self.get(cells, "pages"), column="pages")
        row.date_read = parse_date(self.get(cells, "finish_date"), order=self.date_order)
        row.date_added = parse_date(self.get(cells, "shelf_date"), order=self.date_order)
        return row
