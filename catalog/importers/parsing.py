"""The pure cell parsers of the CSV importers: a cell's text in, a value out (titles, whole
numbers, years, dates, bindings, lists of names), and the FORMATS / ROLES tables. Readers that
also leave a warning on the row are in readers.py; readers of cells only some sources have are in
cells.py."""

import functools
import html
import re
import unicodedata
from typing import NamedTuple

from django.utils.translation import gettext as _

from catalog import text
from catalog.column_text import single_spaced
from catalog.csvsafe import FORMULA_STARTS
from catalog.years import latest_publication_year

ASIN = re.compile(r"^B[0-9A-Z]{9}$")
_EXCEL_QUOTED = re.compile(r'^="(.*)"$', re.DOTALL)
_SPACES = re.compile(r"\s+")
# An HTML entity an export left in a cell (`Brinkmann &amp; Bose`, in a Goodreads file that writes
# `Kiepenheuer & Witsch` 38 times and `Kiepenheuer &amp; Witsch` once): with its `;` only, so
# that a name's own `&` (`AT&T`, `Simon & Schuster`) is never read as one.
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# `128`, and `128.0` / `128,0`: a whole number written as a float by a spreadsheet or pandas.
_WHOLE_NUMBER = re.compile(r"^\+?(?P<digits>\d+)(?:[.,]0+)?$")
# `1,234`, `1.234`, `1 234`, `1'234`: thousands grouped, one separator throughout.
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([.,' ])\d{3}(?:\1\d{3})*$")
# What sources write for "no author known": `Unknown`, Goodreads' numbered `Unknown Author
# 493`, `Unbekannt`, `Inconnu`, and a catalog's `Anonymous` in its languages (`Anon.`, `Anonyme`,
# `Anónimo`, `Anonimo`, `Аноним`); and for "several, unnamed": Goodreads' `Various` and its
# author `et al.`, LibraryThing's French `Collectif`, Italian and Spanish catalogues' `AA.VV.` /
# `VV.AA.`. As an author each would become one person credited with every such book.
_UNKNOWN_PERSON = re.compile(
    r"^(?:unknown(?: author(?: \d+)?)?|unbekannt|inconnue?"
    r"|anon\.?|anonymous|anonym[eo]?|anonymus|an[oó]nim[oa]|[аА]ноним"
    r"|various(?: authors)?|collectif|aa\.? ?vv\.?|vv\.? ?aa\.?"
    r"|autores varios|varios autores|autori vari|n\s?/\s?a|et\.? ?al(?:ii|ia)?\.?)$",
    re.IGNORECASE,
)
UNKNOWN_PERSON_PATTERN = _UNKNOWN_PERSON.pattern  # enrichment asks the database by it too
# A letter or a digit: a cell without one (`-`, `?`, `…`, a hand-kept log's "not noted") names
# no one.
_ALPHANUMERIC = re.compile(r"[^\W_]")
# Between ISBNs in one cell, and LibraryThing's brackets round them (`[2070291340]`).
_ISBN_LIST = re.compile(r"[,;|\[\]]+")

# Lower-cased binding / format values seen in real exports -> Edition.Format.
FORMATS = {
    "hardcover": "hardcover",
    "hardback": "hardcover",
    "library binding": "hardcover",
    "school & library binding": "hardcover",  # Open Library's and Amazon's name for it
    "tapa dura": "hardcover",
    "relié": "hardcover",
    "gebundene ausgabe": "hardcover",
    "tankobon hardcover": "hardcover",
    "leather bound": "hardcover",
    "cloth": "hardcover",
    "cartonné": "hardcover",
    "capa dura": "hardcover",
    "tapa dura con sobrecubierta": "hardcover",
    "textbook binding": "hardcover",
    "paperback": "paperback",
    "trade paperback": "paperback",
    "softcover": "paperback",
    "tapa blanda": "paperback",
    "pasta blanda": "paperback",
    "capa mole": "paperback",
    "livro de bolso": "paperback",
    "rústica": "paperback",
    "broché": "paperback",
    "poche": "paperback",
    "taschenbuch": "paperback",
    "brossura": "paperback",
    "perfect paperback": "paperback",
    "soft cover": "paperback",
    "pocket book": "paperback",  # a livre de poche, as `poche`
    "broschiert": "paperback",
    "klappenbroschur": "paperback",  # a paperback with flaps
    "paperback bunko": "paperback",
    "paperback shinsho": "paperback",
    "tankobon softcover": "paperback",
    "capa comum": "paperback",
    "文庫": "paperback",  # bunko, the pocket paperback
    "新書": "paperback",  # shinsho, the trade paperback
    "単行本（ソフトカバー）": "paperback",  # a tankōbon in soft covers
    "mass market paperback": "mass_market",
    "mass market": "mass_market",
    "kindle edition": "ebook",
    "ebook": "ebook",
    "e-book": "ebook",
    "digital": "ebook",
    "nook": "ebook",
    "edición kindle": "ebook",
    "format kindle": "ebook",
    "kinde edition": "ebook",  # Goodreads' own misspelling, beside its `Kindle Edition` rows
    "ibook": "ebook",
    "electronic resource": "ebook",  # a library catalogue's name for a digital copy
    "ebook kindle": "ebook",
    "audio": "audiobook",
    "audiobook": "audiobook",
    "audible audio": "audiobook",
    "audio cd": "audiobook",
    "audio cassette": "audiobook",
    "mp3 cd": "audiobook",
    "podiobook": "audiobook",  # a book read aloud as a podcast, chapter by chapter
    "webtoon": "ebook",  # a comic published on the web
    "webcomic": "ebook",
    "webnovel": "ebook",  # a novel published on the web, chapter by chapter
    "web novel": "ebook",
    "online": "ebook",  # a story published on a web site
    "online only": "ebook",
    "flexibound": "paperback",  # a soft cover, sewn
    "bìa mềm": "paperback",  # Vietnamese: soft cover
    "bìa cứng": "hardcover",
    "imitation leather": "hardcover",  # as "leather bound"
    "bonded leather": "hardcover",
    # Bindings a librarian knows that are none of the formats above: recorded as "other",
    # without the note an unknown word gets.
    "board book": "other",
    "spiral bound": "other",
    "ring bound": "other",
    "wire bound": "other",
    "comb bound": "other",
    "staple bound": "other",
    "saddle stitched": "other",
    "unbound": "other",
    "loose leaf": "other",
    "boxed set": "other",
    "vinyl bound": "other",  # a wipe-clean vinyl cover, as a baby's bath book
    "cards": "other",
    "cd rom": "other",
    "chapbook": "other",  # a small booklet, stapled or sewn
    "pamphlet": "other",
    # Words that say what a book is or that it is printed, not how it is bound: no format (an
    # empty format, which enrichment may fill), as "Unknown Binding".
    "unknown binding": "",
    "装丁なし": "",  # "no binding"
    "paper book": "",
    "paper": "",
    "physical": "",
    "comic": "",
    "comic book": "",
    "comics": "",
    "manga": "",
    "manhwa": "",  # a Korean comic
    "manhua": "",  # a Chinese comic
    "コミック": "",  # a comic, in any binding
    "ムック": "",  # a mook, a magazine-like book
    "単行本": "",  # a standalone volume, hard or soft
    "大型本": "",  # an oversized book
    "magazine": "",  # a story printed in a magazine's issue
    "collection": "",
}
# The kinds of files an e-book or audiobook library lists for a book (calibre's `formats`,
# and CSVs other tools make of a calibre library: `epub; mobi`).
_EBOOK_FILES = {"azw", "azw3", "azw4", "cbr", "cbz", "djvu", "epub", "fb2", "kepub", "kfx",
                "lit", "lrf", "mobi", "pdb", "pdf", "rtf", "txt", "docx"}  # fmt: skip
_AUDIO_FILES = {"m4a", "m4b", "mp3", "ogg", "opus", "flac"}
_FILE_LIST = re.compile(r"[\s,;|/]+")
# The words that name a format inside a longer binding (`Slipcased Hardcover`, `Hardcover
# Slipcase`, `Paperback, Paper Dust Jacket`, `Kindle Edition with Audio/Video`): a binding whose
# words name one format only is that format; `Audio CD + ebook` names two and stays "other".
_FORMAT_WORDS = {"hardcover": "hardcover", "hardback": "hardcover", "paperback": "paperback",
                 "softcover": "paperback", "kindle": "ebook", "ebook": "ebook",
                 "audiobook": "audiobook", "audio": "audiobook"}  # fmt: skip

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
    "photographer": "illustrator",  # the book's pictures, as an illustrator's
    "photographs": "illustrator",
    "afterword": "contributor",
}


# Roles in the languages exports are written in (LibraryThing users write them in their
# interface's: German, French, Spanish, Italian, Portuguese, Dutch, Scandinavian, Polish,
# Finnish), feminine forms too, and the credit's own words where a library writes those (a
# French LibraryThing's `Traduction`, `Sous la direction de`).
_ROLE_WORDS = {
    "author": (
        "autor", "autorin", "autora", "auteur", "autrice", "autore", "verfasser",
        "verfasserin", "schrijver", "schrijfster", "författare", "forfatter", "kirjoittaja",
    ),
    "editor": (
        "herausgeber", "herausgeberin", "hrsg.", "hg.", "éditeur", "éditrice",
        "éditeur scientifique", "directeur de publication", "directrice de publication",
        "editora", "editore", "curatore", "curatrice", "organizador", "organizadora",
        "redacteur", "redactrice", "samensteller", "redaktör", "redaktør", "redaktor",
        "toimittaja", "sous la direction de", "edited by", "herausgegeben von", "a cura di",
        "ed.", "ed", "edited",
    ),
    "translator": (
        "übersetzer", "übersetzerin", "traducteur", "traductrice", "traductora",
        "traduttore", "traduttrice", "tradutor", "tradutora", "vertaler", "vertaalster",
        "översättare", "oversætter", "oversetter", "tłumacz", "kääntäjä", "traduction",
        "übersetzung", "traduzione", "tradução", "vertaling", "translated by", "trans.",
        "transl.", "tr.", "translation",
    ),
    "illustrator": (
        "illustratorin", "illustrateur", "illustratrice", "ilustrador", "ilustradora",
        "illustratore", "illustratör", "ilustrator", "kuvittaja", "zeichner", "zeichnerin",
        "illustrated by", "ill.", "illus.",
    ),
    "narrator": (
        "sprecher", "sprecherin", "erzähler", "erzählerin", "narrateur", "narratrice",
        "narrador", "narradora", "narratore", "verteller", "voorlezer", "narrated by",
        "read by",
    ),
}  # fmt: skip
ROLES.update({word: role for role, words in _ROLE_WORDS.items() for word in words})
# A book wholesaler's contributor codes, which a bookseller's sheet writes after a name
# (`Hopkins  Lee Bennett (EDT)`, `Dorling Kindersley Inc. (Cor)`, a corporate author).
ROLES.update({"edt": "editor", "ilt": "illustrator", "trn": "translator", "cor": "author"})
# Words a catalog writes for a person's part in a book that the catalog has no role for (`Barry
# Moser (compiler)`, `V.S. (selected) Pritchett`): a contributor's.
CONTRIBUTOR_WORDS = frozenset(
    {"selected", "selector", "collected", "compiled", "compiler", "adapted", "adapter",
     "arranged", "prepared", "chosen", "abridged"}
)  # fmt: skip
ROLES.update(dict.fromkeys(CONTRIBUTOR_WORDS, "contributor"))
# A role in the plural after the last name of a list (`Kelly Link; Gavin J. Grant (editors)`)
# is every listed person's; a singular one is only the name's it follows.
PLURAL_ROLES = {
    "authors": "author", "editors": "editor", "eds.": "editor", "eds": "editor",
    "translators": "translator", "illustrators": "illustrator", "narrators": "narrator",
}  # fmt: skip
# The words of a credit that names its people after them: `(Edited by Eric Flint)`.
_CREDIT_BY = tuple(
    sorted((w for w in ROLES if w.endswith((" by", " von", " di", " de"))), key=len, reverse=True)
)
_CREDIT_BY_STARTS = tuple(f"{phrase} " for phrase in _CREDIT_BY)
# Other credit's words before the names, one capitalised word and up to two more: `Compiled by
# William Jay Smith`, `Introduction by Stephen King`, `Photographs by Elemore Morgan`.
_OTHER_CREDIT_BY = re.compile(r"(?P<words>[A-Z][a-z]+(?: [a-z]+){0,2}) by (?P<names>\S.*)", re.S)
# The credit's words in a parenthesis before the names, as a catalog's column of other people
# writes them: `(Translated by) Constance Garnett`, `(Introduction by) …`, `(Selected by) …`.
_BRACKETED_CREDIT = re.compile(r"\(\s*(?P<words>[^()]*?\bby)\s*\)\s*(?P<names>\S.*)", re.I | re.S)


class NamedRole(NamedTuple):
    """What a parenthesis after a name says (`read_trailing_role`)."""

    name: str  # the name without its parenthesis (the whole text when there is none)
    words: str  # the parenthesis's words as written, "" when there is none
    role: str  # the catalog role they name, "" when they name none
    plural: bool = False  # `(editors)`: the role of every name in the list
    credited: str = ""  # people the parenthesis credits: `Edited by Eric Flint` -> Eric Flint
    credited_role: str = ""  # their role: editor


def read_trailing_role(value: str) -> NamedRole:
    """`Jane Doe (Editor)` -> Jane Doe, editor; `Keith Laumer (Edited by Eric Flint)` -> Keith
    Laumer, and Eric Flint credited as editor; `… (editors)` a plural role. A parenthesis whose
    words are no role (`Plato (Ancient Greek philosopher)`, `(pseud.)`) has role ""."""
    value = value.strip()
    parts = text.split_trailing_parenthesis(value) if value.endswith(")") else None
    if parts is None:
        return NamedRole(value, "", "")
    name, words = parts[0], _SPACES.sub(" ", parts[1].strip())
    key = words.casefold()
    if key in ROLES:
        return NamedRole(name, words, ROLES[key])
    if key in PLURAL_ROLES:
        return NamedRole(name, words, PLURAL_ROLES[key], plural=True)
    for phrase in _CREDIT_BY:
        if key.startswith(f"{phrase} ") and words[len(phrase) :].strip():
            credited = words[len(phrase) :].strip()
            return NamedRole(name, words, "", credited=credited, credited_role=ROLES[phrase])
    return NamedRole(name, words, "")


def read_credit_phrase(value: str) -> tuple[str, str]:
    """`Translated by Gwyn Jones and Thomas Jones` -> ("Gwyn Jones and Thomas Jones",
    "translator"): a cell that gives the credit's words before its people, as a library
    catalog's column of other people may, in a parenthesis too (`(Translated by) Constance
    Garnett`; words we know no role for, `(Selected by)`, `Compiled by`, a contributor's); any
    other cell comes back whole, with no role."""
    key = value.lstrip().casefold()
    if key[:1] == "(" and (bracketed := _BRACKETED_CREDIT.fullmatch(value.strip())):
        # A credit we know no role for (`(Selected by)`, `(Foreword by)`) is a contributor's.
        words = _SPACES.sub(" ", bracketed["words"]).casefold()
        return bracketed["names"], ROLES.get(words, "contributor")
    if not key.startswith(_CREDIT_BY_STARTS):
        other = _OTHER_CREDIT_BY.fullmatch(value.strip()) if " by " in key[:40] else None
        if other and " " in other["names"]:  # a name of two words at least (not `Stand by Me`)
            return other["names"], "contributor"  # `Compiled by …`, `Introduction by …`
        return value, ""
    phrase = next(p for p in _CREDIT_BY_STARTS if key.startswith(p))
    return value.lstrip()[len(phrase) :].strip(), ROLES[phrase.strip()]


def read_leading_role(value: str) -> NamedRole:
    """`Translator: E. Danglars` -> E. Danglars, translator: a role written before the name,
    as the Bookshelf app writes one among its Authors; any other value has role ""."""
    head, colon, name = value.partition(":")
    key = _SPACES.sub(" ", head.strip()).casefold()
    if colon and name.strip() and key in ROLES:
        return NamedRole(name.strip(), head.strip(), ROLES[key])
    return NamedRole(value, "", "")


def column_key(name: str) -> str:
    """A column's name as importers compare it: any case, without surrounding spaces, without
    the single quotes LibraryThing's export of 2014 put round every name (`'TITLE'`), and with
    an underscore read as a space (`Book_Id`, as a program that rewrote a Goodreads export's
    header to identifiers wrote it)."""
    key = name.strip()
    if len(key) > 1 and key[0] == key[-1] == "'":
        key = key[1:-1].strip()
    return key.replace("_", " ").casefold()


# Where a name written as one word (camelCase or PascalCase, as a program names its columns and
# values: `NumberOfPages`, Zotero's `journalArticle`) starts a new word.
_CAMEL_CASE_WORD = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def words_key(name: str) -> str:
    """A name's words, compared without case, accents or punctuation, a camelCase name split
    into its words: `Item Type`, `item_type` and `itemType` -> "item type"."""
    words = _CAMEL_CASE_WORD.sub(" ", text.strip_accents(name))
    return _NON_WORD.sub(" ", words.casefold()).strip()


_FORMATS_BY_WORDS = {words_key(name): format_ for name, format_ in FORMATS.items()}


def clean_cell(value: str) -> str:
    """Unwrap Goodreads' `="..."` spreadsheet quoting, read an HTML entity left in the cell
    (`&amp;`) as its character, drop zero-width spaces and collapse whitespace. Text stored
    decomposed (NFD: `e` + U+0301, as a file saved on macOS may be) is composed (NFC), as the
    catalog's other text and the providers' is: one name, one spelling.

    The `'` that our own CSV downloads put before a formula-like cell (catalog.csvsafe) is taken
    off again, so a corrected failed-rows file imports like the original."""
    if not value:
        return ""
    value = value.strip()
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        value = value[1:].strip()
    if value.startswith("="):
        quoted = _EXCEL_QUOTED.match(value)
        if quoted:
            value = quoted.group(1).strip()
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):  # at C speed
        value = unicodedata.normalize("NFC", value)
    if "&" in value and ";" in value:  # nearly every cell has neither, at C speed
        value = _HTML_ENTITY.sub(lambda entity: html.unescape(entity[0]), value).strip()
    # Every whitespace character but the plain space is unprintable, as are the zero-width
    # ones: most cells need no sub.
    if value.isprintable() and "  " not in value:
        return value
    return single_spaced(value)


def parse_title_parts(raw_title: str) -> tuple[str, str, list[tuple[str, str]]]:
    """-> (title, subtitle, every series with its number, the primary one first).

    `Raising Steam (Discworld, #40; Moist von Lipwig, #3)` is in two series; the text after
    `: ` or a spaced dash (`Ich habe eine Axt – Best Of`) is the subtitle."""
    main, series_entries = text.split_series_entries(raw_title)
    if not series_entries and (issue := text.issue_series(main)):
        series_entries = [issue]  # `Providence #1`: the title stays whole
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
    """A year from 100 to the latest a book may have (`2024`, `2024.0`; catalog.years). With
    `ancient` (a work's first publication), any year of the common era and negative years before
    it too: Goodreads gives the Iliad's as -750 and Ovid's Metamorphoses' as 8."""
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
    return year if earliest <= year <= latest_publication_year() else None


# A whole or decimal number, as a record's ids, ratings, years and page counts are written.
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def is_a_record(first_line: list[str]) -> bool:
    """A first line holding several numbers is a record, not column names: the header was
    lost (cut off, or never written by a script that made the file)."""
    return sum(1 for cell in first_line if _NUMBER.match(clean_cell(cell))) >= 3


# The characters of one cell a message shows: a "column name" can be a 300,000-character blob.
CELL_SHOWN_CHARS = 60


def cell_shown(cell: str) -> str:
    """A cell as a message or a label shows it, cut to CELL_SHOWN_CHARS with "…"."""
    return cell if len(cell) <= CELL_SHOWN_CHARS else cell[: CELL_SHOWN_CHARS - 1] + "…"


def cells_shown(cells: list[str]) -> str:
    """A line's first cells, as a message names them: "Title, Author, …"."""
    return ", ".join(map(cell_shown, cells[:8])) + (", …" if len(cells) > 8 else "")


def repeated_columns(header: list[str]) -> list[tuple[str, list[int]]]:
    """The column names a header holds more than once, as importers compare them (column_key),
    each with its columns' numbers from 1: a column added by hand under a name the export
    already had, or two exports pasted side by side. Importers read the first (header_columns)."""
    numbers: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for index, name in enumerate(header):
        if key := column_key(name):
            numbers.setdefault(key, []).append(index + 1)
            names.setdefault(key, name.strip())
    return [(names[key], found) for key, found in numbers.items() if len(found) > 1]


def header_columns(header: list[str]) -> dict[str, int]:
    """Each column name (column_key) -> its index; a name the header repeats is its first
    column, the export's own (a column added by hand comes after it)."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(column_key(name), index)
    return columns


def is_repeated_header(header: list[str], cells: list[str]) -> bool:
    """True for a row that repeats the header (exports joined by a program): three of its cells
    (two for a two-column file), and two in three of its filled cells, are column names of the
    header, in any case and order (another layout of the same export repeats most of them). A
    book called "Title" by "Author" is not enough."""
    names = _header_names(tuple(header))
    if names.isdisjoint(map(str.casefold, map(str.strip, cells))):
        return False  # no cell is a column name (nearly every row), found at C speed
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
    # The same words in another case or punctuation: `Spiral-bound`, `Board book`, and
    # Goodreads' own codes in some exports, `kindle_edition`, `mass_market`.
    words = words_key(key)
    if words in _FORMATS_BY_WORDS:
        return _FORMATS_BY_WORDS[words], ""
    if not words:
        return "", ""  # only punctuation (`－`, `-`): no binding said
    if kind := files_format(key):
        return kind, ""
    if media_type := _MEDIA_TYPE.match(key):
        # A digital collection's record (Dublin Core's `format`: CollectionBuilder, Omeka) gives
        # its file's type: an e-book's or a recording's says the book's format, a scan's or a
        # page's (`image/jpg`, `text/html`) none.
        if media_type["type"] == "audio":
            return "audiobook", ""
        subtype = media_type["subtype"]
        ebook = any(word in subtype for word in ("epub", "mobi", "ebook"))
        return files_format(subtype) or ("ebook" if ebook else ""), ""
    named = {_FORMAT_WORDS[word] for word in _NON_WORD.split(key) if word in _FORMAT_WORDS}
    if len(named) == 1:
        return named.pop(), ""
    if "," in key:
        # Several known bindings that say one format (`Webtoon, Webcomic, Manhwa`: an e-book).
        listed = [FORMATS.get(part.strip()) for part in key.split(",")]
        known = [format_ for format_ in listed if format_ is not None]
        if len(known) == len(listed) and len(set(known) - {""}) <= 1:
            return max(known), ""  # the one format named, or "" when none is
    return "other", _("Unrecognized format '%(value)s' recorded as 'other'.") % {"value": value}


def binding_format(value: str) -> str:
    """The format a cell names when it is a binding `parse_format` knows (`Kindle`, `Paperback`,
    `Audiobook`), else "" (a word it does not know, or none)."""
    format_, warning = parse_format(value)
    return "" if warning else format_


_MEDIA_TYPE = re.compile(r"^(?P<type>application|audio|image|text|video)/(?P<subtype>[\w.+-]+)$")


def files_format(value: str) -> str:
    """The kind of book a list of its files makes: `epub, original_epub`, `epub; mobi`, `PDF`
    -> "ebook", `m4b` -> "audiobook"; "" when the cell names no such file."""
    kinds = {
        part.lower().removeprefix("original_").removeprefix(".")
        for part in _FILE_LIST.split(value or "")
    }
    if kinds & _EBOOK_FILES:
        return "ebook"
    if kinds & _AUDIO_FILES:
        return "audiobook"
    return ""


def split_isbn_cells(value: str) -> list[str]:
    """The ISBN-ish values of one cell, as every importer reads them: LibraryThing's bracketed
    `[2070291340]` (`[]` for none), lists separated by commas, `;`, `|` or spaces
    (`2070400662, 9782070400669`), and one ISBN written with spaces inside it
    (`978 3 16 148410 0`, `0 8044 2957 X`: pieces shorter than any ISBN)."""
    values: list[str] = []
    for part in _ISBN_LIST.split(value or ""):
        pieces = part.split()
        if len(pieces) > 1 and all(len(piece) >= 10 for piece in pieces):
            values.extend(pieces)
        elif pieces:
            values.append(" ".join(pieces))
    return values


def one_value_in_every_cell(cells: list[str]) -> str | None:
    """The value when a row's three or more filled cells all hold the same one (`400354` from
    the Book Id to the last column: a damaged line, or a spreadsheet filled down), else None."""
    if len(set(cells)) > 2:  # nearly every row, at C speed (one value, and maybe empty cells)
        return None
    filled = [cell.strip() for cell in cells if cell.strip()]
    return filled[0] if len(filled) >= 3 and len(set(filled)) == 1 else None


def is_unknown_person(name: str) -> bool:
    """True for a name that stands for no one person (`Unknown`, `Unknown Author`, `unknown
    author 493`, `Various`, `Collectif`, `N/A`, `-`)."""
    name = name.strip()
    return bool(_UNKNOWN_PERSON.match(name)) or not _ALPHANUMERIC.search(name)


def split_names(value: str) -> list[str]:
    return [name for name in (part.strip() for part in (value or "").split(",")) if name]
