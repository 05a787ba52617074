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
from catalog.models import Author, Edition, Work, WorkSeries

ASIN = re.compile(r"^B[0-9A-Z]{9}$")
# A cell longer than this is damage (a pasted blob, a broken export), never a book's data.
MAX_CELL_CHARS = 1_000_000
_EXCEL_QUOTED = re.compile(r'^="(.*)"$', re.DOTALL)
_SPACES = re.compile(r"\s+")
# `128`, and `128.0` / `128,0`: a whole number written as a float by a spreadsheet or pandas.
_WHOLE_NUMBER = re.compile(r"^\+?(?P<digits>\d+)(?:[.,]0+)?$")
# `1,234`, `1.234`, `1 234`, `1'234`: thousands grouped, one separator throughout.
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([.,' ])\d{3}(?:\1\d{3})*$")
REPEATED_HEADER_ERROR = gettext_lazy(
    "This row repeats the header row (exports joined together?); it was skipped."
)
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
    # True when the export has no title and `title` only stands in for one (an Open Library
    # key): it is not compared with the catalog's titles.
    title_is_placeholder: bool = False
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
    language: str = ""  # ISO 639-1 where known ("fr"), else the source's code
    publication_year: int | None = None
    first_published_year: int | None = None
    page_count: int | None = None
    format: str = ""
    date_added: str = ""
    date_read: str = ""
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_title(cls, raw_title: str) -> "NormalizedRow":
        """A row with the title, subtitle and every series read from an export's title cell."""
        title, subtitle, series_entries = parse_title_parts(raw_title)
        series, number = series_entries[0] if series_entries else ("", "")
        return cls(
            title=title,
            subtitle=subtitle,
            series=series,
            series_number=number,
            series_entries=series_entries,
        )

    @property
    def primary_author(self) -> str:
        authors = [c.name for c in self.credits if c.role == "author"]
        return authors[0] if authors else ""

    def as_json(self) -> dict:
        """The non-empty fields, for ImportRow.normalized (built by hand: asdict is slow)."""
        data = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in ("", None, []) or value is False:
                continue
            if name == "credits":
                value = [{k: v for k, v in asdict(c).items() if v} for c in value]
            data[name] = value
        return data


class BaseImporter:
    """Maps one source's header onto NormalizedRow. Subclasses declare `source`, `aliases`
    (field -> accepted column names, any case), `signature` (columns that identify the source;
    `signatures` when a source has several layouts) and `required` (the fields without which
    its rows cannot be read right), and implement `normalize`."""

    source: str = ""
    label: str = ""
    aliases: dict[str, tuple[str, ...]] = {}
    signature: tuple[str, ...] = ()
    signatures: tuple[tuple[str, ...], ...] = ()
    required: tuple[str, ...] = ("title",)
    column_map: dict[str, str] = {}  # a generic import's map (catalog field -> column)

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
        return any(
            all(name.lower() in lowered for name in signature)
            for signature in cls.signatures or (cls.signature,)
        )

    @classmethod
    def specificity(cls) -> int:
        """How many columns its signature names: when two sources match a header, the one that
        asked for more is the better guess."""
        return max(len(signature) for signature in cls.signatures or (cls.signature,))

    def missing_columns(self) -> list[str]:
        """The required columns this header lacks, by the name the source gives them."""
        return [self.aliases[name][0] for name in self.required if name not in self.columns]

    def has_title_column(self) -> bool:
        return "title" in self.columns

    def get(self, cells: list[str], field_name: str) -> str:
        index = self.columns.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return clean_cell(cells[index])

    def normalize(self, cells: list[str]) -> NormalizedRow:
        raise NotImplementedError

    def titled_row(self, cells: list[str]) -> NormalizedRow:
        """A row read from the title cell (title, subtitle, every series); a row without a
        title fails: a book is nothing without one."""
        raw_title = self.get(cells, "title")
        if not raw_title:
            raise RowError(_("This row has no title."))
        return NormalizedRow.from_title(raw_title)

    def read_row(self, cells: list[str]) -> NormalizedRow:
        """The row as the catalog will store it: `normalize` between the checks every source
        shares. Raises RowError."""
        self.check_cell_sizes(cells)
        if is_repeated_header(self.header, cells):
            raise RowError(str(REPEATED_HEADER_ERROR))
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

    def column_of(self, field_name: str) -> str:
        """The file's own name for a field's column, for messages about its cells."""
        index = self.columns.get(field_name)
        return self.column_name(index) if index is not None else field_name

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
    "publisher": (gettext_lazy("Publisher"), ((Edition, "publisher"),)),
}
_CREDIT_CUT_TO_FIT = {
    "name": (gettext_lazy("Author name"), ((Author, "name"),)),
    "sort_name": (gettext_lazy("Author sort name"), ((Author, "sort_name"),)),
}
# A series name is cut like text; its number, like an id, is dropped when too long.
_SERIES_NAME = (gettext_lazy("Series"), ((Work, "series"), (WorkSeries, "name")))
_SERIES_NUMBER = (gettext_lazy("Series number"), ((Work, "series_number"), (WorkSeries, "number")))
# Identifiers are never cut (a cut id is someone else's id): one too long is dropped.
_DROP_IF_TOO_LONG = {
    "goodreads_book_id": (gettext_lazy("Goodreads book id"), ((Edition, "goodreads_book_id"),)),
    "librarything_id": (gettext_lazy("LibraryThing id"), ((Edition, "librarything_id"),)),
    "google_books_id": (gettext_lazy("Google Books id"), ((Edition, "google_books_id"),)),
    "openlibrary_work_key": (
        gettext_lazy("Open Library work key"),
        ((Work, "openlibrary_work_key"),),
    ),
    "openlibrary_edition_key": (
        gettext_lazy("Open Library edition key"),
        ((Edition, "openlibrary_edition_key"),),
    ),
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
    _fit_series(row)
    for name, (label, columns) in _DROP_IF_TOO_LONG.items():
        setattr(row, name, _drop_if_too_long(getattr(row, name), max_length(columns), label, row))


def _fit_series(row: NormalizedRow) -> None:
    """Fit every series to its columns, once each, and keep `series` / `series_number` the
    first of them (an importer may have set only those)."""
    entries = row.series_entries or [(row.series, row.series_number)]
    fitted, seen = [], set()
    for name, number in entries:
        name = _cut_to_fit(name, max_length(_SERIES_NAME[1]), _SERIES_NAME[0], row)
        number = _drop_if_too_long(number, max_length(_SERIES_NUMBER[1]), _SERIES_NUMBER[0], row)
        if name.casefold() not in seen:  # a work is in a series once
            seen.add(name.casefold())
            fitted.append((name, number))
    row.series, row.series_number = fitted[0]
    row.series_entries = [(name, number) for name, number in fitted if name]


def _drop_if_too_long(value: str, limit: int, label, row: NormalizedRow) -> str:
    if len(value) <= limit:
        return value
    shown = value if len(value) <= 40 else value[:40] + "…"
    row.warnings.append(
        _("%(field)s '%(value)s' is longer than %(limit)d characters; it was ignored.")
        % {"field": label, "value": shown, "limit": limit}
    )
    return ""


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


def parse_title_parts(raw_title: str) -> tuple[str, str, list[tuple[str, str]]]:
    """-> (title, subtitle, every series with its number, the primary one first).

    `Raising Steam (Discworld, #40; Moist von Lipwig, #3)` is in two series; the text after
    `: ` or a spaced dash (`Ich habe eine Axt – Best Of`) is the subtitle."""
    main, series_entries = text.split_series_entries(raw_title)
    title, subtitle = text.split_subtitle(main)
    return title, subtitle, series_entries


def parse_title(raw_title: str) -> tuple[str, str, str, str]:
    """-> (title, subtitle, primary series, its number); see `parse_title_parts`."""
    title, subtitle, series_entries = parse_title_parts(raw_title)
    series, number = series_entries[0] if series_entries else ("", "")
    return title, subtitle, series, number


def parse_whole_number(value: str) -> int | None:
    """A whole number as exports write it: `128`, `2024.0` / `128,0` (a spreadsheet or pandas
    wrote a float), `1,234`, `1.234` or `1 234` (thousands grouped). `12.5` is not one.

    `1.234` is read as 1234: a page count or a year is never a fraction, and pandas writes a
    float with one decimal (`1234.0`), so three decimals are a thousands separator
    (German, Spanish, Turkish)."""
    value = (value or "").strip()
    if _GROUPED_NUMBER.match(value):  # first: `1,000` is a thousand, not 1 written as a float
        return int(re.sub(r"\D", "", value))
    if whole := _WHOLE_NUMBER.match(value):
        return int(whole["digits"])
    return None


def parse_int(value: str, *, minimum: int = 1, maximum: int = 100_000) -> int | None:
    number = parse_whole_number(value)
    return number if number is not None and minimum <= number <= maximum else None


def parse_year(value: str, *, ancient: bool = False) -> int | None:
    """A year from 100 to a few years ahead (`2024`, `2024.0`). With `ancient` (a work's first
    publication), any year of the common era and negative years before it too: Goodreads gives
    the Iliad's as -750 and Ovid's Metamorphoses' as 8."""
    value = (value or "").strip()
    sign = 1
    if ancient and value.startswith("-"):
        sign, value = -1, value[1:]
    year = parse_whole_number(value)
    if year is None:
        return None
    if sign < 0:
        return -year if 0 < year <= 5000 else None
    earliest = 1 if ancient else 100
    return year if earliest <= year <= datetime.date.today().year + 5 else None


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


def read_page_count(row: NormalizedRow, value: str, *, column: str) -> int | None:
    """The page count in a cell, or None with a warning on the row when the cell holds
    something else (an empty cell, or 0 as some exports write it, is just unknown)."""
    pages = parse_int(value)
    if pages is None and value and parse_whole_number(value) != 0:
        row.warnings.append(
            _("%(column)s '%(value)s' is not a page count; it was ignored.")
            % {"column": column, "value": value}
        )
    return pages


def read_year(row: NormalizedRow, value: str, *, column: str, ancient: bool = False) -> int | None:
    """The year in a cell, or None with a warning on the row when the cell holds something
    else."""
    year = parse_year(value, ancient=ancient)
    if year is None and value:
        row.warnings.append(
            _("%(column)s '%(value)s' is not a year; it was ignored.")
            % {"column": column, "value": value}
        )
    return year


def read_date(row: NormalizedRow, value: str, *, column: str) -> str:
    """The ISO date in a cell, or "" with a warning on the row when the cell holds something
    else."""
    date = parse_date(value)
    if not date and value:
        row.warnings.append(
            _("%(column)s '%(value)s' is not a date; it was ignored.")
            % {"column": column, "value": value}
        )
    return date


def is_repeated_header(header: list[str], cells: list[str]) -> bool:
    """True for a row that repeats the header (exports joined by a program): three of its cells
    (two for a two-column file), and two in three of its filled cells, are column names of the
    header, in any case and order (another layout of the same export repeats most of them). A
    book called "Title" by "Author" is not enough."""
    names = _header_names(tuple(header))
    hits = misses = 0
    for position, cell in enumerate(cells):
        key = cell.strip().casefold()
        if not key:
            continue
        if key in names:
            hits += 1
        else:
            misses += 1
            if hits + len(cells) - position - 1 < 2 * misses:
                return False  # a book row: too many cells that are not column names
    return hits >= min(3, len(names)) and hits >= 2 * misses


@functools.lru_cache(maxsize=16)
def _header_names(header: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.strip().casefold() for name in header if name.strip())


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


# What a value refused as an ISBN is (catalog.isbn.why_not_isbn), said to the librarian.
_NOT_AN_ISBN = {
    "isbn13_digit_missing": gettext_lazy(
        "%(column)s '%(value)s' has 12 digits: an ISBN-13 with a digit missing; it was not "
        "used as an ISBN."
    ),
    "upc": gettext_lazy(
        "%(column)s '%(value)s' is a product barcode (UPC), not an ISBN; it was not used as an "
        "ISBN."
    ),
    "ean": gettext_lazy(
        "%(column)s '%(value)s' is a product barcode (EAN), not an ISBN; it was not used as an "
        "ISBN."
    ),
    "isbn13_cut": gettext_lazy(
        "%(column)s '%(value)s' has 10 digits starting like an ISBN-13: an ISBN-13 cut short; "
        "it was not used as an ISBN."
    ),
    "isbn13_without_prefix": gettext_lazy(
        "%(column)s '%(value)s' looks like ISBN-13 %(isbn13)s without its 978 prefix (or an "
        "ISBN-10 with a wrong check digit); it was not used as an ISBN."
    ),
    "isbn13_check": gettext_lazy(
        "%(column)s '%(value)s' has a wrong check digit; it was not used as an ISBN."
    ),
    "isbn10_check": gettext_lazy(
        "%(column)s '%(value)s' has a wrong check digit; it was not used as an ISBN."
    ),
}
# pandas writes a number column as floats: `9780306406157.0` is 9780306406157, digit for digit.
_FLOAT_DIGITS = re.compile(r"^(\d+)\.0+$")


def apply_identifier(
    row: NormalizedRow, value: str, *, column: str, expected_form: str = ""
) -> None:
    """Put an ISBN-ish cell where it belongs: ISBN, ASIN, or a kept non-ISBN id.

    Never guesses: spreadsheet damage (`9.78053E+12`) yields no ISBN and a warning, and so does
    a value that is close to an ISBN (a digit missing, a wrong check digit, a product barcode),
    saying which. `expected_form` ("isbn13" / "isbn10") is what the column should hold: an
    ISBN-10 in an ISBN-13 column is read, with a note.
    """
    value = clean_cell(value)
    if not value:
        return
    if isbn.is_scientific_notation(value):
        row.warnings.append(
            _(
                "%(column)s '%(value)s' was damaged by a spreadsheet (scientific notation); "
                "its digits are lost, so no ISBN was taken from it."
            )
            % {"column": column, "value": value}
        )
        return
    if whole := _FLOAT_DIGITS.match(value):
        value = whole.group(1)
    compact = isbn.canonicalize(value)
    if ASIN.match(compact):
        row.asin = row.asin or compact
        return
    parsed = isbn.parse_isbn(compact)
    if parsed is None:
        reason = isbn.why_not_isbn(compact)
        if reason == "isbn13_without_prefix" and row.isbn13 == "978" + compact:
            return  # Goodreads' ISBN column repeating the row's ISBN-13 without its 978
        row.other_ids.append(value)
        if reason:
            values = {"column": column, "value": value, "isbn13": "978" + compact}
            row.warnings.append(_NOT_AN_ISBN[reason] % values)
        elif compact.isdigit() and len(compact) == 13:
            row.warnings.append(
                _(
                    "%(column)s '%(value)s' has 13 digits but is neither an ISBN nor a product "
                    "barcode; it was not used as an ISBN."
                )
                % {"column": column, "value": value}
            )
        return
    if parsed.source_form == "sbn":
        row.warnings.append(
            _(
                "%(column)s '%(value)s' read as ISBN-10 %(isbn10)s (9-digit SBN, or an ISBN-10 "
                "whose leading zero a spreadsheet dropped)."
            )
            % {"column": column, "value": value, "isbn10": parsed.isbn10}
        )
    elif expected_form == "isbn13" and parsed.source_form == "isbn10":
        row.warnings.append(
            _("%(column)s '%(value)s' is an ISBN-10; it was read as ISBN-13 %(isbn13)s.")
            % {"column": column, "value": value, "isbn13": parsed.isbn13}
        )
    if row.isbn13 and row.isbn13 != parsed.isbn13:
        row.warnings.append(
            _("%(column)s '%(value)s' disagrees with ISBN %(isbn13)s; kept %(isbn13)s.")
            % {"column": column, "value": value, "isbn13": row.isbn13}
        )
        return
    row.isbn13 = parsed.isbn13
    row.isbn10 = row.isbn10 or (parsed.isbn10 or "")
