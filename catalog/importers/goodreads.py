"""Goodreads "Export Library" CSV: the 31-column layout and the 2024+ 24-column one."""

from catalog.importers.base import (
    BaseImporter,
    Credit,
    NormalizedRow,
    RowError,
    apply_identifier,
    parse_contributors,
    parse_date,
    parse_format,
    parse_int,
    parse_title,
    parse_year,
)


class GoodreadsImporter(BaseImporter):
    source = "goodreads"
    label = "Goodreads"
    signature = ("Book Id", "Author")
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
        raw_title = self.get(cells, "title")
        if not raw_title:
            raise RowError("This row has no title.")
        title, subtitle, series, number = parse_title(raw_title)
        row = NormalizedRow(title=title, subtitle=subtitle, series=series, series_number=number)
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
        apply_identifier(row, self.get(cells, "isbn13"), column="ISBN13")
        apply_identifier(row, self.get(cells, "isbn"), column="ISBN")
        book_id = self.get(cells, "book_id")
        if book_id.isdigit():
            row.goodreads_book_id = book_id
        elif book_id:
            row.warnings.append(f"Book Id '{book_id}' is not a Goodreads id; ignored.")
        row.publisher = self.get(cells, "publisher")
        row.format, warning = parse_format(self.get(cells, "binding"))
        if warning:
            row.warnings.append(warning)
        row.page_count = parse_int(self.get(cells, "pages"))
        row.publication_year = parse_year(self.get(cells, "year"))
        row.first_published_year = parse_year(self.get(cells, "original_year"))
        row.date_read = parse_date(self.get(cells, "date_read"))
        row.date_added = parse_date(self.get(cells, "date_added"))
        return row
