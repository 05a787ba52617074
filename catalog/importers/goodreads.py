"""Goodreads "Export Library" CSV: the 31-column layout and the 2024+ 24-column one."""

from catalog.importers.base import BaseImporter, Credit, NormalizedRow
from catalog.importers.parsing import parse_format
from catalog.importers.readers import (
    apply_identifier,
    parse_contributors,
    read_date,
    read_page_count,
    read_year,
)


class GoodreadsImporter(BaseImporter):
    source = "goodreads"
    label = "Goodreads"
    signature = ("Book Id", "Author")
    # Without Author the books have no authors; without Book Id another source's ids would be
    # read as Goodreads ids (a LibraryThing file has a Book Id column of its own).
    required = ("title", "author", "book_id")
    aliases = {
        "book_id": ("Book Id", "BookId", "Goodreads Book Id"),
        "title": ("Title",),
        "author": ("Author",),
        "author_lf": ("Author l-f",),
        "additional_authors": ("Additional Authors",),
        "isbn": ("ISBN", "ISBN10"),
        "isbn13": ("ISBN13", "ISBN-13"),
        "publisher": ("Publisher",),
        "binding": ("Binding", "Format"),
        "pages": ("Number of Pages", "Pages"),
        "year": ("Year Published",),
        "original_year": ("Original Publication Year",),
        "date_read": ("Date Read",),
        "date_added": ("Date Added",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        author = self.get(cells, "author")
        if author:
            row.credits.append(Credit(name=author, sort_name=self.get(cells, "author_lf")))
        # Goodreads drops the roles of additional authors (often translators or
        # illustrators), so they are contributors unless the cell names a role.
        extra = parse_contributors(
            self.get(cells, "additional_authors"), default_role="contributor"
        )
        known = {c.name.casefold() for c in row.credits}
        row.credits.extend(c for c in extra if c.name.casefold() not in known)
        apply_identifier(
            row, self.get(cells, "isbn13"), column=self.column_of("isbn13"), expected_form="isbn13"
        )
        apply_identifier(
            row, self.get(cells, "isbn"), column=self.column_of("isbn"), expected_form="isbn10"
        )
        book_id = self.get(cells, "book_id")
        if book_id.isdigit():
            row.goodreads_book_id = book_id
        elif book_id:
            row.warnings.append(f"Book Id '{book_id}' is not a Goodreads id; ignored.")
        row.publisher = self.get(cells, "publisher")
        row.format, warning = parse_format(self.get(cells, "binding"))
        if warning:
            row.warnings.append(warning)
        row.page_count = read_page_count(
            row, self.get(cells, "pages"), column=self.column_of("pages")
        )
        row.publication_year = read_year(
            row, self.get(cells, "year"), column=self.column_of("year")
        )
        row.first_published_year = read_year(
            row,
            self.get(cells, "original_year"),
            column=self.column_of("original_year"),
            ancient=True,
        )
        row.date_read = read_date(
            row, self.get(cells, "date_read"), column=self.column_of("date_read")
        )
        row.date_added = read_date(
            row, self.get(cells, "date_added"), column=self.column_of("date_added")
        )
        return row
