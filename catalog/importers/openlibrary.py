"""Open Library reading log CSV (My Books → Export reading log).

Two layouts: the current one (`Work ID, Title, Authors, First Publish Year, Edition ID, …,
Bookshelf, …`) and the one before 2022, with only `Work Id, Edition Id, Bookshelf`. Quirks: no
ISBN in either: a row is matched by its Open Library keys (`OL102749W`, `OL7798182M`; the edition
may be empty). A row of the old layout has no title or author at all: a new one takes its key as
a stand-in title, with a warning saying so.
"""

from django.utils.translation import gettext as _

from catalog.importers.base import BaseImporter, NormalizedRow, RowError
from catalog.importers.cells import openlibrary_key
from catalog.importers.readers import read_people, read_year


class OpenLibraryImporter(BaseImporter):
    source = "openlibrary"
    label = "Open Library"
    signature = ("Work Id", "Edition Id", "Bookshelf")
    required = ("work_id", "edition_id")
    aliases = {
        "work_id": ("Work Id",),
        "edition_id": ("Edition Id",),
        "title": ("Title",),
        "authors": ("Authors",),
        "first_year": ("First Publish Year",),
    }

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        work_cell, edition_cell = self.get(cells, "work_id"), self.get(cells, "edition_id")
        work_key, edition_key = openlibrary_key(work_cell, "W"), openlibrary_key(edition_cell, "M")
        if not (work_key or edition_key):
            if work_cell or edition_cell:
                raise RowError(
                    _("'%(value)s' is not an Open Library work or edition id (OL…W, OL…M).")
                    % {"value": work_cell or edition_cell}
                )
            raise RowError(_("This row has no Open Library work or edition id."))
        title = self.get(cells, "title")
        if title:
            row = NormalizedRow.from_title(title)
            row.credits = read_people(row, self.get(cells, "authors"))
            row.first_published_year = read_year(
                row, self.get(cells, "first_year"), column="First Publish Year"
            )
        else:
            row = NormalizedRow(title=work_key or edition_key, title_is_placeholder=True)
            row.warnings.append(
                _(
                    "This reading log has no titles: the book is known by its Open Library key "
                    "only, and a new one shows the key as its title until enrichment or a "
                    "librarian fills it in."
                )
            )
        row.openlibrary_work_key, row.openlibrary_edition_key = work_key, edition_key
        return row
