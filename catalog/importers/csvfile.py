"""Reading an uploaded export into rows, with a clear error for everything that is not a CSV.

A file-level problem (empty, binary, broken quoting, no title column) raises ImportFileError
before any row is written, so a bad file saves nothing.
"""

import codecs
import collections
import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.importers.base import MAX_CELL_CHARS
from catalog.importers.parsing import (
    cell_shown,
    cells_shown,
    is_a_record,
    is_repeated_header,
    repeated_columns,
)

# UTF-16 and UTF-32 text without a byte order mark, and binary files, are full of NUL bytes; a
# stray NUL in a CSV (one is never enough to refuse a file) is damage to a cell, removed with a
# warning on that row.
_SNIFF_BYTES = 65536
_MAX_NUL_SHARE = 0.01
# The C0 control bytes no text export holds (tab, line ends, form feeds, DOS's end-of-file mark
# and the escape that ISO-2022-JP switches with are text): a binary file without a known
# signature (random or compressed bytes, a database) is full of them, as of NULs.
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)])

_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": gettext_lazy("a PNG image"),
    b"\xff\xd8\xff": gettext_lazy("a JPEG image"),
    b"GIF8": gettext_lazy("a GIF image"),
    b"PK\x03\x04": gettext_lazy("a ZIP archive (an .xlsx or .zip file?)"),
    b"PK\x05\x06": gettext_lazy("an empty ZIP archive"),
    b"%PDF": gettext_lazy("a PDF document"),
    b"\x1f\x8b": gettext_lazy("a gzip archive"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("an old Excel (.xls) or Word file"),
}


class ImportFileError(Exception):
    """The whole file cannot be imported; the message is for the librarian."""


# The fields `calibredb list` prints (calibre's db/cli/cmd_list.py), `id` always first, and
# custom columns as `*name`. Its text output pads every column to a fixed width and wraps long
# cells onto the following lines, whatever `--separator` it was given: read as CSV, a wrapped
# cell becomes a row of its own and the cells of a long title or author list are cut.
_CALIBREDB_LIST_FIELDS = frozenset(
    {
        "id", "title", "authors", "author_sort", "publisher", "rating", "timestamp", "size",
        "tags", "comments", "series", "series_index", "formats", "isbn", "uuid", "pubdate",
        "cover", "last_modified", "identifiers", "languages",
    }
)  # fmt: skip
_CALIBREDB_LIST_HEADER = re.compile(r"^id(?=[\s,;|])")
_CALIBREDB_LIST_NAMES = re.compile(r"[^\s,;|]+")


def is_calibredb_list(first_line: str) -> bool:
    """True for the header line of `calibredb list`'s text output: `id`, then only calibredb's
    field names, padded with spaces to its columns' widths (`id ;title      ;authors   `). A
    CSV that merely has such names (`id,title,authors`) is not padded."""
    if not _CALIBREDB_LIST_HEADER.match(first_line) or "  " not in first_line:
        return False
    names = _CALIBREDB_LIST_NAMES.findall(first_line.casefold())
    return len(names) >= 2 and all(
        name in _CALIBREDB_LIST_FIELDS or (name.startswith("*") and len(name) > 1) for name in names
    )


def refuse_calibredb_list(text: str) -> None:
    """Raise ImportFileError for the text `calibredb list` printed, saved as a file."""
    if is_calibredb_list(_first_non_blank_line(text)):
        raise ImportFileError(
            _(
                "This file is the text that calibre's “calibredb list” prints (columns padded "
                "with spaces, long titles and author lists wrapped onto the next lines), not a "
                "CSV export: its books cannot be read back whole. Export a CSV instead, with "
                "“calibredb catalog books.csv” or in calibre with Convert books → Create a "
                "catalog → CSV, and import that file. Nothing was imported."
            )
        )


@dataclass(slots=True)
class CsvFile:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells); [] unless kept
    encoding: str
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","
    row_count: int = 0  # the rows under the header, kept or not


# Comma (Goodreads, StoryGraph, ...), tab (LibraryThing's TSV, spreadsheets' "Text (Tab
# delimited)") and semicolon (spreadsheets in locales whose decimal mark is a comma).
DELIMITERS = (",", "\t", ";")


def detect_delimiter(text: str) -> str:
    """The delimiter of a file: the one its header line uses most (commas win a tie)."""
    header_line = _first_non_blank_line(text)
    counts = {delimiter: _count_outside_quotes(header_line, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _excel_separator_hint(text: str) -> tuple[str, str]:
    """Excel's `sep=;` first line names the delimiter: -> (the text with that line blanked, so
    line numbers stay those of the file, the delimiter) or (text, "") without one."""
    end = text.find("\n")
    first = text[: end if end >= 0 else len(text)].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep=") and first[4] not in '"\r\n':
        return text[len(first) :].lstrip("\r"), first[4]
    return text, ""


def _first_non_blank_line(text: str) -> str:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip():
            return text[start:end]
        start = end + 1
    return ""


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Bytes -> (text, encoding, warnings): UTF-8 with or without BOM, UTF-16 or UTF-32 with
    one, else the encoding charset-normalizer finds, else Latin-1."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(
                _("This file is not a CSV export: it looks like %(kind)s.") % {"kind": kind}
            )
    if (wide := _decode_wide_unicode(data)) is not None:
        return wide
    sample = data[:_SNIFF_BYTES]
    nuls = sample.count(b"\x00")
    if nuls > max(1, _MAX_NUL_SHARE * len(sample)):
        raise ImportFileError(
            _(
                "This file is not a CSV export: it contains binary data (NUL bytes). "
                "If it is UTF-16 from a spreadsheet, save it again as 'CSV UTF-8'."
            )
        )
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(1, _MAX_NUL_SHARE * len(sample)):
        raise ImportFileError(
            _(
                "This file is not a CSV export: it contains binary data (control characters "
                "that no text file holds). Export the books again as CSV and import that file."
            )
        )
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    return _decode_damaged_utf8(data) or _decode_legacy(data, first_bad)


# A byte that is not UTF-8 is read as U+DC80 + the byte ("surrogateescape"). A damaged place is
# a lead byte with continuation bytes, the shape of a UTF-8 character (an encoded surrogate, an
# overlong form, one cut short) that an 8-bit code page writes only by chance, or one byte alone.
_UTF8_SHAPED = re.compile("[\udcc0-\udcff][\udc80-\udcbf]{1,3}")
_DAMAGED_PLACE = re.compile(f"{_UTF8_SHAPED.pattern}|[\udc80-\udcff]")
_LINES_NAMED = 10


def _decode_damaged_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    """UTF-8 with a few damaged places (LibraryThing's TSV can hold one broken name; a bad copy
    breaks a byte; Java and MySQL write a surrogate as 3 bytes) is still UTF-8: read as a code
    page, every other accented letter of the file would be garbled. -> (text with each damaged
    place as \ufffd, "utf-8", [warning naming its lines]), or None for an 8-bit file, whose
    accented letters are bytes that do not make UTF-8 characters, each alone."""
    escaped = data.decode("utf-8-sig", errors="surrogateescape")
    text, places = _DAMAGED_PLACE.subn("\ufffd", escaped)  # counted in C: a large file is fast
    shaped = _UTF8_SHAPED.subn("", escaped)[1]
    escapes = len(escaped) - len(text) + places
    characters = len(escaped) - len(escaped.encode("ascii", errors="ignore")) - escapes
    # A UTF-8 character is rarer by chance in 8-bit text than a broken byte in UTF-8: a tie
    # goes to UTF-8.
    if not characters + shaped or characters + shaped < places - shaped:
        return None
    lines: list[int] = []
    line, end = 1, 0
    for place in _DAMAGED_PLACE.finditer(escaped):
        line += escaped.count("\n", end, place.start())
        end = place.start()
        if not lines or lines[-1] != line:
            lines.append(line)
        if len(lines) > _LINES_NAMED:
            break
    shown = ", ".join(map(str, lines[:_LINES_NAMED])) + ("…" if len(lines) > _LINES_NAMED else "")
    warning = _(
        "The file is UTF-8 with %(count)d damaged byte sequence(s), on line(s) %(lines)s; each "
        "was replaced by \ufffd. Each row where one falls in a column the import reads says so "
        "(its rows “with warnings”)."
    ) % {"count": places, "lines": shown}
    return text, "utf-8", [warning]


# UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode_wide_unicode(data: bytes) -> tuple[str, str, list[str]] | None:
    """A file that starts with a UTF-16 or UTF-32 byte order mark (a spreadsheet's "Unicode
    Text", an older LibraryThing export) is that text, whatever NULs its bytes hold: -> (text,
    encoding, []), or None for any other file."""
    for bom, encoding in _WIDE_UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    _(
                        "This file is %(encoding)s text (it starts with its byte order mark) but "
                        "is damaged at byte %(position)d: it may have been cut short. Nothing "
                        "was imported. Save it again as 'CSV UTF-8' and import that file."
                    )
                    % {"encoding": encoding.upper(), "position": exc.start}
                ) from exc
    return None


# Short Western files fit several single-byte code pages equally well ("Cien años" reads the same
# in cp1250, cp1252 and iso8859_10 as far as charset-normalizer can tell): on such a tie the one
# spreadsheets on Windows write in Western locales wins.
_PREFERRED_ON_TIE = "cp1252"


def _decode_legacy(data: bytes, first_bad: int) -> tuple[str, str, list[str]]:
    """A file that is not UTF-8: Mac Roman when its lines end as a Mac's did (Excel for Mac's
    "CSV (Macintosh)"), else charset-normalizer's best guess (cp1251 Cyrillic, cp1253 Greek,
    Shift-JIS, cp1252...), else Latin-1, which decodes any bytes."""
    if b"\r" in data and b"\n" not in data:
        # Lines ended by CR alone come from a Mac, in its own code page: read as cp1252, its
        # accents turn into dashes and quotes ("rebelión" -> "rebeli—n") that look like text.
        warning = _(
            "The file is not valid UTF-8 (first bad byte at position %(position)d) and its lines "
            "end as on a Mac (CR alone): it was read as Mac Roman, in which Excel for Mac saves "
            "“CSV (Macintosh)”. Check the names and titles of the imported books."
        ) % {"position": first_bad}
        return data.decode("mac_roman"), "mac_roman", [warning]
    matches = from_bytes(data)
    best = matches.best()
    if best is not None:
        for match in matches:
            if match.encoding == _PREFERRED_ON_TIE and (match.chaos, match.coherence) == (
                best.chaos,
                best.coherence,
            ):
                best = match
        try:
            text = data.decode(best.encoding)
        except UnicodeDecodeError:  # pragma: no cover - the guess is checked on the whole file
            best = None
    if best is None:
        warning = _(
            "The file is not valid UTF-8 (first bad byte at position %(position)d) and its "
            "encoding could not be recognised; it was read as Latin-1. Check accented names in "
            "the imported books."
        ) % {"position": first_bad}
        return data.decode("latin-1"), "latin-1", [warning]
    warning = _(
        "The file is not valid UTF-8 (first bad byte at position %(position)d); it was read as "
        "%(encoding)s, the closest match found. Check the names and titles of the imported books."
    ) % {"position": first_bad, "encoding": best.encoding}
    return text, best.encoding, [warning]


# Browsers' names for the Python codecs an upload may be read in, where they differ.
_HTTP_CHARSETS = {
    "cp932": "shift_jis",
    "cp949": "euc-kr",
    "cp936": "gbk",
    "mac-cyrillic": "x-mac-cyrillic",
    "mac-roman": "macintosh",
}


def http_charset(encoding: str) -> str:
    """The charset to label a stored upload with: "cp1251" -> "windows-1251", "latin-1" ->
    "iso-8859-1"; UTF-8 for an unknown or missing name."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"
    if name.startswith("cp125"):
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-" + name[3:]
    return _HTTP_CHARSETS.get(name, name)


def read_csv(data: bytes, *, keep_rows: bool = True) -> CsvFile:
    """Read and check a whole file (a file-level error raises ImportFileError). Without
    `keep_rows` its rows are only counted and checked, not kept: `csv_rows` gives them later,
    one at a time, so that a large file is never held as a list of rows."""
    warnings: list[str] = []
    text, encoding, delimiter = _decoded(data, warnings)
    refuse_calibredb_list(text)  # before its padded columns are read as a CSV's
    try:
        csv_file = _read_rows(text, delimiter, quoting=csv.QUOTE_MINIMAL, keep_rows=keep_rows)
    except ImportFileError:
        if delimiter != "\t":
            raise
        # LibraryThing's TSV quotes nothing: a cell may start with a quote it never closes.
        csv_file = _read_rows(text, delimiter, quoting=csv.QUOTE_NONE, keep_rows=keep_rows)
    # A lone line of a book is no header: importer_for says the header is missing.
    if not csv_file.row_count and not is_a_record(csv_file.header):
        raise ImportFileError(
            _(
                "The file holds only its header line (%(columns)s): no book to import. Nothing "
                "was imported. Check that the export was complete, or that this is the right "
                "file, and import it again."
            )
            % {"columns": cells_shown(csv_file.header)}
        )
    if any(len(cell) > MAX_CELL_CHARS for cell in csv_file.header):
        raise ImportFileError(
            _(
                "The header row has a cell of more than %(limit)s characters: this is not a book "
                "export, or it is damaged. Nothing was imported."
            )
            % {"limit": f"{MAX_CELL_CHARS:,}"}
        )
    csv_file.encoding = encoding
    csv_file.warnings[:0] = warnings + _repeated_columns_warnings(csv_file.header)
    return csv_file


def _repeated_columns_warnings(header: list[str]) -> list[str]:
    """A name the header gives several columns: only the first is read, and the job says so
    (the others' cells stay in each row's cells and the failed rows' CSV)."""
    return [
        _(
            "The header gives %(count)d columns the name “%(name)s” (columns %(numbers)s): only "
            "the first, column %(first)d, was read; check that it holds what you meant."
        )
        % {
            "name": cell_shown(name),
            "count": len(numbers),
            "numbers": ", ".join(map(str, numbers)),
            "first": numbers[0],
        }
        for name, numbers in repeated_columns(header)
    ]


def csv_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """-> (the header, the rows under it as (line, cells)) of a file `read_csv` accepted, the
    rows read one at a time: the same rows `read_csv` keeps, without holding them all."""
    text, _encoding, delimiter = _decoded(data, [])
    quoting: Literal[0, 3] = csv.QUOTE_MINIMAL
    if delimiter == "\t":
        try:  # read_csv's fallback, decided the same way: by reading the whole file first
            collections.deque(_cells(text, delimiter, quoting=quoting), maxlen=0)
        except ImportFileError:
            quoting = csv.QUOTE_NONE
    rows, _joined = _header_apart(_cells(text, delimiter, quoting=quoting))
    _line, header = next(rows, (0, []))
    return [cell.replace("\x00", "").strip() for cell in header], rows


def _decoded(data: bytes, warnings: list[str]) -> tuple[str, str, str]:
    """-> (the file's text, its encoding, its delimiter); the decoding's warnings are added."""
    text, encoding, decode_warnings = decode(data)
    warnings.extend(decode_warnings)
    # No cell is longer than the file: a giant cell fails its own row (BaseImporter.read_row),
    # not the whole file.
    csv.field_size_limit(max(len(text), csv.field_size_limit()))
    text, delimiter = _excel_separator_hint(text)
    if not delimiter:
        text = _unwrapped_lines(text, warnings)
    return text, encoding, delimiter or detect_delimiter(text)


def _unwrapped_lines(text: str, warnings: list[str]) -> str:
    """An export whose lines a spreadsheet saved as one column of a `;`-separated file (its
    locale separates with semicolons and it did not split the commas): each line quoted whole,
    `"31850765,Energy and Civilization: A History,Vaclav Smil,""Smil, Vaclav"",…";`, or split
    in two cells where the line held a `;` (`"…(Discworld, #9";" Rincewind #4)…"`). The lines it
    holds (line numbers kept), with a warning; any other file comes back as it is."""
    header, first_row = _first_lines(text, 2)
    if (
        not first_row.startswith('"')
        or _count_outside_quotes(first_row, ",")  # a comma export's own row: commas outside
        or _count_outside_quotes(header, ",") < 2
    ):
        return text  # nearly every file, at once
    try:
        rows = list(_cells(text, ";", quoting=csv.QUOTE_MINIMAL))
    except ImportFileError:
        return text
    pieces: list[str] = []
    last_line = 1  # the file's line the text built so far ends on
    for line, cells in rows:
        while cells and not cells[-1].strip():  # the empty cells of the spreadsheet's columns
            cells = cells[:-1]
        held = ";".join(cells)
        # Each line it holds where the file had it, a line with line breaks in a cell included.
        pieces.append("\n" * (line - last_line) + held)
        last_line = line + held.count("\n")
    warnings.append(
        _(
            "Every line of this file was saved as one quoted cell (a spreadsheet that separates "
            "cells with “;” saved the export as one column): each was read as the line it holds."
        )
    )
    return "".join(pieces) + "\n"


def _first_lines(text: str, count: int) -> list[str]:
    """The first `count` lines that hold more than spaces ("" for each one missing)."""
    found: list[str] = []
    for match in _LINE.finditer(text):
        if match.group().strip():
            found.append(match.group().rstrip("\r\n"))
            if len(found) == count:
                break
    return found + [""] * (count - len(found))


def _repeated_header_warning(lines: list[int]) -> list[str]:
    """Exports joined by a program repeat their header inside the file: those rows are skipped
    (each fails with the reason, BaseImporter.read_row) and the job says where they are."""
    if not lines:
        return []
    shown = ", ".join(str(line) for line in lines[:10]) + (", …" if len(lines) > 10 else "")
    return [
        ngettext(
            "Line %(lines)s repeats the header row (exports joined together?); it was skipped.",
            "%(count)d lines repeat the header row (exports joined together?): %(lines)s; they "
            "were skipped.",
            len(lines),
        )
        % {"count": len(lines), "lines": shown}
    ]


def _read_rows(
    text: str, delimiter: str, *, quoting: Literal[0, 1, 2, 3], keep_rows: bool
) -> CsvFile:
    """The header and the rows under it (kept, or only counted), with the repeated headers'
    warning. Raises ImportFileError."""
    rows, joined = _header_apart(_cells(text, delimiter, quoting=quoting))
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    header = [cell.replace("\x00", "").strip() for cell in first[1]]  # as csv_rows reads it
    kept: list[tuple[int, list[str]]] = []
    repeated: list[int] = []
    count = 0
    last: tuple[int, list[str]] = first
    for line, cells in rows:
        count += 1
        last = (line, cells)
        if keep_rows:
            kept.append((line, cells))
        if is_repeated_header(header, cells):
            repeated.append(line)
    return CsvFile(
        header=header,
        rows=kept,
        encoding="",
        warnings=[
            *joined,
            *_repeated_header_warning(repeated),
            *_cut_short_warning(text, header, count, last),
        ],
        delimiter=delimiter,
        row_count=count,
    )


def _cut_short_warning(text: str, header: list[str], count: int, last: tuple[int, list[str]]):
    """A file whose last row stops partway (fewer cells than the header) without a line end was
    most likely cut short: a download or a copy that stopped. Its last cell may be cut too (a
    title, an ISBN), so the job says which line to check. Many exports end without a line
    break; only with a short last row is it a sign."""
    line, cells = last
    if not count or text.endswith(("\n", "\r")) or len(cells) >= len(header):
        return []
    return [
        _(
            "The file ends partway through line %(line)d (%(cells)d of the header's %(columns)d "
            "cells, and no line break): it may have been cut short, by a download or a copy "
            "that stopped. That row was imported from what it holds; check its book, or "
            "export the file again and import it."
        )
        % {"line": line, "cells": len(cells), "columns": len(header)}
    ]


# A line as a file opened with newline="" gives it (ended by \r\n, \r or \n): csv reads these
# from the text itself, where io.StringIO would first copy it at 4 bytes a character.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# The end of a header's last column name joined to a record's first cell, an id: `Owned
# Copies102955228`.
_NAME_THEN_ID = re.compile(r"(?P<name>.*\D)(?P<id>\d+)")

Rows = Iterator[tuple[int, list[str]]]


def _header_apart(rows: Rows) -> tuple[Rows, list[str]]:
    """The rows, the header first, with a first record that lost the line break before it
    (`…,Read Count,Owned Copies102955228,Salvar o fogo,…`: the header line holds the header and
    the record, whose first cell, an id, is joined to the last column's name) as a row of its
    own on line 1, and a warning saying so. The header line is such a line when it has one cell
    fewer than two of the next row and that row starts with an id as the joined cell ends;
    any other file's rows come back as they are, and no warning."""
    first, second = next(rows, None), next(rows, None)
    ahead = [row for row in (first, second) if row is not None]
    if first is None or second is None:
        return iter(ahead), []
    header, width = first[1], len(second[1])
    joined = _NAME_THEN_ID.fullmatch(header[width - 1]) if len(header) == 2 * width - 1 else None
    if width < 3 or not joined or not second[1][0].strip().isdigit():
        return itertools.chain(ahead, rows), []
    apart = [(first[0], [*header[: width - 1], joined["name"]])]
    apart.append((first[0], [joined["id"], *header[width:]]))
    warning = _(
        "The header line also holds the first book (the line break after the header was "
        "lost): “%(cell)s” was read as the column “%(name)s” and the book's first cell."
    ) % {"cell": header[width - 1], "name": joined["name"].strip()}
    return itertools.chain(apart, [second], rows), [warning]


def _cells(
    text: str, delimiter: str, *, quoting: Literal[0, 1, 2, 3]
) -> Iterator[tuple[int, list[str]]]:  # csv.QUOTE_*
    """(line number, cells) of every row that holds more than spaces, the header first."""
    # strict: a stray quote is an error with a line number, not a silently merged row.
    reader = csv.reader(
        (match.group() for match in _LINE.finditer(text)),
        delimiter=delimiter,
        quoting=quoting,
        strict=True,
    )
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if "".join(cells).strip():  # any cell holding more than spaces, at C speed
                yield line, cells
    except csv.Error as exc:
        if "end of data" in str(exc):
            # A quote never closed: the cell took in every line after it, to the file's end.
            raise ImportFileError(
                _(
                    "The file could not be read as CSV: it ends inside a quoted cell, the row "
                    "that starts on line %(line)s opening a quote that is never closed. The "
                    "file may have been cut short (a download or a copy that stopped), or that "
                    "row has a stray quote. Nothing was imported. Check that row, or export the "
                    "file again."
                )
                % {"line": next_line}
            ) from exc
        raise ImportFileError(
            _(
                "The file could not be read as CSV near line %(line)s: %(error)s. "
                "Nothing was imported. Export the file again, or check its quotes."
            )
            % {"line": reader.line_num, "error": exc}
        ) from exc
