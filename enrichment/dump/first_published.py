"""The backfill's read of the dump: the works first published in a month
(`works_first_published`), a few queries whatever the dump's size, on the edition table's
(publish_month, work_id) and (work_id, publish_month) indexes.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction

from enrichment.dump import tables
from enrichment.dump.lookup import (
    DumpAuthor,
    DumpEdition,
    DumpWork,
    _columns,
    _edition,
    _rows_where_in,
    _work,
    authors_by_id,
    dump_tables_present,
    read_columns,
)

#: Editions read per work found (the month's first): enough for a work's first ISBNs.
EDITIONS_PER_MONTH_WORK = 20


@dataclass(slots=True)
class MonthWork:
    """A work first published in the asked month, with what the backfill says of it."""

    work_id: int
    edition_count: int  # all its editions in the dump: the notability figure
    work: DumpWork | None  # None when the works dump lacks it (or is not loaded)
    # Its editions, the month's first (those with ISBNs before those without), then by date.
    editions: list[DumpEdition] = field(default_factory=list)
    authors: list[DumpAuthor] = field(default_factory=list)  # the work's, else its editions'


def works_first_published(
    *, year: int, month: int, limit: int, present: set[str] | None = None
) -> list[MonthWork]:
    """The `limit` works first published in `month` of `year`, most editions first (ties: the
    lower work number), each with its record, editions and authors. Four queries at most.

    "First published in the month" is `enrichment.publication_dates.first_published_in` in
    SQL: an edition of the work is dated that month and none is dated earlier, a year-only
    date of the same year (YYYY00) not counting as earlier. The caller checks that the edition
    table has its publish_month column (`publish_months_loaded`).
    """
    present = dump_tables_present() if present is None else present
    if "edition" not in present or limit <= 0:
        return []
    edition_table = tables.live_name("edition")
    target, same_year = year * 100 + month, year * 100
    postgres = tables.is_postgres()
    # SQLite: no transaction (this project's SQLite begins them IMMEDIATE, a write lock).
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        if postgres:
            # Compiling this query (JIT) cost more than running it: 514 of 778 ms, measured.
            cursor.execute("SET LOCAL jit = off")
        # The month's works (the (publish_month, work_id) index), then per work one probe for an
        # earlier edition and one count (the (work_id, publish_month) index). The probe is a
        # scalar subquery, not NOT EXISTS: PostgreSQL turns NOT EXISTS into an anti join that
        # reads every earlier edition of the dump (measured: 472,000 rows of 1.2 M for one month).
        cursor.execute(
            f"SELECT m.work_id, (SELECT count(*) FROM {edition_table} c"
            "  WHERE c.work_id = m.work_id) AS edition_count"
            f" FROM (SELECT DISTINCT work_id FROM {edition_table}"
            "  WHERE publish_month = %s AND work_id IS NOT NULL) m"
            f" WHERE (SELECT 1 FROM {edition_table} x WHERE x.work_id = m.work_id"
            "  AND x.publish_month < %s AND x.publish_month <> %s LIMIT 1) IS NULL"
            " ORDER BY edition_count DESC, m.work_id LIMIT %s",
            [target, target, same_year, limit],
        )
        ranked = cursor.fetchall()
    if not ranked:
        return []
    work_ids = [work_id for work_id, _ in ranked]
    works: dict[int, DumpWork] = {}
    if "work" in present:
        sql = f"SELECT {_columns('work', 'w')} FROM {tables.live_name('work')} w"
        for row in _rows_where_in(sql + " WHERE w.work_id {IN}", work_ids):
            works.setdefault(row[0], _work(row))  # a key the dump repeats: the first
    editions = _month_work_editions(work_ids, target=target)
    author_ids: list[int] = []
    for work_id in work_ids:
        author_ids.extend(_work_author_ids(works.get(work_id), editions.get(work_id, [])))
    authors = authors_by_id(author_ids, present=present)
    found = []
    for work_id, edition_count in ranked:
        work_editions = editions.get(work_id, [])
        ids = _work_author_ids(works.get(work_id), work_editions)
        found.append(
            MonthWork(
                work_id=work_id,
                edition_count=edition_count,
                work=works.get(work_id),
                editions=work_editions,
                authors=[authors[i] for i in ids if i in authors],
            )
        )
    return found


def _work_author_ids(work: DumpWork | None, editions: list[DumpEdition]) -> list[int]:
    """The work's authors, else those of its first edition that names any."""
    if work and work.author_ids:
        return work.author_ids
    return next((edition.author_ids for edition in editions if edition.author_ids), [])


def _month_work_editions(work_ids: list[int], *, target: int) -> dict[int, list[DumpEdition]]:
    """Up to EDITIONS_PER_MONTH_WORK editions of each work: those dated `target` first (with
    ISBNs before without), then the rest by date (undated last), then by edition number."""
    edition_table = tables.live_name("edition")
    names = read_columns("edition")
    sql = (
        f"SELECT {', '.join(names)} FROM (SELECT {_columns('edition', 'e')},"
        " ROW_NUMBER() OVER (PARTITION BY e.work_id ORDER BY"
        "  CASE WHEN e.publish_month = %s THEN 0 ELSE 1 END,"
        "  CASE WHEN e.isbn_keys IS NULL THEN 1 ELSE 0 END,"
        "  COALESCE(e.publish_month, 99999999), e.edition_id) AS place"
        f" FROM {edition_table} e WHERE e.work_id {{IN}}) ranked"
        " WHERE place <= %s ORDER BY work_id, place"
    )
    editions: dict[int, list[DumpEdition]] = {}
    for row in _rows_where_in(sql, work_ids, before=[target], after=[EDITIONS_PER_MONTH_WORK]):
        edition = _edition(row)
        editions.setdefault(edition.work_id or 0, []).append(edition)
    return editions
