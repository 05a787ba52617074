"""The shared base of the CSV importers: header aliases, and row normalization as pure functions.

An importer maps one source's columns onto `NormalizedRow`; nothing here touches the database,
so every quirk of the real exports is tested on plain data. The catalog's column widths are read
from the models, so that a row fits them the same way on SQLite (which ignores max_length) and on
PostgreSQL (which refuses longer values).
"""

import datetime
import functools
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import isbn, text
from catalog.csvsafe import FORMULA_STARTS
from catalog.models import Author, Edition, Work

ASIN = re.compile(r"^B[0-9A-Z]{9}$")
# A cell longer than this is damage (a pasted blob, a broken export), never a book's data.
MAX_CELL_CHARS = 1_000_000
_EXCEL_QUOTED = re.compile(r'^="(.*)"$', re.DOTALL)
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"^\s*(\d{3,4})\s*$")
_DATE = re.compile(r"(\d{4})[/-](\d{1,2})(?:[/-](\d{1,2}))?")

# Lower-cased binding / format values seen in real exports -> Edition.Format.
FORMATS = {
    "hardcover": "hardcover",
    "hardback": "hardcover",
    "library binding": "hardcover",
    "tapa dura": "hardcover",
    "relié": "hardcover",
    "gebundene ausgabe": "hardcover",
    "paperback": "paperback",
    "trade paperback": "paperback",
    "softcover": "paperback",
    "tapa blanda": "paperback",
    "rústica": "paperback",
    "broché": "paperback",
    "poche": "paperback",
    "taschenbuch": "paperback",
    "brossura": "paperback",
    "mass market paperback": "mass_market",
    "mass market": "mass_market",
    "kindle edition": "ebook",
    "ebook": "ebook",
    "e-book": "ebook",
    "digital": "ebook",
    "nook": "ebook",
    "edición kindle": "ebook",
    "audio": "audiobook",
    "audiobook": "audiobook",
    "audible audio": "audiobook",
    "audio cd": "audiobook",
    "audio cassette": "audiobook",
    "mp3 cd": "audiobook",
    "unknown binding": "",
}

ROLES = {
    "author": "author",
    "translator": "translator",
    "traductor": "translator",
    "traducción": "translator",
    "narrator": "narrator",
    "reader": "narrator",
    "illustrator": "illustrator",
    "illustrations": "illustrator",
    "cover artist": "illustrator",
    "editor": "editor",
    "contributor": "contributor",
    "foreword": "contributor",
    "introduction": "contributor",
    "afterword": "contributor",
}


class RowError(Exception):
    """This row cannot be imported; the message is for the librarian."""


@dataclass(slots=True)
class Credit:
    name: str
    role: str = "author"
    sort_name: str = ""


@dataclass(slots=True)
class NormalizedRow:
    """One book from an export, in the catalog's terms."""

    title: str
    subtitle: str = ""
    # The primary series (the first one named) and its number, as lists show them; every
    # series with its number, primary first, is in `series_entries`.
    series: str = ""
    series_number: str = ""
    series_entries: list[tuple[str, str]] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    isbn13: str = ""
    isbn10: str = ""
    asin: str = ""
    other_ids: list[str] = field(default_factory=list)  # non-ISBN ids from an ISBN/UID cell
    goodreads_book_id: str = ""
    librarything_id: str = ""
    openlibrary_work_key: str = ""  # "OL27258W"
    openlibrary_edition_key: str = ""  # "OL7353617M"
    google_books_id: str = ""
    publisher: str = ""
    publication_year: int | None = None
    first_published_year: int | None = None
    page_count: int | None = None
    format: str = ""
    date_added: str = ""
    date_read: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def primary_author(self) -> str:
        authors = [c.name for c in self.credits if c.role == "author"]
        return authors[0] if authors else ""

    def as_json(self) -> dict:
        """The non-empty fields, for ImportRow.normalized (built by hand: asdict is slow)."""
        data = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in ("", None, []):
                continue
            if name == "credits":
                value = [{k: v for k, v in asdict(c).items() if v} for c in value]
            data[name] = value
        return data


class BaseImporter:
    """Maps one source's header onto NormalizedRow. Subclasses declare `source`, `aliases`
    (field -> accepted column names, any case) and `signature` (columns that identify the
    source), and implement `normalize`."""

    source: str = ""
    label: str = ""
    aliases: dict[str, tuple[str, ...]] = {}
    signature: tuple[str, ...] = ()

    def __init__(self, header: list[str]):
        self.header = header
        lowered = {name.strip().lower(): index for index, name in enumerate(header)}
        self.columns: dict[str, int] = {}
        for field_name, names in self.aliases.items():
            for name in names:
                if name.lower() in lowered:
                    self.columns[field_name] = lowered[name.lower()]
                    break

    @classmethod
    def matches(cls, header: list[str]) -> bool:
        lowered = {name.strip().lower() for name in header}
        return all(name.lower() in lowered for name in cls.signature)

    def has_title_column(self) -> bool:
        return "title" in self.columns

    def cells_to_raw(self, cells: list[str]) -> dict[str, str]:
        return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(self.header)}

    def get(self, cells: list[str], field_name: str) -> str:
        index = self.columns.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return clean_cell(cells[index])

    def normalize(self, cells: list[str]) -> NormalizedRow:
        raise NotImplementedError

    def read_row(self, cells: list[str]) -> NormalizedRow:
        """The row as the catalog will store it: `normalize` between the checks every source
        shares. Raises RowError."""
        self.check_cell_sizes(cells)
        row = self.normalize(cells)
        fit_to_columns(row)
        return row

    def scrub_cells(self, cells: list[str]) -> tuple[list[str], list[str]]:
        """-> (cells without NUL characters, warnings). No database text column takes a NUL
        (PostgreSQL refuses it): in an export it is damage to a cell, so the row is kept."""
        damaged = [index for index, cell in enumerate(cells) if "\x00" in cell]
        if not damaged:
            return list(cells), []
        cleaned = [cell.replace("\x00", "") for cell in cells]
        columns = ", ".join(self.column_name(index) for index in damaged)
        return cleaned, [
            _("NUL characters (file damage) were removed from: %(columns)s.") % {"columns": columns}
        ]

    def column_name(self, index: int) -> str:
        if index < len(self.header) and self.header[index]:
            return self.header[index]
        return _("column %(number)d") % {"number": index + 1}

    def check_cell_sizes(self, cells: list[str]) -> None:
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                raise RowError(
                    _(
                        "%(column)s holds %(length)s characters, more than any book's data "
                        "(the limit is %(limit)s a cell); this row was not imported."
                    )
                    % {
                        "column": self.column_name(index),
                        "length": f"{len(cell):,}",
                        "limit": f"{MAX_CELL_CHARS:,}",
                    }
                )

    def check_shape(self, cells: list[str]) -> None:
        # A row far wider than the header is damage (a broken export or a pasted blob).
        if len(cells) > len(self.header) + 2:
            raise RowError(
                f"This row has {len(cells)} columns but the header has {len(self.header)}; "
                "it was not imported."
            )


# --- Column widths ----------------------------------------------------------------------------

# Text cut at a word boundary when longer than the narrowest column it is stored in.
_CUT_TO_FIT = {
    "title": (gettext_lazy("Title"), ((Work, "title"), (Edition, "title"))),
    "subtitle": (gettext_lazy("Subtitle"), ((Work, "subtitle"), (Edition, "subtitle"))),
    "series": (gettext_lazy("Series"), ((Work, "series"),)),
    "publisher": (gettext_lazy("Publisher"), ((Edition, "publisher"),)),
}
_CREDIT_CUT_TO_FIT = {
    "name": (gettext_lazy("Author name"), ((Author, "name"),)),
    "sort_name": (gettext_lazy("Author sort name"), ((Author, "sort_name"),)),
}
# Identifiers are never cut (a cut id is someone else's id): one too long is dropped.
_DROP_IF_TOO_LONG = {
    "series_number": (gettext_lazy("Series number"), ((Work, "series_number"),)),
    "goodreads_book_id": (gettext_lazy("Goodreads book id"), ((Edition, "goodreads_book_id"),)),
}


@functools.cache
def max_length(columns: tuple[tuple[type, str], ...]) -> int:
    """The width of the narrowest of these (model, field) columns."""
    return min(model._meta.get_field(name).max_length for model, name in columns)


def fit_to_columns(row: NormalizedRow) -> None:
    """Make every value fit the column it is stored in, with a warning on the row for each
    change, so that SQLite and PostgreSQL store the same book."""
    for name, (label, columns) in _CUT_TO_FIT.items():
        setattr(row, name, _cut_to_fit(getattr(row, name), max_length(columns), label, row))
    for credit in row.credits:
        for name, (label, columns) in _CREDIT_CUT_TO_FIT.items():
            value = getattr(credit, name)
            setattr(credit, name, _cut_to_fit(value, max_length(columns), label, row))
    for name, (label, columns) in _DROP_IF_TOO_LONG.items():
        value, limit = getattr(row, name), max_length(columns)
        if len(value) > limit:
            setattr(row, name, "")
            shown = value if len(value) <= 40 else value[:40] + "…"
            row.warnings.append(
                _("%(field)s '%(value)s' is longer than %(limit)d characters; it was ignored.")
                % {"field": label, "value": shown, "limit": limit}
            )


def _cut_to_fit(value: str, limit: int, label, row: NormalizedRow) -> str:
    if len(value) <= limit:
        return value
    cut = text.cut_at_word_boundary(value, limit)
    row.warnings.append(
        _(
            "%(field)s was %(length)s characters, more than the catalog keeps (%(limit)d); "
            "it was cut to %(kept)d characters, at the end of a word where possible."
        )
        % {"field": label, "length": f"{len(value):,}", "limit": limit, "kept": len(cut)}
    )
    return cut


# --- Cell parsers (pure) -------------------------------------------------------------------------


def clean_cell(value: str) -> str:
    """Unwrap Goodreads' `="..."` spreadsheet quoting and collapse whitespace.

    The `'` that our own CSV downloads put before a formula-like cell (catalog.csvsafe) is taken
    off again, so a corrected failed-rows file imports like the original."""
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        value = value[1:].strip()
    quoted = _EXCEL_QUOTED.match(value)
    if quoted:
        value = quoted.group(1).strip()
    return _SPACES.sub(" ", value)


def parse_title(raw_title: str) -> tuple[str, str, str, str]:
    """-> (title, subtitle, series, series number)."""
    title, series, number = text.split_series(raw_title)
    subtitle = ""
    if ": " in title:
        main, rest = title.split(": ", 1)
        if main.strip():
            title, subtitle = main.strip(), rest.strip()
    return title, subtitle, series, number


def parse_int(value: str, *, minimum: int = 1, maximum: int = 100_000) -> int | None:
    value = (value or "").strip().replace(",", "")
    if not value.isdigit():
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_year(value: str) -> int | None:
    match = _YEAR.match(value or "")
    if not match:
        return None
    year = int(match.group(1))
    return year if 100 <= year <= datetime.date.today().year + 5 else None


def parse_date(value: str) -> str:
    """`2025/06/29`, `2025-06-29`, or a range `2023/05/23-2023/06/07` (its end) -> ISO date."""
    matches = _DATE.findall(value or "")
    if not matches:
        return ""
    year, month, day = matches[-1]
    try:
        return datetime.date(int(year), int(month), int(day or 1)).isoformat()
    except ValueError:
        return ""


def parse_format(value: str) -> tuple[str, str]:
    """-> (Edition.Format value, warning). Unknown bindings become "other", with a note."""
    key = (value or "").strip().lower()
    if not key:
        return "", ""
    if key in FORMATS:
        return FORMATS[key], ""
    return "other", f"Unrecognized format '{value}' recorded as 'other'."


def split_names(value: str) -> list[str]:
    return [name for name in (part.strip() for part in (value or "").split(",")) if name]


def parse_contributors(value: str, *, default_role: str) -> list[Credit]:
    """`Name (Translator), Other Name` -> credits; a missing role is `default_role`."""
    credits = []
    for part in split_names(value):
        role = default_role
        match = re.match(r"^(?P<name>.*?)\s*\((?P<role>[^()]+)\)$", part)
        if match:
            part = match["name"].strip()
            role = ROLES.get(match["role"].strip().lower(), "contributor")
        if part:
            credits.append(Credit(name=part, role=role))
    return credits


def apply_identifier(row: NormalizedRow, value: str, *, column: str) -> None:
    """Put an ISBN-ish cell where it belongs: ISBN, ASIN, or a kept non-ISBN id.

    Never guesses: spreadsheet damage (`9.78053E+12`) yields no ISBN and a warning.
    """
    value = clean_cell(value)
    if not value:
        return
    if isbn.is_scientific_notation(value):
        row.warnings.append(
            f"{column} '{value}' was damaged by a spreadsheet (scientific notation); "
            "its digits are lost, so no ISBN was taken from it."
        )
        return
    compact = isbn.canonicalize(value)
    if ASIN.match(compact):
        row.asin = row.asin or compact
        return
    parsed = isbn.parse_isbn(compact)
    if parsed is None:
        row.other_ids.append(value)
        if compact.isdigit() and len(compact) in (10, 13):
            row.warnings.append(f"{column} '{value}' has a wrong check digit; not used as an ISBN.")
        return
    if parsed.source_form == "sbn":
        row.warnings.append(
            f"{column} '{value}' read as ISBN-10 {parsed.isbn10} (9-digit SBN, or an ISBN-10 "
            "whose leading zero a spreadsheet dropped)."
        )
    if row.isbn13 and row.isbn13 != parsed.isbn13:
        row.warnings.append(
            f"{column} '{value}' disagrees with ISBN {row.isbn13}; kept {row.isbn13}."
        )
        return
    row.isbn13 = parsed.isbn13
    row.isbn10 = row.isbn10 or (parsed.isbn10 or "")
