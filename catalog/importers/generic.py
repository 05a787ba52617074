"""Any CSV, read through a column map (catalog field -> column name) that a librarian chose,
either in the upload form's mapping step or with `import_books --format generic --map …`.

The map is kept on the job (ImportJob.column_map), so a retry reads the rows the same way.
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.importers.base import BaseImporter, NormalizedRow
from catalog.importers.cells import (
    parse_series_cells,
    set_primary_series,
    set_subtitle_cell,
)
from catalog.importers.csvfile import ImportFileError
from catalog.importers.parsing import (
    binding_format,
    cell_shown,
    column_key,
    parse_format,
    split_isbn_cells,
    words_key,
)
from catalog.importers.readers import (
    add_credits,
    apply_identifier,
    read_page_count,
    read_people,
    with_named_author,
)
from catalog.importers.surname_gap import surname_first_as_sort_name, writes_surname_first_with_gap
from catalog.importers.year_cells import copyright_year_in, read_year_in
from catalog.languages import language_code

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The catalog fields a column can be mapped to, in the order the mapping form shows them.
FIELDS: dict[str, "StrPromise"] = {
    "title": gettext_lazy("Title"),
    "subtitle": gettext_lazy("Subtitle"),
    "author": gettext_lazy("Author(s)"),
    # A file that names its author in two columns (a shop's `Author First Name` and `Author Last
    # Name`): credited `First Last`, sorted `Last, First`, before the Author(s) column's others.
    "author_first_name": gettext_lazy("Author's first name"),
    "author_last_name": gettext_lazy("Author's last name"),
    "editor": gettext_lazy("Editor(s)"),
    "translator": gettext_lazy("Translator(s)"),
    "illustrator": gettext_lazy("Illustrator(s)"),
    "narrator": gettext_lazy("Narrator(s)"),
    # An Amazon id (`B07DXHPJFV`, a Kindle book's only one) in this column is kept as the ASIN.
    "isbn": gettext_lazy("ISBN (10 or 13) or ASIN"),
    "publisher": gettext_lazy("Publisher"),
    "year": gettext_lazy("Publication year or date"),
    "pages": gettext_lazy("Pages"),
    "series": gettext_lazy("Series"),
    "series_number": gettext_lazy("Number in series"),
    "format": gettext_lazy("Format / binding"),
    "language": gettext_lazy("Language"),
    # Zotero's Item Type, a library system's material type: rows that are not books (a journal
    # article, a film: kinds.py) are not imported, each with its reason.
    "kind": gettext_lazy("Item type (rows that are not books are left out)"),
}
REQUIRED_FIELDS = ("title",)
# Columns of people in one role each (BookBuddy's Editor, Zotero's, the Bookshelf app's
# Translators): the field's name is the role (WorkAuthor.Role).
ROLE_FIELDS = ("editor", "translator", "illustrator", "narrator")

# Header words that suggest a field (compared without case, accents or punctuation), in
# English, German, French, Spanish, Italian, Portuguese, Dutch, Polish, Turkish, Greek, Russian;
# plurals too, as files listing every value of a book name them (`formats`: `epub; mobi`).
GUESSES: dict[str, tuple[str, ...]] = {
    "title": ("title", "book title", "book name", "book", "buch", "werk", "titel", "titre",
              "titulo", "titolo", "tytul", "baslik", "kitap adi", "τιτλος", "название", "заглавие",
              "name"),
    "subtitle": ("subtitle", "untertitel", "sous titre", "subtitulo", "sottotitolo",
                 "ondertitel", "podtytul", "alt baslik", "υποτιτλος", "подзаголовок"),
    # Before `author`, which is part of their names.
    "author_first_name": ("author first name", "author given name",
                          "author forename", "first name", "firstname", "given name", "forename",
                          "vorname", "prenom"),
    "author_last_name": ("author last name", "author surname",
                         "author family name", "last name", "lastname", "surname",
                         "family name", "nachname", "apellido", "apellidos", "cognome"),
    "author": ("author", "authors", "author s", "writer", "writers", "creator", "creators",
               "by", "autor", "autorin", "autoren", "verfasser", "verfasserin", "auteur",
               "auteurs", "autore", "autori", "autores", "auteur s", "yazar", "συγγραφεας",
               "автор", "авторы"),
    "editor": ("editor", "editors", "editor s", "edited by", "herausgeber", "hrsg"),
    "translator": ("translator", "translators", "translated by", "ubersetzer", "traducteur",
                   "traductor", "traduttore", "vertaler", "tlumacz", "переводчик"),
    "illustrator": ("illustrator", "illustrators", "illustrated by", "illustrateur",
                    "ilustrador", "illustratore"),
    "narrator": ("narrator", "narrators", "narrated by", "sprecher"),
    "isbn": ("isbn13", "isbn 13", "isbn", "ean", "ean isbn13", "isbn10", "isbn 10", "ean13",
             "barcode", "isbn issn", "isbns", "asin"),
    "publisher": ("publisher", "verlag", "editeur", "editorial", "editore", "editora",
                  "uitgever", "wydawnictwo", "yayinevi", "εκδοτης", "издательство"),
    "year": ("year", "year published", "publication year", "published", "date published",
             "publication date", "pub date", "pubdate", "publish date", "jahr",
             "erscheinungsjahr", "annee", "ano", "anno", "jaar", "rok", "yil", "ετος", "год"),
    # A count before `pages`, which is the pages an article spans in Zotero's (`592-594`).
    "pages": ("number of pages", "page count", "num pages", "pages", "seiten", "seitenzahl",
              "pages nb", "paginas", "pagine", "paginas", "bladzijden", "strony", "sayfa",
              "σελιδες", "страниц", "страницы"),
    "series": ("series", "reihe", "serie", "saga", "collection", "seri", "σειρα", "серия"),
    "series_number": ("series number", "series index", "number in series", "band", "volume",
                      "tome", "tomo"),
    # `binding` first: beside it, a `Format` column names a medium (`Physical`, `Digital`).
    "format": ("binding", "format", "einband", "reliure", "encuadernacion", "formato",
               "media", "cilt", "formats", "bindings"),
    "language": ("language", "sprache", "langue", "idioma", "lingua", "taal", "jezyk", "dil",
                 "γλωσσα", "язык", "languages", "lang"),
    # `type` alone last, and whole: Zotero's `Type` is a thesis's or report's own (`PhD`).
    "kind": ("item type", "material type", "media type", "type of material", "document type",
             "resource type", "publication type", "type"),
}  # fmt: skip
# Words too common inside other column names ("Book Id", "Read by") to be guessed from a part.
# `editor` too: Zotero's `Series Editor` is no book's editor.
_WHOLE_NAME_ONLY = {"name", "book", "buch", "werk", "by", "ean", "band", "volume", "tome",
                    "tomo", "media", "collection", "ano", "anno", "rok", "yil", "dil",
                    "год", "editor", "type"}  # fmt: skip
# A bare year (`Year`, `Jahr`) in a reading log, a file with a column saying when each book was
# read, is as often the year it was read: a real tracker's `Year` beside `DateRead` is that
# date's year, and guessed as the publication year it dated The Divine Comedy 2016. It is left
# for the librarian to map; `Year Published` and the like are still guessed.
_BARE_YEAR_WORDS = frozenset({"year", "jahr", "annee", "ano", "anno", "jaar", "rok", "yil",
                              "ετος", "год"})  # fmt: skip
# A year column that names the work's first publication (Goodreads' `Original Publication
# Year`) is not the edition's year, which is the only year a map reads.
_FIRST_PUBLICATION_WORDS = frozenset({"original", "first", "originally"})
_READING_WORDS = frozenset({"read", "finished", "gelesen", "lu", "lecture", "leido", "lectura",
                            "lido", "leitura", "letto", "lettura", "gelezen", "przeczytana",
                            "przeczytane", "прочитано"})  # fmt: skip
_DUBLIN_CORE = frozenset({"creator", "date"})
# A reader's own rating or review (`Title, Author, Rating, Year`, `book_name, author, year,
# review`) makes a file that says nothing of the editions a reading log too: its `Year` was each
# book's year read, 2023 for The Dispossessed, 2020 for every Harry Potter of a reading list.
# Beside a publisher or an ISBN (a list made from a calibre library), the year is the edition's.
_OWN_RATING_COLUMNS = frozenset({"rating", "my rating", "stars", "my stars", "review", "my review"})
_EDITION_WORDS = ("publisher", "isbn", "pages")
_MAP_ITEM = re.compile(r"^\s*(?P<field>[a-z_]+)\s*=\s*(?P<column>.+?)\s*$")
# Between a map's items: only a comma before the next `field=`, so that a column's own commas
# stay in its name (LibraryThing's `AUTHOR (last, first)`).
_MAP_SEPARATOR = re.compile(r"(?:\s*,)+\s*(?=[a-z_]+\s*=)")


def guess_column_map(header: list[str]) -> dict[str, str]:
    """A first guess of the map from the header's words: exact names first, then a column
    whose name contains the word (`Book Title`, `Author(s)`); each column used once, and a
    reading log's bare `Year` and a first publication's year (`Original Publication Year`)
    none."""
    keys = [words_key(name) for name in header]
    reading_log = any(_READING_WORDS.intersection(key.split()) for key in keys) or (
        bool(_OWN_RATING_COLUMNS.intersection(keys))
        and not any(word in key for key in keys for word in _EDITION_WORDS)
    )
    first_years = {i for i, key in enumerate(keys) if _FIRST_PUBLICATION_WORDS & set(key.split())}
    chosen: dict[str, str] = {}
    used: set[int] = set()
    for exact in (True, False):
        for field_name, words in GUESSES.items():
            if field_name in chosen:
                continue
            for word in words:
                if not exact and word in _WHOLE_NAME_ONLY:
                    continue
                if reading_log and field_name == "year" and word in _BARE_YEAR_WORDS:
                    continue
                skipped = used | first_years if field_name == "year" else used
                index = _find_column(keys, words_key(word), skipped, exact=exact)
                if index is not None:
                    chosen[field_name] = header[index]
                    used.add(index)
                    break
    if "year" not in chosen and not reading_log and _DUBLIN_CORE.issubset(keys):
        # Dublin Core's `date` beside its `creator` is the item's publication date (a library
        # catalog's `1979, c1969.`); a bare `Date` elsewhere is as often the day it was read.
        chosen["year"] = header[keys.index("date")]
    return {name: chosen[name] for name in FIELDS if name in chosen}


def _find_column(keys: list[str], word: str, used: set[int], *, exact: bool) -> int | None:
    for index, key in enumerate(keys):
        if index in used or not key:
            continue
        if key == word if exact else f" {word} " in f" {key} ":
            return index
    return None


def parse_column_map(text: str) -> dict[str, str]:
    """`title=Book,author=Writer,isbn=Code` -> {"title": "Book", ...} (raises ImportFileError);
    `author=AUTHOR (last, first)` names a column with a comma in it."""
    column_map: dict[str, str] = {}
    for item in _MAP_SEPARATOR.split((text or "").strip().strip(",")):
        if not item.strip():
            continue
        match = _MAP_ITEM.match(item)
        if not match:
            raise ImportFileError(
                _("'%(item)s' is not FIELD=COLUMN (for example title=Book).") % {"item": item}
            )
        if match["field"] in column_map:  # which one was meant is the librarian's to say
            raise ImportFileError(
                _("The field %(field)s is mapped twice (%(first)s and %(second)s): map it once.")
                % {
                    "field": match["field"],
                    "first": column_map[match["field"]],
                    "second": match["column"],
                }
            )
        column_map[match["field"]] = match["column"]
    return column_map


def format_column_map(column_map: dict[str, str]) -> str:
    """The text `parse_column_map` reads back into this map (the map a hint suggests)."""
    return ",".join(f"{name}={column}" for name, column in column_map.items())


def format_with_column_map(requested_format: str, text: str | None) -> tuple[str, dict | None]:
    """A requested format and a column map's text -> (the format to import with, the map).
    A map reads the file as any CSV: it goes with the format generic or auto (which it makes
    generic). Raises ImportFileError saying what is wrong."""
    if text is None:
        return requested_format, None
    generic = GenericImporter.source
    if requested_format not in ("auto", generic):
        raise ImportFileError(_("A column map is for the format generic (any CSV)."))
    return generic, parse_column_map(text)


def check_column_map(header: list[str], column_map: dict[str, str]) -> dict[str, str]:
    """The map with each column spelled as in the header, or ImportFileError saying what is
    wrong: an unknown field, a column the file lacks, no title."""
    unknown = sorted(set(column_map) - set(FIELDS))
    if unknown:
        raise ImportFileError(
            _("Unknown field(s) in the column map: %(fields)s. The fields are: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    missing = [name for name in REQUIRED_FIELDS if not column_map.get(name)]
    if missing:
        raise ImportFileError(
            _("The column map must name the title column (for example title=Book).")
        )
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(column_key(name), name)
    checked: dict[str, str] = {}
    for field_name, column in column_map.items():
        if not column:
            continue
        if column_key(column) not in by_key:
            raise ImportFileError(
                _(
                    "The column '%(column)s' (for %(field)s) is not in the file. Its columns are: "
                    "%(columns)s."
                )
                % {
                    "column": cell_shown(column),
                    "field": field_name,
                    "columns": ", ".join(map(cell_shown, header)),
                }
            )
        checked[field_name] = by_key[column_key(column)]
    return {name: checked[name] for name in FIELDS if name in checked}


class GenericImporter(BaseImporter):
    """Reads the columns a map names. Authors: one or several in a cell, separated by `;`,
    `|`, ` & `, ` and `, or commas between whole names (`Last, First` stays one person)."""

    source = "generic"
    label = gettext_lazy("Any CSV")
    required = REQUIRED_FIELDS
    # A format cell can say that an item is a film or a record too (a library system's `DVD`).
    media_fields = ("format",)

    def __init__(self, header: list[str], column_map: dict[str, str]):
        self.column_map = check_column_map(header, column_map)
        self.aliases = {name: (column,) for name, column in self.column_map.items()}
        super().__init__(header)

    def missing_columns(self) -> list[str]:
        return []  # check_column_map refused the map already

    #: The author column writes the surname first and a gap before the given names (`O'Hara
    #: Mo`, a shop's order sheet), as its first rows show (`settle_date_order`).
    surname_first = False

    def settle_date_order(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """The file's date order, and whether its author column writes surnames first with a
        gap (`writes_surname_first_with_gap`), from the same first rows."""
        rows = list(rows)
        super().settle_date_order(rows)
        self.surname_first = "author" in self.columns and writes_surname_first_with_gap(
            self.raw_cell(cells, "author") for _line, cells in rows
        )

    def _author_cell(self, cells: list[str]) -> str:
        if self.surname_first:
            return surname_first_as_sort_name(self.raw_cell(cells, "author"))
        return self.get(cells, "author")

    def normalize(self, cells: list[str]) -> NormalizedRow:
        self.check_shape(cells)
        row = self.titled_row(cells)
        row.publisher = self.get(cells, "publisher")
        row.credits = with_named_author(
            read_people(row, self._author_cell(cells)),
            self.get(cells, "author_first_name"),
            self.get(cells, "author_last_name"),
        )
        for role in ROLE_FIELDS:
            add_credits(row.credits, read_people(row, self.get(cells, role), role=role))
        for value in split_isbn_cells(self.get(cells, "isbn")):
            apply_identifier(row, value, column=self.column_map.get("isbn", "ISBN"), isbn_only=True)
        year_cell = self.get(cells, "year")
        row.publication_year = read_year_in(row, year_cell, column=self.column_map.get("year", ""))
        row.first_published_year = copyright_year_in(year_cell, row.publication_year)
        row.page_count = read_page_count(
            row, self.get(cells, "pages"), column=self.column_map.get("pages", "")
        )
        series_cells = parse_series_cells(self.get(cells, "series"))
        if series_cells:
            (series, number), *others = series_cells
            set_primary_series(row, series, self.get(cells, "series_number") or number)
            known = {name.casefold() for name, _number in row.series_entries}
            row.series_entries += [e for e in others if e[0].casefold() not in known]
        row.format, warning = parse_format(self.get(cells, "format"))
        if warning:
            row.warnings.append(warning)
        if "format" not in self.columns:
            # A reading log's `Type` (guessed as the item type) holds the binding: `Kindle`.
            row.format = binding_format(self.get(cells, "kind"))
        row.language = language_code(self.get(cells, "language"))
        set_subtitle_cell(row, self.get(cells, "subtitle"))  # after the series it may name
        return row
