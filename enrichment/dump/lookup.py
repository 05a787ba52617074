"""Batched reads of the dump tables: ISBNs -> editions, their works, authors and a cover.

A whole batch of ISBNs costs three queries, whatever its size: the editions holding the ISBNs
(by their ISBN-13 or ISBN-10 key) joined to their works, a sibling edition with a cover for the
works that need one, and the author names. A batch of authors by their ids (`authors_by_id`)
costs one. SQLite asks in slices of 900 values.

The cover chain (the "inheritance bridge", extended): the edition's own cover, else its work's
cover, else the cover of another edition of the same work (the lowest edition number, so the
answer is stable from one load to the next).

A title search (`works_by_title`) costs a fixed handful of queries: the works whose title key is
alike (pg_trgm's `%` on the GIN index on PostgreSQL, an FTS5 MATCH of the title's words on
SQLite), their authors, and the first-published editions with ISBNs of the best of them.
"""

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import msgspec
from django.db import connection
from rapidfuzz import fuzz

from catalog import text
from catalog.similarity import trigram_similarity
from enrichment.dump import tables
from enrichment.dump.isbn_keys import ISBN13_MIN, isbn_keys_for_lookup
from enrichment.dump.reader import number_list
from enrichment.pg_trgm import trigram_threshold

#: The JSON the loader stores (subjects, remote ids): msgspec reads a short list in 0.6 µs
#: (json: 3.9 µs).
decode_json = msgspec.json.decode
#: SQLite refuses statements with too many parameters (999 before 3.32): ask in slices.
SQLITE_PARAMETERS = 900

COVER_FROM_EDITION = "edition"
COVER_FROM_WORK = "work"
COVER_FROM_SIBLING = "sibling"


# Not frozen: a batch builds about 2,000 of these rows, and a frozen dataclass sets each field
# through object.__setattr__ (1.5 µs an edition, against 0.2 µs). Nothing changes them.
@dataclass(slots=True)
class DumpEdition:
    edition_id: int
    work_id: int | None
    title: str
    subtitle: str
    author_ids: list[int]
    publisher: str
    publish_date: str
    page_count: int | None
    language: str
    physical_format: str
    cover_ids: list[int]
    isbn_keys: list[int]
    # The record's catalogue text, as the API's record has it (openlibrary_marc.CATALOGUE_KEYS):
    # {} from a table loaded before it was kept, and in a title search's editions.
    catalogue_fields: dict[str, Any]


@dataclass(slots=True)
class DumpWork:
    work_id: int
    title: str
    subtitle: str
    author_ids: list[int]
    cover_ids: list[int]
    subjects: list[str]
    first_publish_date: str
    description: str


@dataclass(slots=True)
class DumpAuthor:
    author_id: int
    name: str
    birth_date: str
    death_date: str
    remote_ids: dict[str, str]


@dataclass(slots=True)
class EditionMatch:
    """One edition that holds an asked ISBN, with what the chain found for it."""

    isbn13: str
    edition: DumpEdition
    work: DumpWork | None = None
    authors: list[DumpAuthor] = field(default_factory=list)
    cover_ids: list[int] = field(default_factory=list)
    cover_from: str = ""  # COVER_FROM_EDITION / _WORK / _SIBLING, or "" for no cover
    cover_edition_id: int | None = None  # the sibling that lent its cover


def dump_tables_present() -> set[str]:
    """Which live dump tables exist: `{"edition", "isbn", ...}` (and SQLite's FTS5 title
    table, `tables.TITLE_SEARCH_TABLE`)."""
    names = tables.existing_tables()
    return {
        table
        for table in (*tables.COLUMNS, tables.TITLE_SEARCH_TABLE)
        if tables.live_name(table) in names
    }


def dump_is_loaded(present: set[str] | None = None) -> bool:
    """True when the ISBN and edition tables exist and hold rows."""
    present = dump_tables_present() if present is None else present
    if not {"isbn", "edition"} <= present:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {tables.live_name('isbn')} LIMIT 1")
        return cursor.fetchone() is not None


def integer_array(values: Iterable[int]) -> str:
    """Numbers as PostgreSQL's text form of an array, "{1,2,3}": psycopg adapts a Python list
    value by value in Python (1.6 ms for a batch's 2,000 ISBN keys, against 0.1 ms)."""
    return "{" + ",".join(map(str, map(int, values))) + "}"


def _rows_where_in(
    sql: str, values: Iterable[int], *, before: Sequence = (), after: Sequence = ()
) -> list[tuple]:
    """Run `sql`, whose "{in}" stands for "IN <values>", once on PostgreSQL (an array
    parameter) or in slices on SQLite; a repeated value is asked once. `before` and `after`:
    the parameters of the placeholders before and after the IN."""
    values = list(dict.fromkeys(values))
    if not values:
        return []
    with connection.cursor() as cursor:
        if tables.is_postgres():
            cursor.execute(
                sql.format(IN="= ANY(%s::bigint[])"), [*before, integer_array(values), *after]
            )
            return cursor.fetchall()
        rows: list[tuple] = []
        for start in range(0, len(values), SQLITE_PARAMETERS):
            part = values[start : start + SQLITE_PARAMETERS]
            cursor.execute(
                sql.format(IN=f"IN ({', '.join(['%s'] * len(part))})"), [*before, *part, *after]
            )
            rows.extend(cursor.fetchall())
        return rows


#: Added columns the ISBN lookup reads when the live table has them (`read_columns`).
READ_WHEN_LOADED: dict[str, tuple[str, ...]] = {"edition": ("catalogue_fields",)}


def read_columns(table: str, live: AbstractSet[str] = frozenset()) -> list[str]:
    """The columns the lookups read: all but those a table loaded by an older version lacks
    (tables.ADDED_COLUMNS), in table order, so the row helpers below read any load; with the
    `live` table's columns, also those of READ_WHEN_LOADED it has."""
    added = set(tables.ADDED_COLUMNS.get(table, ())) - (set(READ_WHEN_LOADED.get(table, ())) & live)
    return [name for name, _ in tables.COLUMNS[table] if name not in added]


def _columns(table: str, alias: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in read_columns(table))


def _edition(row: tuple) -> DumpEdition:
    (edition_id, work_id, title, subtitle, author_ids, publisher, publish_date, pages,
     language, physical_format, cover_ids, isbn_keys, *rest) = row  # fmt: skip
    catalogue = rest[0] if rest else None  # read only from a table that has it
    # Positional: keywords cost twice as much, and a batch builds hundreds of these.
    return DumpEdition(
        edition_id,
        work_id,
        title or "",
        subtitle or "",
        number_list(author_ids),
        publisher or "",
        publish_date or "",
        pages,
        language or "",
        physical_format or "",
        number_list(cover_ids),
        number_list(isbn_keys),
        decode_json(catalogue) if catalogue else {},
    )


def _work(row: tuple) -> DumpWork:
    (work_id, title, subtitle, author_ids, cover_ids, subjects, first_publish_date,
     description) = row  # fmt: skip
    return DumpWork(
        work_id,
        title or "",
        subtitle or "",
        number_list(author_ids),
        number_list(cover_ids),
        decode_json(subjects) if subjects else [],
        first_publish_date or "",
        description or "",
    )


def _author(row: tuple) -> DumpAuthor:
    author_id, name, birth_date, death_date, remote_ids = row
    return DumpAuthor(
        author_id=author_id,
        name=name or "",
        birth_date=birth_date or "",
        death_date=death_date or "",
        remote_ids=decode_json(remote_ids) if remote_ids else {},
    )


def editions_by_isbn(
    isbn13s: Sequence[str], *, present: set[str] | None = None
) -> dict[str, list[EditionMatch]]:
    """Valid ISBN-13s -> the editions holding each (by its ISBN-13 or ISBN-10 form), each with
    its work, authors and the cover the chain found. An ISBN the dump lacks is absent.

    `present`: the live dump tables, when the caller has just asked (saves a query)."""
    present = dump_tables_present() if present is None else present
    if not {"isbn", "edition"} <= present:
        return {}
    isbn13_by_key = {key: isbn13 for isbn13 in isbn13s for key in isbn_keys_for_lookup(isbn13)}
    editions, works = _editions_and_works(isbn13_by_key, with_works="work" in present)
    # Works whose editions and own record have no cover: ask their other editions for one.
    needs_sibling = {
        e.work_id
        for e in editions
        if e.work_id is not None
        and not e.cover_ids
        and not (e.work_id in works and works[e.work_id].cover_ids)
    }
    siblings = _sibling_covers(needs_sibling)
    author_ids: set[int] = set()
    for edition in editions:
        work = works.get(edition.work_id) if edition.work_id is not None else None
        author_ids.update(edition.author_ids or (work.author_ids if work else []))
    authors = authors_by_id(author_ids, present=present)

    matches: dict[str, list[EditionMatch]] = {}
    for edition in editions:
        work = works.get(edition.work_id) if edition.work_id is not None else None
        # The edition row lists its ISBN keys: which of the asked ISBNs it holds.
        for isbn13 in dict.fromkeys(
            isbn13_by_key[key] for key in edition.isbn_keys if key in isbn13_by_key
        ):
            match = EditionMatch(isbn13=isbn13, edition=edition, work=work)
            ids = edition.author_ids or (work.author_ids if work else [])
            match.authors = [authors[i] for i in ids if i in authors]
            _choose_cover(match, siblings)
            matches.setdefault(isbn13, []).append(match)
    return matches


def authors_by_id(
    author_ids: Iterable[int], *, present: set[str] | None = None
) -> dict[int, DumpAuthor]:
    """Author numbers (OL23919A -> 23919) -> their rows in the authors table, in one query (in
    slices on SQLite). An author the dump lacks is absent; {} before the authors are loaded."""
    present = dump_tables_present() if present is None else present
    if "author" not in present:
        return {}
    authors: dict[int, DumpAuthor] = {}
    sql = f"SELECT {_columns('author', 'a')} FROM {tables.live_name('author')} a"
    for row in _rows_where_in(sql + " WHERE a.author_id {IN}", author_ids):
        authors.setdefault(row[0], _author(row))  # a key the dump repeats: the first
    return authors


def isbn_probes(isbn13_by_key: dict[int, str]) -> tuple[str, list[int]]:
    """The ISBN table's column and the keys to probe it with: each ISBN-13 alone in a table
    loaded by this version (it holds every ISBN as its ISBN-13: one probe an ISBN), its ISBN-13
    and ISBN-10 forms in one loaded before (column `isbn`, each ISBN as the dump listed it)."""
    if "isbn13" in tables.live_columns("isbn"):
        return "isbn13", [key for key in isbn13_by_key if key >= ISBN13_MIN]
    return "isbn", list(isbn13_by_key)


def _editions_and_works(
    isbn13_by_key: dict[int, str], *, with_works: bool
) -> tuple[list[DumpEdition], dict[int, DumpWork]]:
    """The editions holding any of the keys (by edition number), with their works: one query."""
    edition_table, isbn_table = tables.live_name("edition"), tables.live_name("isbn")
    column, probes = isbn_probes(isbn13_by_key)
    edition_columns = read_columns("edition", tables.live_columns("edition"))
    columns = ", ".join(f"e.{name}" for name in edition_columns)
    join = ""
    if with_works:
        columns += ", " + _columns("work", "w")
        join = f" LEFT JOIN {tables.live_name('work')} w ON w.work_id = e.work_id"
    sql = (
        f"SELECT {columns} FROM {edition_table} e{join} WHERE e.edition_id IN"
        f" (SELECT edition_id FROM {isbn_table} WHERE {column} {{IN}})"
    )
    editions: dict[int, DumpEdition] = {}
    works: dict[int, DumpWork] = {}
    edition_width = len(edition_columns)
    for row in _rows_where_in(sql, probes):
        edition = _edition(row[:edition_width])
        editions.setdefault(edition.edition_id, edition)  # a key the dump repeats: the first
        if with_works and row[edition_width] is not None:
            works.setdefault(row[edition_width], _work(row[edition_width:]))
    return [editions[key] for key in sorted(editions)], works


def _sibling_covers(work_ids: set[int]) -> dict[int, tuple[int, list[int]]]:
    """work_id -> (the lowest-numbered edition of it with a cover, that edition's cover ids)."""
    table = tables.live_name("edition")
    if tables.is_postgres():
        # DISTINCT ON reads the partial index (work_id) WHERE cover_ids IS NOT NULL.
        sql = (
            f"SELECT DISTINCT ON (work_id) work_id, edition_id, cover_ids FROM {table}"
            " WHERE cover_ids IS NOT NULL AND work_id {IN} ORDER BY work_id, edition_id"
        )
    else:  # SQLite returns the other columns of the row that MIN() picked
        sql = (
            f"SELECT work_id, MIN(edition_id), cover_ids FROM {table}"
            " WHERE cover_ids IS NOT NULL AND work_id {IN} GROUP BY work_id"
        )
    return {
        work_id: (edition_id, number_list(cover_ids))
        for work_id, edition_id, cover_ids in _rows_where_in(sql, sorted(work_ids))
    }


def _choose_cover(match: EditionMatch, siblings: dict[int, tuple[int, list[int]]]) -> None:
    work = match.work
    match.cover_ids, match.cover_from, match.cover_edition_id = cover_step(
        match.edition.cover_ids, work.cover_ids if work else [], match.edition.work_id, siblings
    )


def cover_step(
    edition_covers: list[int],
    work_covers: list[int],
    work_id: int | None,
    siblings: dict[int, tuple[int, list[int]]],
) -> tuple[list[int], str, int | None]:
    """The cover chain, the one rule: (cover ids, the step that gave them, the sibling edition
    that lent them): the edition's own, else its work's, else a sibling's; ([], "", None)."""
    if edition_covers:
        return edition_covers, COVER_FROM_EDITION, None
    if work_covers:
        return work_covers, COVER_FROM_WORK, None
    if work_id is not None and work_id in siblings:
        sibling_id, cover_ids = siblings[work_id]
        return cover_ids, COVER_FROM_SIBLING, sibling_id
    return [], "", None


@dataclass(frozen=True, slots=True)
class CoverFound:
    """What the cover chain found for one asked ISBN (the campaign's lean answer)."""

    edition_id: int
    work_id: int | None
    cover_ids: list[int]
    cover_from: str  # COVER_FROM_*, or "" when no step has a cover
    cover_edition_id: int | None = None  # the sibling that lent its cover


def covers_by_isbn(
    isbn13s: Sequence[str], *, present: set[str] | None = None
) -> dict[str, CoverFound]:
    """Valid ISBN-13s -> the cover chain's answer for the first edition (lowest number) holding
    each that has a cover, else for its first edition. Two queries a batch, reading only the
    ids and cover columns (no titles, descriptions or authors): what a cover campaign needs.
    An ISBN the dump lacks is absent."""
    present = dump_tables_present() if present is None else present
    if not {"isbn", "edition"} <= present:
        return {}
    isbn13_by_key = {key: isbn13 for isbn13 in isbn13s for key in isbn_keys_for_lookup(isbn13)}
    work_covers = "w.cover_ids" if "work" in present else "NULL"
    join = (
        f" LEFT JOIN {tables.live_name('work')} w ON w.work_id = e.work_id"
        if "work" in present
        else ""
    )
    column, probes = isbn_probes(isbn13_by_key)
    sql = (
        f"SELECT i.{column}, e.edition_id, e.work_id, e.cover_ids, {work_covers}"
        f" FROM {tables.live_name('isbn')} i"
        f" JOIN {tables.live_name('edition')} e ON e.edition_id = i.edition_id{join}"
        f" WHERE i.{column} {{IN}}"
    )
    rows = sorted(_rows_where_in(sql, probes), key=lambda row: row[1])
    needs_sibling = {
        work_id
        for _key, _edition, work_id, edition_covers, work_cover_ids in rows
        if work_id is not None and not edition_covers and not work_cover_ids
    }
    siblings = _sibling_covers(needs_sibling) if needs_sibling else {}
    found: dict[str, CoverFound] = {}
    for key, edition_id, work_id, edition_covers, work_cover_ids in rows:
        isbn13 = isbn13_by_key[key]
        if isbn13 in found and found[isbn13].cover_from:
            continue  # an earlier edition of this ISBN already has a cover
        cover_ids, cover_from, sibling_id = cover_step(
            number_list(edition_covers), number_list(work_cover_ids), work_id, siblings
        )
        if isbn13 not in found or cover_from:
            found[isbn13] = CoverFound(edition_id, work_id, cover_ids, cover_from, sibling_id)
    return found


def publish_months_loaded(present: set[str] | None = None) -> bool:
    """Whether the loaded edition table has publication months (a load before they existed
    has not: reload the editions)."""
    present = dump_tables_present() if present is None else present
    return "edition" in present and "publish_month" in tables.live_columns("edition")


# --- title search: works by title, with their authors and their editions' ISBNs --------------

#: Works whose title keys are at least this alike (pg_trgm's similarity, 0-1) are candidates.
#: The matching decides (cascade.is_confident_match: token_sort_ratio >= 90); the titles it
#: accepts were measured >= 0.35 alike by trigrams (up to three typos in the fixtures' real
#: titles), so pg_trgm's own default, 0.3, loses none of them.
TITLE_MIN_SIMILARITY = 0.3
#: Works read by title before they are ranked by author: a common title has many works.
TITLE_POOL = 200
#: Works offered per search, and editions with ISBNs read per work (first published first).
TITLE_MAX_WORKS = 20
TITLE_EDITIONS_PER_WORK = 20
_WORD = re.compile(r"[^\W_]+")


@dataclass(slots=True)
class TitleMatch:
    """A work whose title is alike the asked one, with its authors and editions with ISBNs."""

    work: DumpWork
    similarity: float  # of the title keys, 0-1
    authors: list[DumpAuthor] = field(default_factory=list)
    editions: list[DumpEdition] = field(default_factory=list)  # first published first


def title_search_problem(present: set[str] | None = None) -> str:
    """Why the loaded dump cannot answer title searches (for the skip), or "" when it can."""
    present = dump_tables_present() if present is None else present
    if not {"work", "edition"} <= present:
        return "no works or editions dump loaded"
    index_built = "title_key" in tables.live_columns("work") and (
        tables.is_postgres() or tables.TITLE_SEARCH_TABLE in present
    )
    if not index_built:
        return "the works were loaded before the title index: reload them (--works)"
    if not publish_months_loaded(present):
        return "the editions were loaded by an older version: reload them (--editions)"
    return ""


def works_by_title(*, title: str, author: str, present: set[str] | None = None) -> list[TitleMatch]:
    """Up to TITLE_MAX_WORKS works whose title is alike `title`, those whose authors are most
    alike `author` first, then the most alike titles. The caller checks
    `title_search_problem()` first. Three queries (five with PostgreSQL's threshold)."""
    present = dump_tables_present() if present is None else present
    key = text.normalize_title(title)
    if not key:
        return []
    pool: dict[int, TitleMatch] = {}
    for row in _works_alike(key):
        work = _work(row[:-1])
        similarity = trigram_similarity(key, row[-1] or "")
        if similarity >= TITLE_MIN_SIMILARITY and work.work_id not in pool:
            pool[work.work_id] = TitleMatch(work=work, similarity=similarity)
    if not pool:
        return []
    authors = authors_by_id(
        {i for match in pool.values() for i in match.work.author_ids}, present=present
    )
    wanted = text.normalize_person_name(author)
    for match in pool.values():
        match.authors = [authors[i] for i in match.work.author_ids if i in authors]

    def author_agreement(match: TitleMatch) -> float:
        return max(
            (
                fuzz.token_sort_ratio(wanted, text.normalize_person_name(person.name))
                for person in match.authors
            ),
            default=0.0,
        )

    ranked = sorted(
        pool.values(), key=lambda m: (-author_agreement(m), -m.similarity, m.work.work_id)
    )[:TITLE_MAX_WORKS]
    editions = _first_editions([match.work.work_id for match in ranked])
    for match in ranked:
        match.editions = editions.get(match.work.work_id, [])
    return ranked


def _works_alike(key: str) -> list[tuple]:
    """Rows (the work's columns, then its title key) of up to TITLE_POOL works whose title key
    may be alike `key`: by trigrams on PostgreSQL, sharing all its words on SQLite."""
    columns = f"{_columns('work', 'w')}, w.title_key"
    work_table = tables.live_name("work")
    if tables.is_postgres():
        with trigram_threshold(TITLE_MIN_SIMILARITY) as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {work_table} w WHERE w.title_key %% %s"
                " ORDER BY similarity(w.title_key, %s) DESC, w.work_id LIMIT %s",
                [key, key, TITLE_POOL],
            )
            rows = cursor.fetchall()
        return rows
    words = _WORD.findall(key)
    if not words:
        return []
    search_table = tables.live_name(tables.TITLE_SEARCH_TABLE)
    # Every word, each quoted (a word is never an FTS5 operator); bm25 ranks short titles first.
    query = " ".join(f'"{word}"' for word in words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM (SELECT rowid AS work_id FROM {search_table}"
            f" WHERE {search_table} MATCH %s ORDER BY rank LIMIT %s) found"
            f" JOIN {work_table} w ON w.work_id = found.work_id",
            [query, TITLE_POOL],
        )
        return cursor.fetchall()


def _first_editions(work_ids: list[int]) -> dict[int, list[DumpEdition]]:
    """Up to TITLE_EDITIONS_PER_WORK editions with ISBNs of each work, the first published
    first (undated last, then by edition number): one query."""
    names = read_columns("edition")
    sql = (
        f"SELECT {', '.join(names)} FROM (SELECT {_columns('edition', 'e')},"
        " ROW_NUMBER() OVER (PARTITION BY e.work_id ORDER BY"
        "  COALESCE(e.publish_month, 99999999), e.edition_id) AS place"
        f" FROM {tables.live_name('edition')} e"
        " WHERE e.isbn_keys IS NOT NULL AND e.work_id {IN}) ranked"
        " WHERE place <= %s ORDER BY work_id, place"
    )
    editions: dict[int, list[DumpEdition]] = {}
    for row in _rows_where_in(sql, work_ids, after=[TITLE_EDITIONS_PER_WORK]):
        edition = _edition(row)
        editions.setdefault(edition.work_id or 0, []).append(edition)
    return editions
