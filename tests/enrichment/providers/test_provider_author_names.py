"""Providers' author names in reading order: Open Library and ISBNdb write many authors as the
catalogue headings they were loaded from (`Kiss, Lenke.`, `Nelson, Bob, Ph.D.`); each is
proposed as the name is written (fields.person_name, catalog.person_names.name_as_written), so
a new author is not named `Kiss, Lenke` and the match reads the name as ours. The bodies are
real: a 2019 search.json answer, author lines of the Open Library dump (the JSON column is what
`/authors/OL…A.json` serves) and an ISBNdb dump record (see the PROVENANCE files)."""

import json

import pytest

from catalog.models import Author, Work
from enrichment.apply import add_authors
from enrichment.candidates import Contributor
from enrichment.matching import BookQuery, score_candidate
from enrichment.providers.isbndb import IsbndbProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FIXTURES, body, load

DUMP_AUTHORS = FIXTURES.parent / "openlibrary_dump" / "booklink_authors_tail300.txt"


def dump_author(key: str) -> bytes:
    """The JSON column of the real dump line of author `key`, as the API serves the record."""
    for line in DUMP_AUTHORS.read_bytes().splitlines():
        columns = line.split(b"\t")
        if columns[1] == f"/authors/{key}".encode():
            return columns[4]
    raise LookupError(key)


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def test_search_docs_name_their_authors_in_reading_order(http, openlibrary):
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__start100__2019__orphaned_editions.json"),
    )

    candidates = openlibrary.search(title="Ausbauhandbuch", author="").candidates
    by_work = {c.provider_ids.get("openlibrary_work"): c for c in candidates}

    assert by_work["OL6267518W"].authors == [Contributor("Helmut Weber", "author", "OL1633289A")]
    # A byname's particles stay after the given name, where German writes them.
    assert [a.name for a in by_work["OL12035680W"].authors] == [
        "Clementine gräfen zu Castell-Rüdenhausen"
    ]
    # Names already in order are left as they are, beside a heading turned around.
    assert [a.name for a in by_work["OL18839824W"].authors] == [
        "Herbert Hügel",
        "Jürgen Rechtsanwalt Fischer",
        "Baldur Kohm",
    ]
    # A meeting's heading (a comma inside its qualifier) is no person's: left as written.
    assert [a.name for a in by_work["OL2192627W"].authors] == [
        "International Conference on Greenhouse Gas Control Technologies (4th 1998 "
        "Interlaken, Switzerland)"
    ]


def test_an_author_record_heading_is_the_name_in_reading_order(http, openlibrary):
    http.get("https://openlibrary.org/authors/OL808070A.json", body=dump_author("OL808070A"))
    http.get("https://openlibrary.org/authors/OL799925A.json", body=dump_author("OL799925A"))

    [kiss] = openlibrary.author("OL808070A").candidates
    people = openlibrary.authors(["OL808070A", "OL799925A"])

    assert kiss.authors == [Contributor("Lenke Kiss", "author", "OL808070A")]
    [kiss_person] = people["OL808070A"].candidates
    assert kiss_person.name == "Lenke Kiss"
    assert kiss_person.alternate_names == []  # `Kiss, Lenke.` is the same name, not another
    # `Němeček, Jan RNDr.`: the doctor's title is no part of the name.
    assert people["OL799925A"].candidates[0].name == "Jan Ne\u030cmec\u030cek"


def test_an_edition_names_its_author_by_the_author_records_name_in_order(http, openlibrary):
    # A real edition record linked to a real author line (as the dump tests link them).
    edition = load("openlibrary", "edition__OL3421079M__from_dump.json")
    edition["authors"] = [{"key": "/authors/OL808070A"}]
    http.get("https://openlibrary.org/books/OL3421079M.json", body=json.dumps(edition))
    http.get("https://openlibrary.org/authors/OL808070A.json", body=dump_author("OL808070A"))

    [candidate] = openlibrary.edition("OL3421079M").candidates

    assert candidate.authors[0] == Contributor("Lenke Kiss", "author", "OL808070A")


def test_isbndb_names_a_heading_with_a_degree_by_the_name_alone(make):
    record = load("isbndb", "isbndb_dump_record__9780000000101.json")

    candidate = make(IsbndbProvider).parse_book(record)

    assert candidate.authors == [Contributor("Bob Nelson")]  # `Nelson, Bob, Ph.D.`


def test_isbndbs_heading_matches_our_author_as_the_same_person(make):
    """Scored against the catalog's `Bob Nelson`, ISBNdb's `Nelson, Bob, Ph.D.` was a surname
    alike (3 of 5); read as `Bob Nelson` it is the same person (5 of 5)."""
    record = load("isbndb", "isbndb_dump_record__9780000000101.json")
    candidate = make(IsbndbProvider).parse_book(record)

    ours = BookQuery(title="Nga Aboriginal Art Cal 2000", authors=("Bob Nelson",))

    assert score_candidate(ours, candidate).author == 5


@pytest.mark.django_db
def test_a_new_author_made_from_a_proposal_is_named_in_reading_order(http, openlibrary):
    """A work with no author approved with Open Library's record: the author created is
    `Lenke Kiss`, where it was `Kiss, Lenke`, found again by the catalog's lookup key."""
    http.get("https://openlibrary.org/authors/OL808070A.json", body=dump_author("OL808070A"))
    [record] = openlibrary.author("OL808070A").candidates
    work = Work.objects.create(title="Untitled")

    add_authors(work=work, authors=record.authors)

    author = Author.objects.get()
    assert author.name == "Lenke Kiss"
    assert author.openlibrary_key == "OL808070A"
