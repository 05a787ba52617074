"""The dump tables: their SQL, writing rows into fresh `*_new` tables, and the swap.

These are not Django models (no migration): the loader owns them. Each load writes into
`<table>_new`, builds the indexes afterwards and then, in one transaction, drops the live table
and renames the new one, so lookups keep answering from the old data until the swap commits.

PostgreSQL: rows go in with binary COPY (psycopg 3) into UNLOGGED tables; they stay UNLOGGED
unless the load asks for `logged` (a crash empties an UNLOGGED table: the provider then skips
itself until the next load, and the data is a reload away). SQLite: executemany, one
transaction per block of several thousand rows.

The works' title search: a trigram GIN index on `title_key` on PostgreSQL, an FTS5 table
(`ol_dump_work_title`) on SQLite, both built after the load and swapped in with the work table.
"""

import contextlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

#: Columns of each table, in the order of the row tuples of enrichment.dump.reader.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "edition": (
        ("edition_id", "integer NOT NULL"),
        ("work_id", "integer"),
        ("title", "text"),
        ("subtitle", "text"),
        ("author_ids", "text"),  # JSON array of author numbers (OL123A -> 123)
        ("publisher", "text"),
        ("publish_date", "text"),  # as written: "December 1993", "1994", "2001-05-03"
        ("page_count", "integer"),
        ("language", "text"),  # MARC code: "eng"
        ("physical_format", "text"),
        ("cover_ids", "text"),  # JSON array of positive cover ids
        ("isbn_keys", "text"),  # JSON array of ISBN keys (see isbn_keys.isbn_key)
        # publish_date as YYYYMM (YYYY00: the year alone), NULL without a year: the backfill's
        # "first published in a month" (enrichment.publication_dates.publish_month)
        ("publish_month", "integer"),
        # JSON object: the edition's series, contributions, contributors, pagination and places
        # as written (reader.catalogue_text), NULL without any
        ("catalogue_fields", "text"),
    ),
    "isbn": (
        # Every valid ISBN an edition lists, as its ISBN-13 (isbn_keys.isbn_table_rows): one probe
        # an ISBN. A table loaded before holds `isbn` instead, each ISBN as listed (13 or 10).
        ("isbn13", "bigint NOT NULL"),
        ("edition_id", "integer NOT NULL"),
    ),
    "work": (
        ("work_id", "integer NOT NULL"),
        ("title", "text"),
        ("subtitle", "text"),
        ("author_ids", "text"),
        ("cover_ids", "text"),
        ("subjects", "text"),  # JSON array of strings
        ("first_publish_date", "text"),
        ("description", "text"),
        ("title_key", "text"),  # catalog.text.normalize_title(title): the title search's key
    ),
    "author": (
        ("author_id", "integer NOT NULL"),
        ("name", "text"),
        ("birth_date", "text"),
        ("death_date", "text"),
        ("remote_ids", "text"),  # JSON object: {"wikidata": "Q42", "viaf": "..."}
    ),
}
#: Indexes built after the load. Not unique: a key the dump repeats must not fail a load.
INDEXES: dict[str, tuple[tuple[str, str], ...]] = {
    "edition": (
        ("edition_id", "(edition_id)"),
        # Only editions with a cover can lend one to a sibling: a small partial index.
        ("work_cover", "(work_id) WHERE cover_ids IS NOT NULL"),
        # The backfill: a month's editions, then each of their works' earlier editions and count.
        ("month_work", "(publish_month, work_id)"),
        ("work_month", "(work_id, publish_month)"),
    ),
    # With the edition id in the index, the lookups' ISBN probes never read the table (an
    # index-only scan: the load VACUUMs the table, for PostgreSQL's visibility map).
    "isbn": (("isbn13", "(isbn13, edition_id)"),),
    "work": (("work_id", "(work_id)"),),
    "author": (("author_id", "(author_id)"),),
}
#: Tables the lookups read by index alone (PostgreSQL's index-only scans): VACUUMed after a load.
INDEX_ONLY_TABLES = ("isbn",)
#: Columns added after the first release: a table loaded before lacks them until the next load,
#: so reads that can do without them (the ISBN lookups) never name them.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "edition": ("publish_month", "catalogue_fields"),
    "work": ("title_key",),
}
#: PostgreSQL only: trigram search on the works' title keys (pg_trgm, catalog migration 0014).
POSTGRES_INDEXES: dict[str, tuple[tuple[str, str], ...]] = {
    "work": (("title_trgm", "USING gin (title_key gin_trgm_ops)"),),
}
#: SQLite only: an FTS5 table of the works' title keys (rowid = work_id), built after a works
#: load into its `*_new` name and swapped with the work table.
TITLE_SEARCH_TABLE = "work_title"
TABLES_BY_KIND = {"edition": ("edition", "isbn"), "work": ("work",), "author": ("author",)}
META_TABLE = "ol_dump_meta"
META_DDL = (
    f"CREATE TABLE IF NOT EXISTS {META_TABLE} ("
    " kind varchar(16) PRIMARY KEY, source_path text NOT NULL, file_bytes bigint NOT NULL,"
    " file_mtime double precision NOT NULL, bytes_read bigint NOT NULL, lines bigint NOT NULL,"
    " rows_json text NOT NULL, bad_lines bigint NOT NULL, bad_json text NOT NULL,"
    " loaded_at varchar(40) NOT NULL, seconds double precision NOT NULL)"
)


class LoadRunning(Exception):
    """Another load holds the tables: two loads would drop each other's new tables."""


#: pg_advisory_lock key of the loader: "oldump" as a number.
LOAD_LOCK_KEY = int.from_bytes(b"oldump", "big")


@contextlib.contextmanager
def load_lock():
    """One load at a time. PostgreSQL: a session advisory lock, released however the load
    ends (a crashed loader's lock goes with its connection). SQLite writes one at a time."""
    if not is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOAD_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise LoadRunning("Another load_openlibrary_dump is running on this database.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOAD_LOCK_KEY])


def live_name(table: str) -> str:
    return f"ol_dump_{table}"


def new_name(table: str) -> str:
    return f"ol_dump_{table}_new"


def index_name(table: str, index: str, *, new: bool) -> str:
    return f"{new_name(table) if new else live_name(table)}_{index}_idx"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _execute(statements: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def existing_tables() -> set[str]:
    """The dump tables (live and new) present in the database; not the shadow tables of the
    FTS5 title table (`…_data`, `…_idx`…), which come and go with it."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename LIKE 'ol\\_dump\\_%%'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ol_dump_%'"
            )
        names = {name for (name,) in cursor.fetchall()}
    search = {live_name(TITLE_SEARCH_TABLE), new_name(TITLE_SEARCH_TABLE)}
    shadows = {
        name for name in names - search if name.startswith(f"{live_name(TITLE_SEARCH_TABLE)}_")
    }
    return names - shadows


def live_columns(table: str) -> set[str]:
    """The column names of a live dump table as loaded (the caller knows that it exists)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {live_name(table)} LIMIT 0")  # no row: just the names
        return {column[0] for column in cursor.description}


def create_new_tables(kind: str) -> None:
    """Fresh, empty `*_new` tables for one kind (a leftover from a failed load is dropped)."""
    postgres = is_postgres()
    unlogged = "UNLOGGED " if postgres else ""
    # No autovacuum while millions of rows arrive (it would scan the table beside the load);
    # the load runs ANALYZE itself and the swap turns autovacuum back on.
    options = " WITH (autovacuum_enabled = false)" if postgres else ""
    statements = [f"DROP TABLE IF EXISTS {new_name(table)}" for table in _search_tables(kind)]
    for table in TABLES_BY_KIND[kind]:
        columns = ", ".join(f"{name} {kind_sql}" for name, kind_sql in COLUMNS[table])
        statements.append(f"DROP TABLE IF EXISTS {new_name(table)}")
        statements.append(f"CREATE {unlogged}TABLE {new_name(table)} ({columns}){options}")
    _execute(statements)


def drop_new_tables(kind: str) -> None:
    _execute(
        f"DROP TABLE IF EXISTS {new_name(table)}"
        for table in (*TABLES_BY_KIND[kind], *_search_tables(kind))
    )


def _search_tables(kind: str) -> tuple[str, ...]:
    """The kind's full-text tables beside its own: SQLite's FTS5 title table for works."""
    return (TITLE_SEARCH_TABLE,) if kind == "work" and not is_postgres() else ()


def table_indexes(table: str, *, postgres: bool) -> tuple[tuple[str, str], ...]:
    """The indexes a table gets after a load on this database: (name, definition)."""
    return INDEXES[table] + (POSTGRES_INDEXES.get(table, ()) if postgres else ())


def build_title_search_table() -> None:
    """SQLite: the FTS5 table of the new works' title keys (rowid = work_id; a work the dump
    repeats: once). Contentless: the words are matched, the rows read from the work table."""
    search_table, work_table = new_name(TITLE_SEARCH_TABLE), new_name("work")
    with transaction.atomic():
        _execute(
            [
                f"CREATE VIRTUAL TABLE {search_table} USING fts5(title_key, content='')",
                f"INSERT INTO {search_table} (rowid, title_key) SELECT work_id, MIN(title_key)"
                f" FROM {work_table} WHERE title_key IS NOT NULL GROUP BY work_id",
            ]
        )


def build_indexes(kind: str, *, logged: bool = False) -> None:
    """Indexes on the new tables, after the load (much faster than maintaining them row by
    row); then statistics for the planner. On SQLite they are built by the swap instead, and
    only the works' FTS5 title table is built here (a virtual table can be renamed)."""
    if not is_postgres():
        if kind == "work":
            build_title_search_table()
        return
    statements = []
    if any(table in POSTGRES_INDEXES for table in TABLES_BY_KIND[kind]):
        # Catalog migration 0014 creates it; a database the migrations never ran on (a bench's)
        # gets it here (a trusted extension: the database's owner may create it).
        statements.append("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES_BY_KIND[kind]:
        if logged:
            statements.append(f"ALTER TABLE {new_name(table)} SET LOGGED")
        for index, definition in table_indexes(table, postgres=True):
            name = index_name(table, index, new=True)
            statements.append(f"CREATE INDEX {name} ON {new_name(table)} {definition}")
        # VACUUM also marks the pages all-visible, which index-only scans need (ANALYZE
        # does not); worth its scan only where the lookups read the index alone.
        analyze = "VACUUM (ANALYZE)" if table in INDEX_ONLY_TABLES else "ANALYZE"
        statements.append(f"{analyze} {new_name(table)}")
    with connection.cursor() as cursor:
        # The defaults (64 MB) make a 40-million-row index sort spill to disk.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")


@dataclass(frozen=True, slots=True)
class LoadRecord:
    """What a swap records in ol_dump_meta for one kind."""

    kind: str
    source_path: str
    file_bytes: int
    file_mtime: float
    bytes_read: int
    lines: int
    rows: dict[str, int]
    bad: dict[str, int]
    seconds: float


def swap_in(record: LoadRecord) -> None:
    """In one transaction: drop the live tables of the kind, rename the new ones, record it.

    Readers keep the old tables until this commits (PostgreSQL takes its locks here only;
    SQLite's readers in WAL mode read the old snapshot meanwhile).
    """
    postgres = is_postgres()
    statements = [META_DDL]
    if postgres:
        statements.append("SET LOCAL lock_timeout = '60s'")  # behind a long query: fail, not hang
    for table in TABLES_BY_KIND[record.kind]:
        statements.append(f"DROP TABLE IF EXISTS {live_name(table)}")
        statements.append(f"ALTER TABLE {new_name(table)} RENAME TO {live_name(table)}")
        if postgres:
            statements.append(f"ALTER TABLE {live_name(table)} RESET (autovacuum_enabled)")
        for index, definition in table_indexes(table, postgres=postgres):
            if postgres:
                statements.append(
                    f"ALTER INDEX {index_name(table, index, new=True)}"
                    f" RENAME TO {index_name(table, index, new=False)}"
                )
            else:  # SQLite cannot rename an index: build it here, inside the swap
                statements.append(
                    f"CREATE INDEX {index_name(table, index, new=False)}"
                    f" ON {live_name(table)} {definition}"
                )
        if not postgres:
            statements.append(f"ANALYZE {live_name(table)}")
    for table in _search_tables(record.kind):
        statements.append(f"DROP TABLE IF EXISTS {live_name(table)}")
        statements.append(f"ALTER TABLE {new_name(table)} RENAME TO {live_name(table)}")
    with transaction.atomic():
        _execute(statements)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {META_TABLE} WHERE kind = %s", [record.kind])
            cursor.execute(
                f"INSERT INTO {META_TABLE} (kind, source_path, file_bytes, file_mtime,"
                " bytes_read, lines, rows_json, bad_lines, bad_json, loaded_at, seconds)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    record.kind,
                    record.source_path,
                    record.file_bytes,
                    record.file_mtime,
                    record.bytes_read,
                    record.lines,
                    json.dumps(record.rows),
                    sum(record.bad.values()),
                    json.dumps(record.bad),
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    record.seconds,
                ],
            )


def load_records() -> dict[str, dict]:
    """What ol_dump_meta says was loaded, by kind ({} before the first load)."""
    if META_TABLE not in existing_tables():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, source_path, file_bytes, file_mtime, bytes_read, lines, rows_json,"
            f" bad_lines, bad_json, loaded_at, seconds FROM {META_TABLE}"
        )
        names = [column[0] for column in cursor.description]
        records = {}
        for values in cursor.fetchall():
            record = dict(zip(names, values, strict=True))
            record["rows"] = json.loads(record.pop("rows_json"))
            record["bad"] = json.loads(record.pop("bad_json"))
            records[record["kind"]] = record
        return records


# --- writing rows -------------------------------------------------------------------------------


def copy_params() -> dict:
    """Connection arguments for extra psycopg connections to the same database as Django's
    (COPY runs on its own connections: one per table, in worker processes too)."""
    params = connection.get_connection_params()
    for unpicklable in ("cursor_factory", "context"):
        params.pop(unpicklable, None)
    return params


# COPY in binary: psycopg packs each value in C and PostgreSQL skips parsing text; measured
# against the text format, 40 % less client time and 20 % less server time per edition row.
BINARY_TYPES = {"integer NOT NULL": "int4", "integer": "int4", "bigint NOT NULL": "int8"}


class PostgresCopyWriter:
    """COPY (binary) streams into the new tables of one kind, one connection per table."""

    def __init__(self, params: dict, kind: str):
        import psycopg

        self.connections = []
        self.write_rows = {}
        self._contexts = []
        try:
            for table in TABLES_BY_KIND[kind]:
                conn = psycopg.connect(**params)
                self.connections.append(conn)
                columns = ", ".join(name for name, _ in COLUMNS[table])
                context = conn.cursor().copy(
                    f"COPY {new_name(table)} ({columns}) FROM STDIN (FORMAT BINARY)"
                )
                copy = context.__enter__()
                self._contexts.append(context)
                copy.set_types([BINARY_TYPES.get(sql, "text") for _, sql in COLUMNS[table]])
                self.write_rows[table] = copy.write_row
        except BaseException:
            self.abort()
            raise

    def write(self, rows: Mapping[str, Sequence[tuple]]) -> None:
        for table, table_rows in rows.items():
            write_row = self.write_rows[table]
            for row in table_rows:
                write_row(row)

    def finish(self) -> None:
        for context in self._contexts:
            context.__exit__(None, None, None)
        for conn in self.connections:
            conn.commit()
            conn.close()

    def abort(self) -> None:
        """Close without committing: PostgreSQL rolls the COPY back."""
        for conn in self.connections:
            conn.close()


class SqliteWriter:
    """executemany into the new tables, one transaction per block of several thousand rows."""

    def __init__(self, kind: str):
        self.statements = {}
        for table in TABLES_BY_KIND[kind]:
            names = [name for name, _ in COLUMNS[table]]
            placeholders = ", ".join(["%s"] * len(names))
            self.statements[table] = (
                f"INSERT INTO {new_name(table)} ({', '.join(names)}) VALUES ({placeholders})"
            )

    def write(self, rows: Mapping[str, Sequence[tuple]]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table, table_rows in rows.items():
                if table_rows:
                    cursor.executemany(self.statements[table], table_rows)

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass
