"""Open Library dump lines -> the compact rows matching needs. Pure: no database.

A dump line is five tab-separated columns: type, key, revision, last_modified, JSON. Only a few
fields of each JSON document are kept (the row tuples below); the rest is skipped while decoding,
so neither Python nor the database ever holds whole documents.

This runs once per line of a 45 GB file, so it is written for speed: msgspec decodes each
document straight into a small typed Struct (unknown fields are skipped in C), rows are plain
tuples in table column order, and lists of numbers are comma-separated text. A document whose
fields have an unexpected type takes a slower path that drops just those fields (and counts
them).
"""

import gzip
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, BinaryIO, final

import msgspec

# The catalog's title key (pure, Django-free): the dump's title index matches the same words.
from catalog.text import normalize_title
from enrichment.candidates import DESCRIPTION_MAX_CHARS, SUBJECTS_MAX_COUNT
from enrichment.dump.isbn_keys import edition_isbn_columns
from enrichment.openlibrary_titles import edition_title
from enrichment.publication_dates import openlibrary_publish_month

fast_gzip: ModuleType
try:  # ISA-L inflates ~3.5x faster than zlib; the stdlib reader stays a working fallback
    from isal import igzip as fast_gzip
except ImportError:  # pragma: no cover - isal is in requirements.txt
    fast_gzip = gzip

EDITION, WORK, AUTHOR = "edition", "work", "author"
KINDS = (EDITION, WORK, AUTHOR)
TYPE_BY_KIND = {EDITION: b"/type/edition", WORK: b"/type/work", AUTHOR: b"/type/author"}
KEY_PREFIX = {EDITION: b"/books/OL", WORK: b"/works/OL", AUTHOR: b"/authors/OL"}
#: The tables each kind of dump fills.
TABLES_BY_KIND = {EDITION: ("edition", "isbn"), WORK: ("work",), AUTHOR: ("author",)}

#: Bytes read from the file at a time: large enough that per-block overhead vanishes.
BLOCK_BYTES = 4 << 20
#: Subjects run to hundreds on some works; only what a candidate keeps is stored.
MAX_SUBJECTS = SUBJECTS_MAX_COUNT
MAX_DESCRIPTION_CHARS = DESCRIPTION_MAX_CHARS

# Why a line was skipped: the keys of the summary's counts.
BAD_COLUMNS = "not five tab-separated columns"
BAD_JSON = "broken JSON"
BAD_NUL = "NUL byte or \\u0000 escape"
BAD_KEY = "unreadable key"
BAD_SHAPE = "not a JSON object"
BAD_UNFINISHED = "last line cut short"


# --- the fields kept, as msgspec Structs (every other field is skipped while decoding) ----------


class Ref(msgspec.Struct, gc=False):
    key: str


@final  # so that `type(x) is Text` (the hot loop's test) narrows both ways
class Text(msgspec.Struct, gc=False):
    value: str | None = None


class WorkAuthor(msgspec.Struct, gc=False):
    # The role ("type") comes as "/type/author_role" or {"key": ...}: not kept, so not declared.
    author: Ref | None = None


class EditionCredit(msgspec.Struct, gc=False, omit_defaults=True):
    name: str | None = None
    role: str | None = None


class EditionDoc(msgspec.Struct, gc=False):
    title: str | None = None
    title_prefix: str | None = None  # an older record's article, filed apart from its title
    subtitle: str | None = None
    works: list[Ref] = []
    authors: list[Ref] = []
    publishers: list[str] = []
    publish_date: str | None = None
    number_of_pages: int | None = None
    languages: list[Ref] = []
    physical_format: str | None = None
    covers: list[int | None] = []
    isbn_13: list[str] = []
    isbn_10: list[str] = []
    # The catalogue text openlibrary_marc.catalogue_fields reads (its CATALOGUE_KEYS).
    series: list[str] | str = []
    contributions: list[str] | str = []
    contributors: list[EditionCredit] = []
    pagination: str | None = None
    publish_places: list[str] = []
    by_statement: str | None = None


class WorkDoc(msgspec.Struct, gc=False):
    title: str | None = None
    subtitle: str | None = None
    authors: list[WorkAuthor] = []
    covers: list[int | None] = []
    subjects: list[str] = []
    first_publish_date: str | None = None
    description: str | Text | None = None


class AuthorDoc(msgspec.Struct, gc=False):
    name: str | None = None
    personal_name: str | None = None
    birth_date: str | None = None
    death_date: str | None = None
    remote_ids: dict[str, str] = {}


DOC_BY_KIND = {EDITION: EditionDoc, WORK: WorkDoc, AUTHOR: AuthorDoc}
_DECODERS = {kind: msgspec.json.Decoder(doc) for kind, doc in DOC_BY_KIND.items()}
_decode_any = msgspec.json.Decoder().decode
_encode = msgspec.json.encode
_FIELD_AT = re.compile(r"at `\$\.([A-Za-z0-9_]+)")


class NotADocument(ValueError):
    """Well-formed JSON that is not an object of the expected shape."""


# Broken JSON: malformed, lone UTF-16 surrogates (msgspec.DecodeError) or bytes that are not UTF-8.
BROKEN_JSON = (msgspec.DecodeError, UnicodeDecodeError)


def decode_document(kind: str, document: bytes, odd_fields: Counter) -> Any:
    """The typed document; fields of an unexpected type are dropped and counted in `odd_fields`.

    Raises one of BROKEN_JSON on broken JSON, NotADocument when it is not a JSON object.
    """
    try:
        return _DECODERS[kind].decode(document)
    except msgspec.ValidationError:
        pass
    record = _decode_any(document)
    if type(record) is not dict:
        raise NotADocument("not a JSON object")
    doc_type = DOC_BY_KIND[kind]
    for _ in range(len(doc_type.__struct_fields__)):
        try:
            return msgspec.convert(record, doc_type)
        except msgspec.ValidationError as exc:
            match = _FIELD_AT.search(str(exc))
            if not match or match.group(1) not in record:
                raise NotADocument(str(exc)) from exc
            odd_fields[f"{kind}.{match.group(1)}"] += 1
            del record[match.group(1)]
    raise NotADocument("no field left to drop")  # pragma: no cover - each turn drops one


# --- keys -------------------------------------------------------------------------------------


def olid_number(key: str, prefix: str) -> int | None:
    """ "/works/OL45883W" with prefix "/works/OL" -> 45883; anything else -> None."""
    if not key.startswith(prefix):
        return None
    digits = key[len(prefix) : -1]
    return int(digits) if digits.isascii() and digits.isdecimal() else None


# --- documents -> rows ------------------------------------------------------------------------
# Row tuples, in the column order of enrichment.dump.tables.COLUMNS (keep the two in step).
# Lists of numbers are stored as comma-separated text ("123,456"), NULL when empty: the
# cheapest form to write 33 M times, and trivial to read back (`number_list`).


def number_list(text: str | None) -> list[int]:
    """A stored list of numbers ("123,456") -> [123, 456]."""
    return list(map(int, text.split(","))) if text else []


def author_numbers(keys: list[str]) -> str | None:
    """["/authors/OL1A", "/authors/OL2A"] -> "1,2" (repeats and odd keys dropped)."""
    numbers: list[str] = []
    # Some records repeat one author hundreds of times (OL10004188M: 256 entries, 2 authors).
    for key in dict.fromkeys(keys):
        digits = key[11:-1]
        # Author ids are 32-bit integers in the author table: longer ones are no key.
        if key.startswith("/authors/OL") and digits.isdecimal() and len(digits) < 10:
            digits = digits.lstrip("0") or "0"
            if digits not in numbers:
                numbers.append(digits)
    return ",".join(numbers) if numbers else None


def _edition_authors(authors: list[Ref]) -> str | None:
    if len(authors) == 1:  # most editions: one author, no list to build
        key = authors[0].key
        digits = key[11:-1]
        if key.startswith("/authors/OL") and digits.isdecimal() and len(digits) < 10:
            return digits.lstrip("0") or "0"
        return None
    return author_numbers([author.key for author in authors])


def cover_numbers(covers: list[int | None]) -> str | None:
    """Cover ids; -1 and null mean "no cover" in Open Library records and are dropped."""
    positive = [str(c) for c in covers if c and c > 0]
    return ",".join(positive) if positive else None


#: publish_date text -> publish_month, per process: a dump spells its dates a few hundred
#: thousand ways ("December 31, 1992" on thousands of editions), so most lines are a dict hit.
_MONTH_OF_DATE: dict[str, int | None] = {}
_MONTH_OF_DATE_MAX = 1 << 20


def edition_publish_month(date: str) -> int | None:
    """`publication_dates.openlibrary_publish_month` of an edition's publish_date, remembered."""
    month = _MONTH_OF_DATE.get(date, -1)
    if month == -1:
        if len(_MONTH_OF_DATE) >= _MONTH_OF_DATE_MAX:  # odd spellings only: start afresh
            _MONTH_OF_DATE.clear()
        month = _MONTH_OF_DATE[date] = openlibrary_publish_month(date)
    return month


def catalogue_text(doc: EditionDoc) -> str | None:
    """The edition's catalogue text (series, contributions, contributors, pagination, places,
    statement of responsibility) as a JSON object of the fields it has, None when it has none:
    read back by the one reader of an edition's catalogue fields
    (enrichment.providers.openlibrary_marc)."""
    kept = {
        name: value
        for name, value in (
            ("series", doc.series),
            ("contributions", doc.contributions),
            ("contributors", doc.contributors),
            ("pagination", doc.pagination),
            ("publish_places", doc.publish_places),
            ("by_statement", doc.by_statement),
        )
        if value
    }
    return _encode(kept).decode() if kept else None


def edition_rows(edition_id: int, doc: EditionDoc) -> tuple[tuple, list[tuple]]:
    """(edition_id, work_id, title, subtitle, author_ids, publisher, publish_date, page_count,
    language, physical_format, cover_ids, isbn_keys, publish_month, catalogue_fields) and its
    (isbn_key, edition_id) rows."""
    work_id = None
    if doc.works and (key := doc.works[0].key).startswith("/works/OL"):
        digits = key[9:-1]
        work_id = int(digits) if digits.isdecimal() and len(digits) < 10 else None
    language = None
    if doc.languages and (key := doc.languages[0].key).startswith("/languages/"):
        language = key[11:] or None
    pages = doc.number_of_pages
    isbn_keys, isbn_rows = edition_isbn_columns(edition_id, doc.isbn_13, doc.isbn_10)
    date = doc.publish_date
    # Blank strings are rare: `or None` is the cheap way to store them as NULL.
    row = (
        edition_id,
        work_id,
        (doc.title if doc.title_prefix is None else edition_title(doc.title, doc.title_prefix))
        or None,
        doc.subtitle or None,
        _edition_authors(doc.authors) if doc.authors else None,
        (doc.publishers[0] or None) if doc.publishers else None,
        date or None,
        pages if pages and 0 < pages < 2_000_000_000 else None,
        language,
        doc.physical_format or None,
        cover_numbers(doc.covers) if doc.covers else None,
        isbn_keys,
        # A dict hit inline (the usual case), the parse only for a spelling not seen yet.
        (_MONTH_OF_DATE[date] if date in _MONTH_OF_DATE else edition_publish_month(date))
        if date
        else None,
        # Most editions have none of it: the common case costs six tests, no encoding.
        catalogue_text(doc)
        if doc.series
        or doc.contributions
        or doc.contributors
        or doc.pagination
        or doc.publish_places
        or doc.by_statement
        else None,
    )
    return row, isbn_rows


def work_row(work_id: int, doc: WorkDoc) -> tuple:
    """(work_id, title, subtitle, author_ids, cover_ids, subjects, first_publish_date,
    description, title_key): title_key is `normalize_title(title)`, what the title search
    matches."""
    description = doc.description
    if type(description) is Text:
        description = description.value
    subjects = [s for s in doc.subjects[:MAX_SUBJECTS] if s] if doc.subjects else None
    return (
        work_id,
        doc.title or None,
        doc.subtitle or None,
        author_numbers([a.author.key for a in doc.authors if a.author]) if doc.authors else None,
        cover_numbers(doc.covers) if doc.covers else None,
        _encode(subjects).decode() if subjects else None,  # JSON: subjects hold commas
        doc.first_publish_date or None,
        description[:MAX_DESCRIPTION_CHARS] if description else None,
        normalize_title(doc.title) or None if doc.title else None,
    )


def author_row(author_id: int, doc: AuthorDoc) -> tuple:
    """(author_id, name, birth_date, death_date, remote_ids)"""
    remote_ids = {k: v for k, v in doc.remote_ids.items() if v} if doc.remote_ids else None
    return (
        author_id,
        doc.name or doc.personal_name or None,
        doc.birth_date or None,
        doc.death_date or None,
        _encode(remote_ids).decode() if remote_ids else None,
    )


# --- lines -> blocks of rows ------------------------------------------------------------------


@dataclass(slots=True)
class ParsedBlock:
    """The rows of a run of lines, per table, and what was skipped and why."""

    rows: dict[str, list[tuple]]
    lines: int = 0
    bad: Counter = field(default_factory=Counter)
    odd_fields: Counter = field(default_factory=Counter)  # fields dropped for their type
    other_types: int = 0  # well-formed lines of another type (a redirect, a deletion)


def parse_lines(kind: str, lines: list[bytes]) -> ParsedBlock:
    """Complete lines (without their newline) of one kind's dump -> rows. Bad lines: counted."""
    wanted_type = TYPE_BY_KIND[kind]
    key_prefix = KEY_PREFIX[kind]
    prefix_length = len(key_prefix)
    block = ParsedBlock(rows={table: [] for table in TABLES_BY_KIND[kind]}, lines=len(lines))
    bad, odd_fields = block.bad, block.odd_fields
    decode = _DECODERS[kind].decode
    if kind == EDITION:
        editions, isbns = block.rows["edition"], block.rows["isbn"]
    else:
        out = block.rows[kind]
        build = work_row if kind == WORK else author_row
    for line in lines:
        columns = line.split(b"\t", 4)
        if len(columns) != 5:
            if line.strip():
                bad[BAD_COLUMNS] += 1
            else:
                block.lines -= 1  # a blank line is no record at all
            continue
        if columns[0] != wanted_type:
            block.other_types += 1
            continue
        key = columns[1]
        number = key[prefix_length:-1]
        # Ids are stored as 32-bit integers: today's largest is 8 digits.
        if not (key.startswith(key_prefix) and number.isdigit() and len(number) < 10):
            bad[BAD_KEY] += 1
            continue
        try:
            doc = decode(columns[4])
        except msgspec.ValidationError:
            try:
                doc = decode_document(kind, columns[4], odd_fields)
            except NotADocument:
                bad[BAD_SHAPE] += 1
                continue
            except BROKEN_JSON:
                bad[BAD_JSON] += 1
                continue
        except BROKEN_JSON:
            bad[BAD_JSON] += 1
            continue
        if kind == EDITION:
            row, isbn_rows = edition_rows(int(number), doc)
            editions.append(row)
            isbns.extend(isbn_rows)
        else:
            out.append(build(int(number), doc))
    return block


def has_nul(line: bytes) -> bool:
    """PostgreSQL text cannot hold NUL: a raw NUL byte or a \\u0000 escape makes a line bad."""
    return b"\x00" in line or b"\\u0000" in line


def split_block(data: bytes) -> tuple[list[bytes], int]:
    """A block's lines, and how many were dropped for a NUL byte or a \\u0000 escape."""
    return _without_nul(data.split(b"\n"), b"\x00" in data or b"\\u0000" in data)


def _without_nul(lines: list[bytes], may_have_nul: bool) -> tuple[list[bytes], int]:
    """`lines` without those `has_nul` finds (only looked for when `may_have_nul`: the usual
    case costs two scans of the block), and how many were dropped."""
    if not may_have_nul:
        return lines, 0
    kept = [line for line in lines if not has_nul(line)]
    return kept, len(lines) - len(kept)


@dataclass(slots=True)
class RawBlock:
    """Complete lines as read from the file: `head` (the start of a line the previous read cut)
    followed by `data[:end]`. The two are kept apart where joining them would copy each read
    twice into fresh memory (4 MB a read): with its page faults, that was a third of the
    reading process's CPU."""

    head: bytes
    data: bytes  # one read; after `end` comes the start of the next block's first line
    end: int
    unterminated: bool = False  # a final line that had no newline after it

    def __len__(self) -> int:
        return len(self.head) + self.end

    def buffers(self) -> tuple[bytes, memoryview]:
        """The block's bytes in two pieces, without copying them."""
        return self.head, memoryview(self.data)[: self.end]

    def tobytes(self) -> bytes:
        return self.head + self.data[: self.end]

    def split(self) -> tuple[list[bytes], int]:
        """`split_block` of the block, splitting the read itself (no copy of it)."""
        lines = self.data.split(b"\n")
        if self.end < len(self.data):
            lines.pop()  # the start of the next block's first line
        if self.head:
            lines[0] = self.head + lines[0]
        data = self.data
        # lines[0] too: an escape the read cut in two is whole only there
        may_have_nul = (
            b"\x00" in data or b"\\u0000" in data or (bool(self.head) and has_nul(lines[0]))
        )
        return _without_nul(lines, may_have_nul)


# --- files --------------------------------------------------------------------------------------


@dataclass(slots=True)
class FileReport:
    """What reading one dump file found. A `truncated` file is refused."""

    path: str
    kind: str
    compressed: bool
    file_bytes: int
    bytes_read: int = 0  # uncompressed
    lines: int = 0
    rows: Counter = field(default_factory=Counter)
    bad: Counter = field(default_factory=Counter)
    odd_fields: Counter = field(default_factory=Counter)
    other_types: int = 0
    truncated: str = ""  # why the file looks cut short, or ""

    @property
    def bad_lines(self) -> int:
        return sum(self.bad.values())

    def add(self, block: ParsedBlock) -> None:
        self.lines += block.lines
        self.bad.update(block.bad)
        self.odd_fields.update(block.odd_fields)
        self.other_types += block.other_types
        for table, rows in block.rows.items():
            self.rows[table] += len(rows)


def is_gzip(path: str | os.PathLike) -> bool:
    with open(path, "rb") as raw:
        return raw.read(2) == b"\x1f\x8b"


def open_dump(path: str | os.PathLike) -> tuple[BinaryIO, BinaryIO]:
    """(reader of the uncompressed bytes, the raw file: its position drives the ETA)."""
    raw = open(path, "rb")  # noqa: SIM115 - the caller closes both
    compressed = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    return (fast_gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw), raw


# A gzip stream that stops early or is damaged: the dump is cut short.
GZIP_ERRORS: tuple[type[Exception], ...] = (EOFError, gzip.BadGzipFile, OSError)
if fast_gzip is not gzip:
    from isal.isal_zlib import IsalError

    # isal's stub declares IsalError an instance of Exception; it is the exception class.
    GZIP_ERRORS = (*GZIP_ERRORS, IsalError)  # type: ignore[arg-type]

#: (uncompressed bytes read, file bytes consumed, lines read so far)
Progress = Callable[[int, int, int], None]


def read_blocks(
    path: str | os.PathLike, report: FileReport, *, progress: Progress | None = None
) -> Iterator[RawBlock]:
    """A dump file's complete lines, several MB at a time (without the last newline); the last
    block's `unterminated` says whether it is a final line that had no newline after it (the
    parser decides if it is whole).

    Marks `report.truncated` when the gzip stream is damaged or stops early.
    """
    reader, raw = open_dump(path)
    with raw, reader:
        tail = b""
        while True:
            try:
                data = reader.read(BLOCK_BYTES)
            except GZIP_ERRORS as exc:
                report.truncated = f"the gzip stream is damaged or cut short ({exc})"
                data = b""
            if not data:
                break
            report.bytes_read += len(data)
            cut = data.rfind(b"\n")
            if cut < 0:  # a line longer than a read
                tail += data
                continue
            yield RawBlock(tail, data, cut)
            tail = data[cut + 1 :]
            if progress:
                progress(report.bytes_read, raw.tell(), report.lines)
        if tail:
            yield RawBlock(tail, b"", 0, unterminated=True)
        if progress:
            progress(report.bytes_read, report.file_bytes, report.lines)


def new_report(path: str | os.PathLike, kind: str) -> FileReport:
    if kind not in KINDS:
        raise ValueError(f"unknown dump kind {kind!r}")
    return FileReport(
        path=str(path), kind=kind, compressed=is_gzip(path), file_bytes=os.path.getsize(path)
    )


def parse_block(kind: str, data: bytes | RawBlock, *, unterminated: bool = False) -> ParsedBlock:
    """One block of lines (bytes, or a RawBlock as read) -> rows. `unterminated`: a final line
    that had no newline, which is whole only if it parses (else the file was cut short)."""
    if isinstance(data, RawBlock):
        lines, nul_lines = data.split()
    else:
        lines, nul_lines = split_block(data)
    block = parse_lines(kind, lines)
    if nul_lines:
        block.lines += nul_lines
        block.bad[BAD_NUL] += nul_lines
    if unterminated and block.bad:
        block.bad = Counter({BAD_UNFINISHED: sum(block.bad.values())})
    return block


def parse_file(report: FileReport, *, progress: Progress | None = None) -> Iterator[ParsedBlock]:
    """A dump file as parsed blocks, in this process; `report` fills in as they are read."""
    for raw_block in read_blocks(report.path, report, progress=progress):
        block = parse_block(report.kind, raw_block, unterminated=raw_block.unterminated)
        report.add(block)
        if block.bad[BAD_UNFINISHED]:
            report.truncated = report.truncated or "the last line is cut short"
        yield block


def read_dump(
    path: str | os.PathLike, kind: str, *, progress: Progress | None = None
) -> tuple[FileReport, Iterator[ParsedBlock]]:
    """(the file's report, its parsed blocks): the report is complete once they are read."""
    report = new_report(path, kind)
    return report, parse_file(report, progress=progress)
