"""CSV importers, one per source, and the detection of a file's source from its header."""

from catalog.importers.base import BaseImporter, NormalizedRow, RowError
from catalog.importers.csvfile import CsvFile, ImportFileError, read_csv
from catalog.importers.goodreads import GoodreadsImporter
from catalog.importers.storygraph import StoryGraphImporter

IMPORTERS: dict[str, type[BaseImporter]] = {
    GoodreadsImporter.source: GoodreadsImporter,
    StoryGraphImporter.source: StoryGraphImporter,
}


def importer_for(header: list[str], *, requested: str = "auto") -> BaseImporter:
    """The importer for a header: the requested one, or the one whose signature matches."""
    if requested != "auto":
        if requested not in IMPORTERS:
            raise ImportFileError(f"Unknown format '{requested}'.")
        importer = IMPORTERS[requested](header)
    else:
        matching = [cls for cls in IMPORTERS.values() if cls.matches(header)]
        if not matching:
            shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
            raise ImportFileError(
                "This does not look like a Goodreads or StoryGraph export (columns found: "
                f"{shown}). Choose the format by hand if it is one."
            )
        importer = matching[0](header)
    if not importer.has_title_column():
        raise ImportFileError(
            f"The file has no Title column, which a {importer.label} export always has. "
            "Nothing was imported."
        )
    return importer


__all__ = [
    "IMPORTERS",
    "BaseImporter",
    "CsvFile",
    "ImportFileError",
    "NormalizedRow",
    "RowError",
    "importer_for",
    "read_csv",
]
