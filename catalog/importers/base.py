"""The shared base of the CSV importers: the NormalizedRow an importer makes of a row, and
BaseImporter, which maps one source's header aliases onto it.

An importer maps one source's columns onto `NormalizedRow`; nothing here touches the database,
so every quirk of the real exports is tested on plain data. The cell parsers are in parsing.py
and readers.py, the fitting of a row to the catalog's column widths in fitting.py.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.importers.calendars import drop_hijri_years
from catalog.importers.dates import numeric_date_order
from catalog.importers.emoji import strip_emoji
from catalog.importers.fitting import fit_to_columns
from catalog.importers.kinds import is_known_kind, kind_key, not_a_book
from catalog.importers.mojibake import might_be_garbled, read_back
from catalog.importers.parsing import (
    binding_format,
    clean_cell,
    column_key,
    header_columns,
    is_repeated_header,
    is_unknown_person,
    one_value_in_every_cell,
    parse_title_parts,
    words_key,
)
from catalog.importers.publishers import publisher_name, split_publisher_parenthesis
from catalog.listing_suffixes import strip_listing_suffix
from catalog.models.books import Edition
from catalog.text import (
    normalize_person_name,
    series_numbers_left_out,
    split_language_edition,
    split_series_entries,
    split_series_marker,
    split_subtitle,
    split_trailing_parenthesis,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A cell longer than this is damage (a pasted blob, a broken export), never a book's data.
MAX_CELL_CHARS = 1_000_000
REPEATED_HEADER_ERROR = gettext_lazy(
    "This row repeats the header row (exports joined together?); it was skipped."
)


class RowError(Exception):
    """This row cannot be imported; the message is for the librarian."""


class NotABookError(RowError):
    """A cell says this row is not a book; `kind` is what it is, as kinds.py names it
    ("journal article"), so that a job can count what it left out by kind."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class Credit:
    name: str
    role: str = "author"
    sort_name: str = ""
    # A library heading's life dates (`Dumas, Alexandre, 1802-1870`: catalog.person_names).
    birth_year: int | None = None
    death_year: int | None = None


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
        """A row with the title, subtitle and every series read from an export's title cell; a
        series marker before the title (`1 - A Wizard In Mind`) is left out, with a warning."""
        raw_title = strip_listing_suffix(strip_emoji(raw_title))
        marker, raw_title = split_series_marker(split_language_edition(raw_title)[0])
        title, subtitle, series_entries = parse_title_parts(raw_title)
        if marker and title[:1] == title[-1:] == '"' and title.count('"') == 2:
            title = title[1:-1]  # `Ep.#1.9 - "Resistance"`: the title quoted after its marker
        series, number = series_entries[0] if series_entries else ("", "")
        row = cls(
            title=title,
            subtitle=subtitle,
            series=series,
            series_number=number,
            series_entries=series_entries,
        )
        if marker:
            row.warnings.append(
                _(
                    "'%(marker)s' before the title's dash was read as a series marker, not the "
                    "title; it was left out of the title."
                )
                % {"marker": marker}
            )
        for name, kept, others in series_numbers_left_out(raw_title):
            if (name, kept) in series_entries:
                row.warnings.append(
                    _(
                        "The title numbers the book %(numbers)s in the series '%(series)s'; it "
                        "was given the first, %(number)s, and the others were left out."
                    )
                    % {"numbers": ", ".join([kept, *others]), "series": name, "number": kept}
                )
        return row

    @property
    def primary_author(self) -> str:
        authors = [c.name for c in self.credits if c.role == "author"]
        return authors[0] if authors else ""

    def as_json(self) -> dict:
        """The non-empty fields, for ImportRow.normalized (built by hand: asdict is slow)."""
        return row_json(row_values(self))


#: The fields of a NormalizedRow, in their order.
ROW_FIELDS = tuple(NormalizedRow.__dataclass_fields__)
#: A row's values, in ROW_FIELDS' order, read in one call at C speed: the import's reading
#: worker reads every field of every row, once for both its record and its handing over.
row_values = operator.attrgetter(*ROW_FIELDS)


def row_json(values: tuple) -> dict:
    """`NormalizedRow.as_json` of a row's `row_values`."""
    data = {}
    for name, value in zip(ROW_FIELDS, values, strict=True):
        if value in ("", None, []) or value is False:
            continue
        if name == "credits":
            value = [_credit_json(credit) for credit in value]
        data[name] = value
    return data


def _credit_json(credit: Credit) -> dict[str, str | int]:
    """A credit's non-empty fields, in their order (what dataclasses.asdict gives, faster)."""
    data = {
        "name": credit.name,
        "role": credit.role,
        "sort_name": credit.sort_name,
        "birth_year": credit.birth_year,
        "death_year": credit.death_year,
    }
    return {key: value for key, value in data.items() if value}


class BaseImporter:
    """Maps one source's header onto NormalizedRow. Subclasses declare `source`, `aliases`
    (field -> accepted column names, any case), `signature` (columns that identify the source;
    `signatures` when a source has several layouts) and `required` (the fields without which
    its rows cannot be read right), and implement `normalize`."""

    source: str = ""
    label: "StrOrPromise" = ""  # a brand name, or a translated description
    aliases: dict[str, tuple[str, ...]] = {}
    signature: tuple[str, ...] = ()
    signatures: tuple[tuple[str, ...], ...] = ()
    required: tuple[str, ...] = ("title",)
    column_map: dict[str, str] = {}  # a generic import's map (catalog field -> column)
    # The fields whose cell says what an item is (kinds.py): a row that is not a book fails, and
    # a kind not known is said on the row. `media_fields`: a format's cell, which can say that
    # a row is a film, a recording or a game (`DVD`); its other words are a book's format.
    kind_fields: tuple[str, ...] = ("kind",)
    #: The fields holding dates a spreadsheet may have written day first or month first.
    date_fields: tuple[str, ...] = ("date_read", "date_added")
    #: The order this file's dates are written in (`settle_date_order`): DAY_FIRST,
    #: MONTH_FIRST, or "" while unknown (`4/1/2024` is then not guessed).
    date_order: str = ""
    media_fields: tuple[str, ...] = ()

    def __init__(self, header: list[str]):
        self.header = header
        self.column_keys = header_columns(header)
        self.columns: dict[str, int] = {}
        for field_name, names in self.aliases.items():
            for name in names:
                if column_key(name) in self.column_keys:
                    self.columns[field_name] = self.column_keys[column_key(name)]
                    break
        self._read_indexes = sorted(set(self.columns.values()))
        self._kind_fields = [
            (name, name in self.media_fields)
            for name in (*self.kind_fields, *self.media_fields)
            if name in self.columns
        ]
        # Each row's messages name their columns: the header's names, looked up once.
        self.column_names = {
            field_name: header[index] for field_name, index in self.columns.items() if header[index]
        }

    @classmethod
    def matches(cls, header: list[str]) -> bool:
        keys = {column_key(name) for name in header}
        return any(
            all(column_key(name) in keys for name in signature)
            for signature in cls.signatures or (cls.signature,)
        )

    def has_columns(self, names: tuple[str, ...]) -> bool:
        return all(column_key(name) in self.column_keys for name in names)

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

    def settle_date_order(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """Learn the order the file writes its dates in from these rows (its first batch's: a
        day over 12 is in most rows of a few): a spreadsheet that saved `30/4/2023` wrote
        `4/1/2024` day first too. Only when every date that shows an order shows the same one;
        none, or both: not guessed."""
        seen: set[str] = set()
        for _line, cells in rows:
            seen.update(numeric_date_order(self.get(cells, name)) for name in self.date_fields)
            seen.discard("")
            if len(seen) > 1:
                break
        self.date_order = seen.pop() if len(seen) == 1 else ""

    def get(self, cells: list[str], field_name: str) -> str:
        """A field's cell, cleaned (`clean_cell`); "" when the file has no such column."""
        index = self.columns.get(field_name)
        if index is None or index >= len(cells):
            return ""
        return clean_cell(cells[index])

    def raw_cell(self, cells: list[str], field_name: str) -> str:
        """A field's cell as the file has it, where cleaning would lose what a source's quirk
        left (Goodreads' lost `&`: two spaces)."""
        index = self.columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else ""

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
        if (repeated := one_value_in_every_cell(cells)) is not None:
            raise RowError(
                _(
                    "Every cell of this row holds the same value (“%(value)s”): it names no "
                    "book (a damaged line, or a spreadsheet's fill); it was not imported."
                )
                % {"value": repeated[:100]}
            )
        # Columns the import does not read (a column added by hand, the Line and Reason of a
        # failed-rows download imported again) do not make such a row a book when the value
        # fills one of them too; where it fills none, the row's own cells say what it is (a
        # self-titled zine: title, author and publisher `BOSHU`, its category `매거진`).
        if (
            repeated := one_value_in_every_cell(self.read_cells(cells))
        ) is not None and self._fills_an_unread_cell(cells, repeated):
            raise RowError(
                _(
                    "Every cell this import reads in this row holds the same value "
                    "(“%(value)s”): it names no book (a damaged line, or a spreadsheet's fill); "
                    "it was not imported."
                )
                % {"value": repeated[:100]}
            )
        unknown_kind = self._check_kind(cells)
        row = self.normalize(cells)
        if unknown_kind:
            row.warnings.append(unknown_kind)
        row.publisher = publisher_name(row.publisher)
        take_publisher_parentheses(row)
        drop_audiobook_page_count(row)
        # A credit to `Unknown` or `Various` is a source's way of naming no one: read as an
        # empty cell is, it would otherwise make one author of every unknown one.
        row.credits = [c for c in row.credits if not is_unknown_person(c.name)]
        take_credited_name_parenthesis(row)
        take_author_before_title(row)
        if not row.language and "title" in self.columns:
            # `(Spanish Edition)`, taken off the title, still says the edition's language.
            row.language = split_language_edition(self.get(cells, "title"))[1]
        drop_hijri_years(row)
        place_year_before_printing(row)
        fit_to_columns(row)
        return row

    def _check_kind(self, cells: list[str]) -> str:
        """Raise RowError when a cell says the row is not a book (a journal article, a film);
        -> a warning when the kind column holds a kind not known (imported as a book)."""
        for name, media_only in self._kind_fields:  # none, for a file without such a column
            value = self.get(cells, name)
            if (kind := not_a_book(value, media_only=media_only)) is not None:
                raise NotABookError(
                    _("%(column)s says this is %(kind)s, not a book; it was not imported.")
                    % {"column": self.column_of(name), "kind": kind},
                    kind=kind_key(value),
                )
            if not media_only and value and not is_known_kind(value) and not binding_format(value):
                return _(
                    "%(column)s '%(value)s' is not a kind of item we know; it was imported as "
                    "a book."
                ) % {"column": self.column_of(name), "value": value}
        return ""

    def _fills_an_unread_cell(self, cells: list[str], value: str) -> bool:
        read = set(self._read_indexes)
        return any(c.strip() == value for i, c in enumerate(cells) if i not in read)

    def read_cells(self, cells: list[str]) -> list[str]:
        """The row's cells in the columns this importer reads, in the file's order."""
        if self._read_indexes and len(cells) > self._read_indexes[-1]:
            return [cells[index] for index in self._read_indexes]
        return [cells[index] for index in self._read_indexes if index < len(cells)]

    def scrub_cells(self, cells: list[str]) -> tuple[list[str], list[str]]:
        """-> (cells without NUL characters, warnings). No database text column takes a NUL
        (PostgreSQL refuses it): in an export it is damage to a cell, so the row is kept. A
        cell read holding U+FFFD (a damaged byte of a UTF-8 file, csvfile.decode) is kept as
        it is, with a warning naming its column: the job's warning names only the first line."""
        joined = "".join(cells)
        if "\x00" not in joined and "\ufffd" not in joined:  # nearly every row, at C speed
            if not might_be_garbled(joined):
                return list(cells), []
            return self._read_back_garbled(cells)
        warnings = []
        read = set(self.columns.values())
        if replaced := [i for i, cell in enumerate(cells) if "\ufffd" in cell and i in read]:
            warnings.append(
                _(
                    "Characters damaged in the file are shown as \ufffd in: %(columns)s. Correct "
                    "them on the book, or in the file."
                )
                % {"columns": ", ".join(self.column_name(index) for index in replaced)}
            )
        if "\x00" not in joined:
            return list(cells), warnings
        damaged = [index for index, cell in enumerate(cells) if "\x00" in cell]
        cleaned = [cell.replace("\x00", "") for cell in cells]
        columns = ", ".join(self.column_name(index) for index in damaged)
        return cleaned, [
            _("NUL characters (file damage) were removed from: %(columns)s.")
            % {"columns": columns},
            *warnings,
        ]

    def _read_back_garbled(self, cells: list[str]) -> tuple[list[str], list[str]]:
        """The cells read with any text garbled in a code page read back where that is certain
        (mojibake.read_back: `FranÃ§ois` -> François), with a warning naming their columns."""
        read = set(self.columns.values())
        cells, mended = list(cells), []
        for index in sorted(read):
            if index < len(cells) and (was := read_back(cells[index])) is not None:
                cells[index] = was
                mended.append(self.column_name(index))
        if not mended:
            return cells, []
        return cells, [
            _(
                "Text the file had garbled (UTF-8 read in another encoding and saved again) was "
                "read back in: %(columns)s."
            )
            % {"columns": ", ".join(mended)}
        ]

    def column_of(self, field_name: str) -> str:
        """The file's own name for a field's column, for messages about its cells."""
        if field_name in self.column_names:
            return self.column_names[field_name]
        index = self.columns.get(field_name)
        return self.column_name(index) if index is not None else field_name

    def column_name(self, index: int) -> str:
        if index < len(self.header) and self.header[index]:
            return self.header[index]
        return _("column %(number)d") % {"number": index + 1}

    def check_cell_sizes(self, cells: list[str]) -> None:
        if max(map(len, cells), default=0) <= MAX_CELL_CHARS:
            return  # nearly every row, at C speed
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
        """A row wider than the header is kept only when what lies past the header's columns
        is empty (a trailing separator). Anything there means a separator inside a cell that
        was not quoted, or rows run together: every cell after it may sit under the wrong
        column, and the row would be stored wrong without a word."""
        width = len(self.header)
        if len(cells) <= width or not any(cell.strip() for cell in cells[width:]):
            return
        raise RowError(
            _(
                "This row has %(cells)d cells but the header has %(columns)d columns, and the "
                "cells past the header are not empty: a separator inside a cell that is not "
                "quoted would put every cell after it under the wrong column. It was not "
                "imported; correct the row and import it again."
            )
            % {"cells": len(cells), "columns": width}
        )


#: No printed edition is older: Gutenberg's Bible is of about 1455.
FIRST_PRINTED_YEAR = 1450


def place_year_before_printing(row: NormalizedRow) -> None:
    """An edition year before printing is no edition's: a reading log's `Year published` of
    180 for Marcus Aurelius' Meditations is the work's, and Goodreads' Year Published `199`
    beside an Original Publication Year of 1984 is a typing slip. It is the year the work was
    first published when the row gives none, and is dropped otherwise, the row saying which.
    Read after the Hijri years, which are dropped as such."""
    year = row.publication_year
    if year is None or year >= FIRST_PRINTED_YEAR:
        return
    row.publication_year = None
    if row.first_published_year is None:
        row.first_published_year = year
        row.warnings.append(
            _(
                "The publication year %(year)s is older than any printed edition: it was read "
                "as the year the work was first published."
            )
            % {"year": year}
        )
        return
    row.warnings.append(
        _(
            "The publication year %(year)s is older than any printed edition (the work was "
            "first published in %(first)s); it was ignored."
        )
        % {"year": year, "first": row.first_published_year}
    )


def drop_audiobook_page_count(row: NormalizedRow) -> None:
    """An audiobook has no pages: the number an export gives one counts something else (the
    discs of an `Audio CD`, the hours of an `Audible Audio`, `Audio CD, 16` in one Goodreads
    export where another gives the same edition the printed book's 592), so it is not kept as a
    page count, and the row says so. Read once the row's format is known."""
    if row.page_count is None or Edition.Format.has_pages(row.format):
        return
    row.warnings.append(
        _(
            "The page count %(pages)s was not kept: this is an audiobook, which has no pages "
            "(an export's number for one counts its discs or hours)."
        )
        % {"pages": row.page_count}
    )
    row.page_count = None


def take_credited_name_parenthesis(row: NormalizedRow) -> None:
    """The parenthesis that ends the row's subtitle, or its title, and holds only the name of a
    person the row credits, as written or sorted, taken off: a bookseller's listing names the
    author so (`The Painted Bird (Kosinski, Jerzy)`, `Show Your Work!: 10 Ways … (Austin
    Kleon)`), and Goodreads copies it. The book's title is what is left (with any series the name
    hid: `Lullabies (Volume 2) (Lang Leav)`), so that it is the same work as under its title
    alone. A parenthesis that says more than the name (`(Essays of Arthur Schopenhauer)`) stays.
    Read once the row's credits are known."""
    part = "subtitle" if row.subtitle else "title"
    if not getattr(row, part).endswith(")"):
        return  # nearly every row, at C speed
    read = split_trailing_parenthesis(getattr(row, part))
    if not read or not read[0]:
        return
    named = words_key(read[1])
    credited = {words_key(name) for c in row.credits for name in (c.name, c.sort_name) if name}
    if not named or named not in credited:
        return
    rest, hidden = split_series_entries(read[0])
    setattr(row, part, rest)
    if hidden and not row.series_entries:
        row.series_entries = hidden
        row.series, row.series_number = hidden[0]


def take_author_before_title(row: NormalizedRow) -> None:
    """A title that is only the name of an author the row credits, the book's title after it
    (`Plato: Republic` by Plato): the author's name goes, and the subtitle is the title (read
    again for its own subtitle), so that it is the same work as under its title alone. The name
    is compared by the author key (catalog.text.normalize_person_name); a title that begins with
    another person's name stays (`Napoleon: A Life` by Andrew Roberts). Read once the row's
    credits are known."""
    if not row.subtitle:
        return  # nearly every row
    title = row.title.casefold()
    authors = [
        c.name
        for c in row.credits
        if c.role == "author" and c.name.rpartition(" ")[2].casefold() in title
    ]
    if not authors:
        return  # no author's last word in the title: no need to key it (the keys' cache)
    key = normalize_person_name(row.title)
    if key and any(normalize_person_name(name) == key for name in authors):
        row.title, row.subtitle = split_subtitle(row.subtitle)


def take_publisher_parentheses(row: NormalizedRow) -> None:
    """The parentheses that end the row's subtitle, or its title, and name its publisher
    (`split_publisher_parenthesis`) taken off: an imprint (`(Deusto)`, `(Plume)`), which the
    publisher already says, or the publisher's series (`(Dover Occult)`, `(ESPASA NARRATIVA)`),
    added to the row's series after any series they hid (`… (Saga, #2) (Vintage
    International)`). Read once the row's publisher is known."""
    part = "subtitle" if row.subtitle else "title"
    taken = False
    publishers_series: list[tuple[str, str]] = []
    while read := split_publisher_parenthesis(getattr(row, part), row.publisher):
        taken = True
        setattr(row, part, read[0])
        publishers_series[:0] = [(read[1], "")] if read[1] else []
    if not taken:
        return
    rest, hidden = split_series_entries(getattr(row, part))
    setattr(row, part, rest)
    entries: list[tuple[str, str]] = []
    for name, number in [*row.series_entries, *hidden, *publishers_series]:
        if name.casefold() not in {known.casefold() for known, _number in entries}:
            entries.append((name, number))
    row.series_entries = sorted(entries, key=lambda entry: not entry[1])  # numbered first
    row.series, row.series_number = row.series_entries[0] if entries else ("", "")
