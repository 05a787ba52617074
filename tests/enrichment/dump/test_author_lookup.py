"""The dump's authors table as an author source: real dump lines loaded with
`load_openlibrary_dump --authors`, looked up by key in one query and read by the same parser as
Open Library's author API (a dump line's JSON is the record the API serves)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrichment.candidates import LookupStatus
from enrichment.dump import lookup, tables
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from tests.enrichment.dump.conftest import REAL_AUTHORS, fixture_path, real_lines

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authors_loaded(load_dump, dump_file):
    """The 357 real author lines of the fixtures, in one authors dump."""
    return load_dump(authors=dump_file(real_lines(REAL_AUTHORS)))


def api_record(key: str) -> dict:
    """The JSON column of the real dump line for `key`: what /authors/{key}.json serves."""
    for name in REAL_AUTHORS:
        for line in fixture_path(name).read_text().splitlines():
            columns = line.split("\t", 4)
            if columns[1] == f"/authors/{key}":
                return json.loads(columns[4])
    raise LookupError(key)


def author_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if tables.live_name("author") in q["sql"]]


def test_authors_from_the_dump_read_as_the_api_reads_the_same_records(authors_loaded, http):
    dump = OpenLibraryDumpProvider()

    results = dump.authors(["OL118077A", "/authors/OL100450A", "OL1A", "Orwell"])

    assert {key: r.status for key, r in results.items()} == {
        "Orwell": LookupStatus.NOT_FOUND,  # not an author key
        "OL118077A": LookupStatus.FOUND,
        "OL100450A": LookupStatus.FOUND,
        "OL1A": LookupStatus.NOT_FOUND,  # not in these lines
    }
    [orwell] = results["OL118077A"].candidates
    [online] = OpenLibraryProvider().parse_author_record(api_record("OL118077A"))
    assert orwell.provider == "openlibrary_dump"
    for name in ("name", "provider_ids", "birth_date", "birth_year", "death_date", "death_year"):
        assert getattr(orwell, name) == getattr(online, name), name
    assert orwell.provider_ids == {
        "openlibrary_author": "OL118077A",
        "viaf": "95155403",
        "wikidata": "Q3335",
    }
    assert (orwell.birth_year, orwell.death_year) == (1903, 1950)
    assert orwell.source_url == "https://openlibrary.org/authors/OL118077A"
    # The table keeps no bio, photos or alternate names: the online record has them.
    assert online.bio and online.photos and online.alternate_names
    assert (orwell.bio, orwell.photos, orwell.alternate_names) == ("", [], [])
    [muzakar] = results["OL100450A"].candidates
    assert (muzakar.name, muzakar.birth_year, muzakar.death_year) == (
        "Abdul Kahar Muzakar",
        1921,
        1965,
    )
    assert len(http.calls) == 0  # a local table: no request


def test_a_batch_of_authors_is_one_query(authors_loaded):
    keys = [f"OL{number}A" for number in range(100_000, 100_500)] + ["OL118077A"]

    with CaptureQueriesContext(connection) as captured:
        results = OpenLibraryDumpProvider().authors(keys)

    assert len(author_queries(captured)) == 1  # 501 keys: one query (SQLite slices at 900)
    assert results["OL118077A"].status == LookupStatus.FOUND
    found = [key for key, r in results.items() if r.status == LookupStatus.FOUND]
    # The real lines whose keys fall in the range, and Orwell.
    assert found == ["OL100029A", "OL100223A", "OL100304A", "OL100450A", "OL118077A"]


def test_the_isbn_lookup_and_the_author_lookup_share_one_query_rule(authors_loaded):
    rows = lookup.authors_by_id([118077, 100450, 1])

    assert sorted(rows) == [100450, 118077]
    assert rows[118077].remote_ids == {"viaf": "95155403", "wikidata": "Q3335"}


def test_before_the_authors_are_loaded_the_dump_is_not_configured_for_them(load_dump):
    load_dump(editions=fixture_path("synthetic-editions.txt"))  # editions only

    results = OpenLibraryDumpProvider().authors(["OL118077A"])

    assert results["OL118077A"].status == LookupStatus.NOT_CONFIGURED
    assert lookup.authors_by_id([118077]) == {}
