"""Reading an uploaded export into rows, with a clear error for everything that is not a CSV.

A file-level problem (empty, binary, broken quoting, no title column) raises ImportFileError
before any row is written, so a bad file saves nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalog.importers.base import MAX_CELL_CHARS

# UTF-16 and UTF-32 text, and binary files, are full of NUL bytes; a stray NUL in a CSV (one is
# never enough to refuse a file) is damage to a cell, removed with a warning on that row.
_SNIFF_BYTES = 65536
_MAX_NUL_SHARE = 0.01
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")

_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (an .xlsx or .zip file?)",
    b"PK\x05\x06": "an empty ZIP archive",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file",
}


class ImportFileError(Exception):
    """The whole file cannot be imported; the message is for the librarian."""


@dataclass(slots=True)
class CsvFile:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Bytes -> (text, encoding, warnings): UTF-8 with or without BOM, else Latin-1."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(f"This file is not a CSV export: it looks like {kind}.")
    sample = data[:_SNIFF_BYTES]
    nuls = sample.count(b"\x00")
    if sample.startswith(_UTF16_32_BOMS) or nuls > max(1, _MAX_NUL_SHARE * len(sample)):
        raise ImportFileError(
            "This file is not a CSV export: it contains binary data (NUL bytes). "
            "If it is UTF-16 from a spreadsheet, save it again as 'CSV UTF-8'."
        )
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        warning = (
            f"The file is not valid UTF-8 (first bad byte at position {exc.start}); it was read "
            "as Latin-1. Check accented names in the imported books."
        )
        return data.decode("latin-1"), "latin-1", [warning]


def read_csv(data: bytes) -> CsvFile:
    text, encoding, warnings = decode(data)
    # No cell is longer than the file: a giant cell fails its own row (BaseImporter.read_row),
    # not the whole file.
    csv.field_size_limit(max(len(text), csv.field_size_limit()))
    # strict: a stray quote is an error with a line number, not a silently merged row.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if header is None:
                if any(cell.strip() for cell in cells):
                    header = [cell.replace("\x00", "").strip() for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file could not be read as CSV near line {reader.line_num}: {exc}. "
            "Nothing was imported. Export the file again, or check its quotes."
        ) from exc
    if header is None:
        raise ImportFileError("The file is empty.")
    if any(len(cell) > MAX_CELL_CHARS for cell in header):
        raise ImportFileError(
            _(
                "The header row has a cell of more than %(limit)s characters: this is not a book "
                "export, or it is damaged. Nothing was imported."
            )
            % {"limit": f"{MAX_CELL_CHARS:,}"}
        )
    if len(header) == 1 and ("\t" in header[0] or ";" in header[0]):
        raise ImportFileError(
            "The file is not comma-separated (it looks tab- or semicolon-separated). "
            "Upload the CSV exactly as Goodreads or StoryGraph exported it."
        )
    return CsvFile(header=header, rows=rows, encoding=encoding, warnings=warnings)
