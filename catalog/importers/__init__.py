"""CSV importers, one per source, and the detection of a file's source from its header."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.importers.base import BaseImporter, NormalizedRow, RowError
from catalog.importers.bookwyrm import BookWyrmImporter
from catalog.importers.calibre import CalibreImporter
from catalog.importers.csvfile import (
    CsvFile,
    ImportFileError,
    csv_rows,
    read_csv,
)
from catalog.importers.generic import GenericImporter, guess_column_map
from catalog.importers.goodreads import GoodreadsImporter
from catalog.importers.libib import LibibImporter
from catalog.importers.librarything import LibraryThingImporter
from catalog.importers.openlibrary import OpenLibraryImporter
from catalog.importers.openreads import OpenreadsImporter
from catalog.importers.parsing import cells_shown, is_a_record
from catalog.importers.storygraph import StoryGraphImporter

# The sources a header can be recognised as; `generic` needs a column map instead.
IMPORTERS: dict[str, type[BaseImporter]] = {
    cls.source: cls
    for cls in (
        GoodreadsImporter,
        StoryGraphImporter,
        LibraryThingImporter,
        LibibImporter,
        CalibreImporter,
        OpenLibraryImporter,
        BookWyrmImporter,
        OpenreadsImporter,
    )
}
GENERIC = GenericImporter.source


class UnknownFormatError(ImportFileError):
    """No source's signature matches the header: the columns have to be mapped by hand."""

    def __init__(self, message: str, *, header: list[str]):
        super().__init__(message)
        self.header = header
        self.guessed_map = guess_column_map(header)


def detect_source(header: list[str]) -> type[BaseImporter] | None:
    """The source whose signature the header has; when several match, the most specific."""
    matching = [cls for cls in IMPORTERS.values() if cls.matches(header)]
    if not matching:
        return None
    return max(matching, key=lambda cls: cls.specificity())


def importer_for(
    header: list[str], *, requested: str = "auto", column_map: dict[str, str] | None = None
) -> BaseImporter:
    """The importer for a header: the requested one, or the one whose signature matches.

    Raises UnknownFormatError when nothing matches, and ImportFileError when the chosen source's
    required columns are missing (a format forced on the wrong file would read wrong data) or a
    column map does not fit the header.
    """
    if requested == GENERIC or (requested == "auto" and column_map):
        return GenericImporter(header, column_map or {})
    if requested != "auto":
        if requested not in IMPORTERS:
            raise ImportFileError(_("Unknown format '%(format)s'.") % {"format": requested})
        importer = IMPORTERS[requested](header)
    else:
        detected = detect_source(header)
        if detected is None:
            shown = cells_shown(header)
            if is_a_record(header):
                # Mapping such a "header" by hand would lose the book it is.
                raise ImportFileError(
                    _(
                        "The first line of this file is a book, not column names (%(cells)s): "
                        "the export's header line is missing. Export the file again, or put "
                        "the header line back, then import it. Nothing was imported."
                    )
                    % {"cells": shown}
                )
            raise UnknownFormatError(
                _(
                    "This does not look like an export we recognise (%(formats)s; columns "
                    "found: %(columns)s). Map its columns by hand to import it."
                )
                % {"formats": known_formats(), "columns": shown},
                header=header,
            )
        importer = detected(header)
    missing = importer.missing_columns()
    if missing:
        raise ImportFileError(
            ngettext(
                "The file has no %(columns)s column, which the %(format)s export always has. "
                "Nothing was imported.",
                "The file lacks the columns %(columns)s, which the %(format)s export always "
                "has. Nothing was imported.",
                len(missing),
            )
            % {"columns": get_text_list(missing, _("and")), "format": importer.label}
        )
    if requested != "auto":
        refuse_another_sources_columns(header, type(importer))
    return importer


def refuse_another_sources_columns(header: list[str], forced: type[BaseImporter]) -> None:
    """A format forced on a file with its columns but whose header is another source's and not
    its own (StoryGraph forced on a Goodreads export): read so, the cells would land in the
    wrong fields. Raises ImportFileError naming the source the columns are."""
    detected = detect_source(header)
    if detected is None or detected is forced or forced.matches(header):
        return
    raise ImportFileError(
        _(
            "This file's columns are the %(detected)s export's, not the %(requested)s "
            "export's: import it as %(detected)s (or let the format be recognised). Nothing "
            "was imported."
        )
        % {"detected": detected.label, "requested": forced.label}
    )


def known_formats() -> str:
    return ", ".join(str(cls.label) for cls in IMPORTERS.values())


#: How many of a file's first rows its conventions are learnt from: the import's first batch
#: (services.jobs.IMPORT_BATCH_SIZE is this many rows).
SETTLING_ROWS = 1000

Row = tuple[int, list[str]]


def importer_settled(
    importer: BaseImporter, rows: Iterable[Row], *, count: int = SETTLING_ROWS
) -> Iterator[Row]:
    """Teach the importer the file's conventions from its first rows (`settle_date_order`: the
    order of its dates, and for a mapped file surnames written first with a gap), and give all
    the rows back, the first ones included: the import, a retry and the mapping page's preview
    learn them by this one rule, so the preview shows what the import will store."""
    rows = iter(rows)
    first_rows = list(islice(rows, count))
    importer.settle_date_order(first_rows)
    return chain(first_rows, rows)


@dataclass(slots=True)
class PreviewRow:
    line: int
    row: NormalizedRow | None
    error: str = ""


def preview_rows(csv_file: CsvFile, importer: BaseImporter, *, limit: int = 20) -> list[PreviewRow]:
    """The first rows as the import will read them (pure: nothing is saved)."""
    preview = []
    settled = importer_settled(importer, csv_file.rows)  # the whole file is held: no copy
    for line, cells in islice(settled, limit):
        cells, warnings = importer.scrub_cells(cells)
        try:
            row = importer.read_row(cells)
        except RowError as exc:
            preview.append(PreviewRow(line=line, row=None, error=str(exc)))
        else:
            row.warnings[:0] = warnings
            preview.append(PreviewRow(line=line, row=row))
    return preview


__all__ = [
    "GENERIC",
    "IMPORTERS",
    "SETTLING_ROWS",
    "BaseImporter",
    "CsvFile",
    "GenericImporter",
    "ImportFileError",
    "NormalizedRow",
    "PreviewRow",
    "RowError",
    "UnknownFormatError",
    "csv_rows",
    "detect_source",
    "guess_column_map",
    "importer_for",
    "importer_settled",
    "known_formats",
    "preview_rows",
    "read_csv",
]
