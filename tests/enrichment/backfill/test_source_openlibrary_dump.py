"""The Open Library dump as a backfill source: works first published in a month, by editions.

Real dump lines (tests/fixtures/openlibrary_dump/booklink_*, see PROVENANCE.md) loaded with the
real loader, and a few synthetic lines built below (keys OL98000001M... and 979-0 ISBNs, which
no book has) where the real slices hold no such case.
"""

import json
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.isbn import isbn10_check_digit, isbn13_check_digit
from enrichment.backfill.sources.openlibrary_dump import OpenLibraryDumpSource
from enrichment.dump import first_published, lookup, reader, tables
from enrichment.publication_dates import first_published_in
from tests.enrichment.dump.conftest import (
    REAL_AUTHORS,
    REAL_EDITIONS,
    REAL_WORKS,
    fixture_path,
    real_lines,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def load(tmp_path):
    """Load dump lines with the real loader (manage.py load_openlibrary_dump); the tables are
    raw SQL outside Django's flush: dropped afterwards."""

    def load_lines(*, editions: bytes, works: bytes = b"", authors: bytes = b"") -> None:
        args = []
        for kind, data in (("editions", editions), ("works", works), ("authors", authors)):
            if data:
                path = tmp_path / f"{kind}.txt"
                path.write_bytes(data)
                args += [f"--{kind}", str(path)]
        call_command("load_openlibrary_dump", *args, "--workers", "0", "--json", stdout=StringIO())

    yield load_lines
    with connection.cursor() as cursor:
        for name in tables.existing_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def dump_line(kind: str, key: str, document: dict) -> bytes:
    document = {"key": key, "type": {"key": f"/type/{kind}"}, **document}
    return (
        "\t".join([f"/type/{kind}", key, "1", "2020-01-01T00:00:00.000000", json.dumps(document)])
        + "\n"
    ).encode()


def synthetic_isbn13(number: int) -> str:
    first12 = f"97900{number:07d}"
    return first12 + isbn13_check_digit(first12)


def synthetic_edition(number: int, *, work: int, date: str, **fields) -> bytes:
    document = {"title": f"Synthetic edition {number}", "works": [{"key": f"/works/OL{work}W"}]}
    if date:
        document["publish_date"] = date
    return dump_line("edition", f"/books/OL{number}M", {**document, **fields})


def discover(year: int, month: int, limit: int = 20):
    return OpenLibraryDumpSource().discover(year=year, month=month, limit=limit)


def test_the_months_works_come_ranked_by_their_number_of_editions(load):
    load(editions=real_lines(REAL_EDITIONS))

    answer = discover(1995, 2, limit=3)

    assert (answer.error, answer.calls) == ("", 0)
    assert [(b.openlibrary_work_key, b.edition_count) for b in answer.books] == [
        ("OL14903412W", 2),  # House of Commons Official Report: February 1995, April 1998
        ("OL14903198W", 1),
    ]
    first = answer.books[0]
    # The works dump slice does not hold these works: the month's edition names the book.
    assert first.title.startswith("House of Commons Official Report")
    assert (first.source, first.year, first.month) == ("openlibrary_dump", 1995, 2)
    # The ISBN-13 of the February 1995 edition (OL9997125M) first, then the later edition's.
    assert first.isbns == ["9780106038954", "9780106150984"]
    assert first.extra == {
        "openlibrary_edition_key": "OL9997125M",
        "publish_date": "February 27, 1995",
    }


def test_december_31_is_the_year_alone_so_no_work_is_first_published_in_december(load):
    # Open Library's "December 31, <year>" stands for the year (publication_dates): UK
    # Continental Shelf Oil Well Records (OL14903691W), first dated "December 31, 1985" of its
    # 15 editions, is in no month, and none of 1992's 28 such editions makes a December.
    load(editions=real_lines(REAL_EDITIONS))

    assert discover(1985, 12).books == []
    assert discover(1992, 12).books == []
    # A year alone of an earlier year is earlier: "December 31, 1989" keeps OL14903497W (London
    # Gazette) out of May 1994, its first edition with a real day.
    assert "OL14903497W" not in {b.openlibrary_work_key for b in discover(1994, 5).books}


def test_a_work_with_an_earlier_edition_belongs_to_the_earlier_month(load):
    load(editions=real_lines(REAL_EDITIONS))

    # OL14903239W, "Access to Justice Bill [H.L.]": editions of July 2 and February 4, 1999.
    july = discover(1999, 7)
    february = discover(1999, 2)

    assert [b.openlibrary_work_key for b in july.books] == []
    assert [(b.openlibrary_work_key, b.edition_count) for b in february.books] == [
        ("OL14903239W", 2),
        ("OL14902588W", 1),
    ]
    assert february.books[0].isbns == ["9780108383519", "9780108380723"]  # February's first


def test_a_year_alone_of_the_same_year_is_not_earlier_one_of_an_earlier_year_is(load):
    # Synthetic lines: the real slices hold no work with a year-only edition beside a dated one.
    isbn10 = "999980001" + isbn10_check_digit("999980001")
    editions = b"".join(
        [
            # Its "2001" edition may be from any month of 2001: March 2001 is its first known.
            synthetic_edition(98000001, work=98000001, date="2001", isbn_13=[synthetic_isbn13(1)]),
            synthetic_edition(98000002, work=98000001, date="March 12, 2001", isbn_10=[isbn10]),
            # A "2000" edition is earlier than March 2001 whatever its month.
            synthetic_edition(98000003, work=98000002, date="2000"),
            synthetic_edition(98000004, work=98000002, date="March 2001"),
            # A January 2001 edition is earlier.
            synthetic_edition(98000005, work=98000003, date="2001-01-15"),
            synthetic_edition(98000006, work=98000003, date="March 2001"),
            # No date and a date that names no year say nothing; three editions rank it first.
            synthetic_edition(98000007, work=98000004, date="March 3, 2001", title="Dated"),
            synthetic_edition(98000008, work=98000004, date=""),
            synthetic_edition(98000009, work=98000004, date="n.d."),
        ]
    )
    works = dump_line(
        "work",
        "/works/OL98000001W",
        {
            "title": "Synthetic work with a record",
            "authors": [{"author": {"key": "/authors/OL98000001A"}}],
            "subjects": ["Synthetic fiction", "Accessible book", "Synthetic fiction"],
            "description": {"type": "/type/text", "value": "A synthetic description."},
        },
    )
    authors = dump_line("author", "/authors/OL98000001A", {"name": "Synthetic Author"})
    load(editions=editions, works=works, authors=authors)

    answer = discover(2001, 3)

    assert [(b.openlibrary_work_key, b.edition_count) for b in answer.books] == [
        ("OL98000004W", 3),
        ("OL98000001W", 2),
    ]
    undated, recorded = answer.books
    assert (undated.title, undated.authors, undated.genres) == ("Dated", [], [])
    assert recorded.title == "Synthetic work with a record"
    assert recorded.authors == ["Synthetic Author"]
    assert recorded.genres == ["Synthetic fiction"]  # a lending flag is no genre
    assert recorded.description == "A synthetic description."
    # The March edition's ISBN-10, as an ISBN-13, before the year-only edition's ISBN-13.
    march_isbn13 = "978" + isbn10[:9] + isbn13_check_digit("978" + isbn10[:9])
    assert recorded.isbns == [march_isbn13, synthetic_isbn13(1)]


def test_a_works_isbns_are_capped(load):
    editions = b"".join(
        synthetic_edition(98000100 + n, work=98000100, date="May 2010", isbn_13=[isbn13])
        for n, isbn13 in enumerate(synthetic_isbn13(100 + n) for n in range(25))
    )
    load(editions=editions)

    [book] = discover(2010, 5).books

    assert book.edition_count == 25
    assert book.isbns == [synthetic_isbn13(100 + n) for n in range(20)]


def test_the_sql_agrees_with_the_first_published_rule_for_every_month(load):
    load(editions=real_lines(REAL_EDITIONS))
    months_by_work = defaultdict(list)
    for name in REAL_EDITIONS:
        _, blocks = reader.read_dump(fixture_path(name), "edition")
        for block in blocks:
            for row in block.rows["edition"]:
                if row[1] is not None:
                    months_by_work[row[1]].append(row[12])
    months = {m for values in months_by_work.values() for m in values if m and m % 100}
    assert len(months) > 50

    for target in sorted(months):
        year, month = divmod(target, 100)
        expected = sorted(
            (
                (-len(values), work_id)
                for work_id, values in months_by_work.items()
                if first_published_in(values, year=year, month=month)
            )
        )
        found = first_published.works_first_published(year=year, month=month, limit=1000)
        assert [(-w.edition_count, w.work_id) for w in found] == expected, target


def test_a_few_queries_a_month_whatever_it_holds(load):
    load(
        editions=real_lines(REAL_EDITIONS),
        works=real_lines(REAL_WORKS),
        authors=real_lines(REAL_AUTHORS),
    )

    counts = {}
    for year, month in ((1997, 10), (1995, 2), (1970, 1)):  # 4 works, 2 works, none
        with CaptureQueriesContext(connection) as queries:
            discover(year, month)
        counts[year] = len(queries)

    # Tables, columns, the month's works, their records, editions and authors (PostgreSQL adds
    # a savepoint, its release and the month query's setting): the same for 4 works as for 2.
    assert counts[1997] == counts[1995] <= 9 and counts[1970] < counts[1995], counts


def test_a_dump_loaded_before_publication_months_asks_for_a_reload(load):
    load(editions=real_lines(REAL_EDITIONS))
    # The edition table as a load by the previous version left it: no publish_month column.
    old_columns = ", ".join(lookup.read_columns("edition"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE ol_dump_edition_old AS SELECT {old_columns} FROM ol_dump_edition"
        )
        cursor.execute("DROP TABLE ol_dump_edition")
        cursor.execute("ALTER TABLE ol_dump_edition_old RENAME TO ol_dump_edition")

    answer = discover(1985, 12)

    assert answer.books == [] and answer.calls == 0
    assert "older version" in answer.error and "load_openlibrary_dump" in answer.error
    # The ISBN lookups still read that table.
    [match] = lookup.editions_by_isbn(["9780107805401"])["9780107805401"]
    assert match.edition.edition_id == 10000135


def test_no_dump_loaded_is_an_error_not_an_exception():
    answer = discover(1985, 12)

    assert answer.books == [] and answer.calls == 0
    assert "No Open Library dump is loaded" in answer.error
