"""How the ISBN lookup reads the dump tables (issue 18, goal 4: 1,000 ISBNs in under 50 ms)."""

import pytest
from django.db import connection

from enrichment.dump import isbn_keys, lookup, reader, tables
from tests.enrichment.dump.conftest import REAL_EDITIONS, real_lines

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN = [9780107805401, 9780704325425]  # ISBN-13 keys of two real editions in the fixtures


def test_the_isbn_probes_read_the_index_alone(load_dump, dump_file):
    """The ISBN table's index holds the edition id, so a batch's 2,000 probes never visit the
    table's pages (on a 7-million-row table, half of the lookup's time went there)."""
    load_dump(editions=dump_file(real_lines(REAL_EDITIONS)))
    sql = f"SELECT edition_id FROM {tables.live_name('isbn')} WHERE isbn13 {{IN}}"

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The fixtures' table is tiny: without these the planner reads it whole.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_bitmapscan = off")
            cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                + sql.format(IN="= ANY(%s::bigint[])"),
                [lookup.integer_array(KNOWN)],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_bitmapscan")
            assert "Index Only Scan" in plan
            # The load VACUUMed the table: the visibility map spares every heap visit.
            assert "Heap Fetches: 0" in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql.format(IN="IN (%s, %s)"), KNOWN)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX" in plan


def test_integer_array_is_postgresqls_text_form_and_refuses_anything_else():
    assert lookup.integer_array([9780107805401, 12, 0]) == "{9780107805401,12,0}"
    assert lookup.integer_array([]) == "{}"
    with pytest.raises(ValueError):
        lookup.integer_array(["1}, {2"])  # type: ignore[list-item]


def test_a_dump_loaded_before_isbns_were_kept_as_isbn13_is_still_read(load_dump, dump_file):
    """A table loaded by an earlier version holds each ISBN as the dump listed it (column
    `isbn`, ISBN-10s as such): its lookups probe both forms until the next load."""
    load_dump(editions=dump_file(real_lines(REAL_EDITIONS)))
    isbn_table, edition_table = tables.live_name("isbn"), tables.live_name("edition")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT edition_id, isbn_keys FROM {edition_table}")
        listed = [
            (key, edition_id)
            for edition_id, keys in cursor.fetchall()
            for key in reader.number_list(keys)
        ]
        cursor.execute(f"DELETE FROM {isbn_table}")
        cursor.execute(f"ALTER TABLE {isbn_table} RENAME COLUMN isbn13 TO isbn")
        cursor.executemany(f"INSERT INTO {isbn_table} (isbn, edition_id) VALUES (%s, %s)", listed)

    # /books/OL15248986M lists only the ISBN-10 070432542X: found by its ISBN-13 all the same.
    [match] = lookup.editions_by_isbn(["9780704325425"])["9780704325425"]
    assert match.edition.edition_id == 15248986
    assert lookup.covers_by_isbn(["9780704325425"])["9780704325425"].edition_id == 15248986
    assert (
        lookup.isbn_probes({9780704325425: "9780704325425", 704325420: "9780704325425"})[0]
        == "isbn"
    )


def test_an_edition_listing_only_an_isbn10_is_found_by_one_probe(load_dump, dump_file):
    load_dump(editions=dump_file(real_lines(REAL_EDITIONS)))
    keys = dict.fromkeys(isbn_keys.isbn_keys_for_lookup("9780704325425"), "9780704325425")

    assert lookup.isbn_probes(keys) == ("isbn13", [9780704325425])
    [match] = lookup.editions_by_isbn(["9780704325425"])["9780704325425"]
    assert match.edition.edition_id == 15248986
    assert lookup.covers_by_isbn(["9780704325425"])["9780704325425"].edition_id == 15248986
