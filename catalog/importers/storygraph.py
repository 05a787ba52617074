"""StoryGraph export CSV: the current header (`ISBN/UID`) and the 2021 one (`ISBN`)."""

from catalog.importers.base import BaseImporter, Credit, NormalizedRow
from catalog.importers.parsing import parse_format, split_names
from catalog.importers.readers import (
    add_credits,
    apply_identifier,
    parse_contributors,
    read_date,
)


class StoryGraphImporter(BaseImporter):
    source = "storygraph"
    label = "StoryGraph"
    signature = ("Authors", "Read Status")
    required = ("title", "authors")
    aliases = {
        "title": ("Title",),
        "authors": ("Authors", "Author"),
        "contributors": ("Contributors",),
        "isbn": ("ISBN/UID", "ISBN"),
        "format": ("Format",),
        "date_added": ("Date Added",),
        "date_read": ("Last Date Read", "Dates Read"),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        row.credits = [Credit(name=name) for name in split_names(self.get(cells, "authors"))]
        add_credits(
            row.credits,
            parse_contributors(self.get(cells, "contributors"), default_role="contributor"),
        )
        apply_identifier(row, self.get(cells, "isbn"), column="ISBN/UID")
        row.format, warning = parse_format(self.get(cells, "format"))
        if warning:
            row.warnings.append(warning)
        row.date_added = read_date(
            row,
            self.get(cells, "date_added"),
            column=self.column_of("date_added"),
            order=self.date_order,
        )
        row.date_read = read_date(
            row,
            self.get(cells, "date_read"),
            column=self.column_of("date_read"),
            order=self.date_order,
        )
        return row
