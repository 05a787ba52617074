"""Shared by the export format tests: each format's synthetic header, a file built from
named cells, and a file read as an importer would."""

import csv
import io

from catalog.importers import (
    importer_for,
    read_csv,
)
from tests.catalog.test_importers import GOODREADS_24, STORYGRAPH

LIBRARYTHING = [
    "Book Id", "Title", "Sort Character", "Primary Author", "Primary Author Role",
    "Secondary Author", "Secondary Author Roles", "Publication", "Date", "Review", "Rating",
    "Comment", "Private Comment", "Summary", "Media", "Physical Description", "Weight", "Height",
    "Thickness", "Length", "Dimensions", "Page Count", "LCCN", "Acquired", "Date Started",
    "Date Read", "Barcode", "BCID", "Tags", "Collections", "Languages", "Original Languages",
    "LC Classification", "ISBN", "ISBNs", "Subjects", "Dewey Decimal", "Dewey Wording",
    "Other Call Number", "Copies", "Source", "Entry Date", "From Where", "OCLC", "Work id",
    "Lending Patron", "Lending Status", "Lending Start", "Lending End",
]  # fmt: skip
LIBIB = [
    "item_type", "title", "creators", "first_name", "last_name", "collection", "ean_isbn13",
    "upc_isbn10", "description", "publisher", "publish_date", "group", "tags", "notes", "price",
    "length", "number_of_discs", "number_of_players", "age_group", "ensemble", "aspect_ratio",
    "esrb", "rating", "review", "review_date", "status", "began", "completed", "added", "copies",
]  # fmt: skip
CALIBRE = [
    "authors", "author_sort", "rating", "library_name", "timestamp", "formats", "size", "isbn",
    "identifiers", "comments", "tags", "series", "series_index", "languages", "title", "cover",
    "title_sort", "publisher", "pubdate", "id", "uuid",
]  # fmt: skip
OPENLIBRARY = ["Work Id", "Edition Id", "Bookshelf"]  # before 2022
# The current reading log (Open Library's ReadingLogExport field names).
OPENLIBRARY_CURRENT = [
    "Work ID", "Title", "Authors", "First Publish Year", "Edition ID", "Edition Count",
    "Bookshelf", "My Ratings", "Ratings Average", "Ratings Count", "Has Ebook", "Subjects",
    "Subject People", "Subject Places", "Subject Times",
]  # fmt: skip
# Libib's import template: no item_type, `length_of`, `completed_date`.
LIBIB_TEMPLATE = [
    "added", "creators", "began_date", "completed_date", "copies", "description", "group",
    "upc_isbn10", "ean_isbn13", "ddc", "lcc", "lccn", "oclc", "lexile", "length_of", "notes",
    "price", "publish_date", "publisher", "rating", "review", "review_date", "status", "tags",
    "title",
]  # fmt: skip
BOOKWYRM = [
    "title", "author_text", "remote_id", "openlibrary_key", "inventaire_id", "librarything_key",
    "goodreads_key", "bnf_id", "viaf", "wikidata", "asin", "aasin", "isfdb", "isbn_10",
    "isbn_13", "oclc_number", "pages", "start_date", "finish_date", "stopped_date", "rating",
    "review_name", "review_cw", "review_content", "review_published", "shelf", "shelf_name",
    "shelf_date",
]  # fmt: skip
OPENREADS = [
    "title", "subtitle", "author", "description", "status", "favourite", "deleted", "rating",
    "pages", "publication_year", "isbn", "olid", "tags", "my_review", "notes", "book_format",
    "readings", "date_added", "date_modified",
]  # fmt: skip
HEADERS = {
    "librarything": LIBRARYTHING,
    "libib": LIBIB,
    "calibre": CALIBRE,
    "openlibrary": OPENLIBRARY,
    "openlibrary_current": OPENLIBRARY_CURRENT,
    "libib_template": LIBIB_TEMPLATE,
    "bookwyrm": BOOKWYRM,
    "openreads": OPENREADS,
    "goodreads": GOODREADS_24.split(","),
    "storygraph": STORYGRAPH.split(","),
}


def synthetic_file(header: list[str], *rows: dict[str, str], delimiter: str = ",") -> bytes:
    """A file in a format's shape: the header, then each row's named cells (others empty)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        assert set(row) <= set(header), set(row) - set(header)
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def read(data: bytes, requested: str = "auto"):
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header, requested=requested)
    rows = []
    for _line, cells in csv_file.rows:
        rows.append(importer.read_row(importer.scrub_cells(cells)[0]))
    return importer, rows
