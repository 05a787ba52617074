"""The database's biggest tables and their size on disk, indexes included, so that an operator
sees growth: PostgreSQL's `pg_total_relation_size`; SQLite's `dbstat` virtual table where the
build has it (this one does: SQLITE_ENABLE_DBSTAT_VTAB), else only the file's size.

Reading `dbstat` walks every page of the file (seconds on a large catalog), so the sizes are
measured by the daily housekeeping (enrichment.housekeeping) and kept in a DashboardSnapshot,
which the dashboard reads and dates."""

from django.db import OperationalError, connection
from django.utils import timezone

from enrichment.models import DashboardSnapshot

#: The snapshot row the sizes are kept in, and their shape.
SNAPSHOT_KEY = "table_sizes"
SIZES_VERSION = 1
#: How many tables the dashboard lists.
BIGGEST = 8

POSTGRES_SIZES = """
    SELECT c.relname, pg_total_relation_size(c.oid) AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = current_schema()
    ORDER BY bytes DESC, c.relname LIMIT %s
"""
# Each b-tree's pages (aggregate=TRUE: one row per table or index) counted under its table.
SQLITE_SIZES = """
    SELECT m.tbl_name, SUM(s.pgsize) AS bytes
    FROM dbstat AS s JOIN sqlite_master AS m ON m.name = s.name
    WHERE s.aggregate = 1
    GROUP BY m.tbl_name ORDER BY bytes DESC, m.tbl_name LIMIT %s
"""


def table_sizes_measure(*, limit: int = BIGGEST) -> dict:
    """The `limit` biggest tables as [name, bytes] and the whole database's bytes, as plain
    JSON; `available` is false (with the reason) when the database cannot tell per table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
            cursor.execute(POSTGRES_SIZES, [limit])
            return _sizes(cursor.fetchall(), database_bytes=database_bytes)
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        database_bytes = pages * cursor.fetchone()[0]
        try:
            cursor.execute(SQLITE_SIZES, [limit])
        except OperationalError:  # no such table: dbstat (a build without it)
            return {**_sizes([], database_bytes=database_bytes), "available": False}
        return _sizes(cursor.fetchall(), database_bytes=database_bytes)


def _sizes(rows, *, database_bytes: int) -> dict:
    return {
        "version": SIZES_VERSION,
        "vendor": connection.vendor,
        "available": True,
        "tables": [[name, int(size)] for name, size in rows],
        "database_bytes": int(database_bytes),
    }


def table_sizes_refresh() -> DashboardSnapshot:
    """Measure the sizes now and keep them (the daily housekeeping, `manage.py housekeeping`)."""
    started = timezone.now()
    sizes = table_sizes_measure()
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        key=SNAPSHOT_KEY,
        defaults={
            "figures": sizes,
            "computed_at": started,
            "duration_ms": round((timezone.now() - started).total_seconds() * 1000),
        },
    )
    return snapshot


def table_sizes_kept() -> DashboardSnapshot | None:
    """The last measured sizes (one query), or None when none were measured in this shape."""
    snapshot = DashboardSnapshot.objects.filter(key=SNAPSHOT_KEY).first()
    if snapshot is None or snapshot.figures.get("version") != SIZES_VERSION:
        return None
    return snapshot
