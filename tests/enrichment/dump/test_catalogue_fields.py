"""The same Open Library edition record proposes the same book from the local dump as from the
API: its series and number, the people its `contributors` and `contributions` credit, its page
count from `pagination`, and its publisher read with its places (one reader,
enrichment.providers.openlibrary_marc.catalogue_fields). Before, the dump's candidate had none of
them. Real records: dump lines copied to tests/fixtures/providers/openlibrary/*__from_dump.json
(see that folder's PROVENANCE.md)."""

import dataclasses
import json

import pytest
from django.db import connection

from catalog import isbn
from enrichment.candidates import Contributor
from enrichment.dump import tables
from enrichment.providers import openlibrary_marc
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from enrichment.providers.settle import settle_candidate
from tests.enrichment.providers.helpers import load

pytestmark = pytest.mark.django_db(transaction=True)

REAL_RECORDS = [
    "edition__OL26925052M__from_dump.json",  # Library of America -- 292, an editor
    "edition__OL27172507M__from_dump.json",  # a series named twice, a translator
    "edition__OL11928979M__from_dump.json",  # roles in a parenthesis
    "edition__OL3421079M__from_dump.json",  # a translator in `contributors`, a place
    "edition__OL1003092M__from_dump.json",  # illustrators, "1 v. (unpaged)"
    "edition__OL20086208M__from_dump.json",  # "2 v." and a series in two spellings
    "edition__OL10040742M__from_dump.json",  # none of it
    "edition__OL3187531M__from_dump.json",  # the title's article filed apart: "The " "idiot"
    # number_of_pages taken out of OL26925052M: the page count comes from `pagination`.
    "synthetic-edition__OL26925052M__pagination_only.json",
]
#: What the dump answers its own way: its ids, covers and notes, the record's URL; and the
#: description and subjects, which it keeps of the work only (an edition's own are rare).
NOT_COMPARED = {
    *("provider", "provider_ids", "covers", "notes", "source_url", "queried_isbn"),
    *("description", "subjects"),
}


def dump_line(record: dict) -> bytes:
    started = [b"/type/edition", record["key"].encode(), b"1", b"2020-01-01T00:00:00.000000"]
    return b"\t".join([*started, json.dumps(record).encode()])


def record(name: str) -> dict:
    # Without author keys: the dump names authors from its authors table, the API by one
    # request each; neither is what is compared here.
    return {key: value for key, value in load("openlibrary", name).items() if key != "authors"}


def candidates_both_ways(records: list[dict], load_dump, dump_file):
    """(record, the API's candidate, the dump's candidate) for each record."""
    load_dump(editions=dump_file(b"\n".join(dump_line(r) for r in records) + b"\n"))
    asked = [isbn.to_isbn13([*r.get("isbn_13", []), *r.get("isbn_10", [])][0]) for r in records]
    answers = OpenLibraryDumpProvider().lookup_isbns(asked)
    online = OpenLibraryProvider()
    return [
        (written, settle_candidate(online.parse_edition(written)), answers[isbn13].candidates[0])
        for written, isbn13 in zip(records, asked, strict=True)
    ]


@pytest.mark.parametrize("name", REAL_RECORDS)
def test_an_edition_from_the_dump_proposes_what_the_same_record_online_does(
    name, load_dump, dump_file
):
    [(_, online, from_dump)] = candidates_both_ways([record(name)], load_dump, dump_file)

    for field in {f.name for f in dataclasses.fields(online)} - NOT_COMPARED:
        assert getattr(from_dump, field) == getattr(online, field), field


def test_the_dump_reads_the_series_and_credits_it_used_to_lose(load_dump, dump_file):
    records = [record(name) for name in REAL_RECORDS[:4]]
    answers = {
        written["key"]: from_dump
        for written, _, from_dump in candidates_both_ways(records, load_dump, dump_file)
    }

    sontag = answers["/books/OL26925052M"]
    # Read, and as online not proposed: the publisher's series (settle.no_publishers_series).
    assert "“The Library of America” is the publisher's series" in " ".join(sontag.notes)
    assert sontag.authors == [Contributor("David Rieff", "editor")]
    assert answers["/books/OL27172507M"].authors == [Contributor("Tim Parks", "translator")]
    assert answers["/books/OL11928979M"].authors == [
        Contributor("Prince D. S. Mirsky", "contributor"),
        Contributor("Elizabeth Hill", "translator"),
    ]
    karamazov = answers["/books/OL3421079M"]
    assert "“Dover Giant Thrift Editions” is the publisher's series" in " ".join(karamazov.notes)
    assert karamazov.authors == [Contributor("Constance Garnett", "translator")]


def test_a_dump_loaded_before_the_catalogue_fields_were_kept_still_answers(load_dump, dump_file):
    """Its editions answer as they did (no series, no credits) until the next load."""
    sontag = record(REAL_RECORDS[0])
    load_dump(editions=dump_file(dump_line(sontag) + b"\n"))
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {tables.live_name('edition')} DROP COLUMN catalogue_fields")

    [candidate] = (
        OpenLibraryDumpProvider().lookup_isbns(["9781598535198"])["9781598535198"].candidates
    )

    assert candidate.title == "Later essays"
    assert (candidate.series, candidate.authors, candidate.page_count) == ("", [], 865)


@pytest.mark.parametrize(
    "left_out",
    [
        (),
        # The statement its only catalogue text: the loader keeps it all the same.
        ("pagination", "publish_places"),
    ],
)
def test_the_dumps_edition_proposes_only_the_authors_its_statement_names(
    left_out, load_dump, dump_file
):
    """Wyrd Sisters' edition record (synthetic-edition__OL1614567M__wyrd_sisters.json, the real
    Books API record in the edition's shape) names four authors beside "by Terry Pratchett.":
    from the dump as online (one rule, openlibrary_marc.catalogue_fields), only he is proposed,
    where all four were. The author lines are the least the dump holds (key, name), made here."""
    wyrd = load("openlibrary", "synthetic-edition__OL1614567M__wyrd_sisters.json")
    wyrd = {key: value for key, value in wyrd.items() if key not in left_out}
    people = {
        "OL25712A": "Terry Pratchett",
        "OL4929687A": "Joanne Harris",
        "OL5196765A": "Stephen Briggs",
        "OL7311709A": "Celia Imrie",
    }
    authors = b"\n".join(
        b"\t".join(
            [
                b"/type/author",
                f"/authors/{key}".encode(),
                b"1",
                b"2020-01-01T00:00:00.000000",
                json.dumps({"key": f"/authors/{key}", "name": name}).encode(),
            ]
        )
        for key, name in people.items()
    )
    load_dump(
        editions=dump_file(dump_line(wyrd) + b"\n", name="editions.txt"),
        authors=dump_file(authors + b"\n", name="authors.txt"),
    )

    [candidate] = (
        OpenLibraryDumpProvider().lookup_isbns(["9780575043633"])["9780575043633"].candidates
    )

    assert [(p.name, p.provider_id) for p in candidate.authors] == [("Terry Pratchett", "OL25712A")]


def test_the_dumps_edition_keeps_the_article_its_record_files_apart(load_dump, dump_file):
    """The real line of OL3187531M files "The " apart from "idiot" (`title_prefix`): the dump
    proposes "The idiot", as the online record now does, where it proposed "idiot"."""
    [(_, online, from_dump)] = candidates_both_ways(
        [record("edition__OL3187531M__from_dump.json")], load_dump, dump_file
    )

    assert from_dump.title == online.title == "The idiot"


def test_the_catalogue_text_of_a_record_seen_before_is_not_read_again(
    load_dump, dump_file, monkeypatch
):
    """A batch of 1,000 ISBNs read every edition's catalogue text (its publisher, places,
    series, credits) again, however often the same text had been read: the costliest rule of a
    dump candidate (issue 18, goal 4). Each edition still proposes what the record online does."""
    records = [record(name) for name in REAL_RECORDS]
    both_ways = candidates_both_ways(records, load_dump, dump_file)
    asked = [from_dump.queried_isbn for _, _, from_dump in both_ways]
    read = []
    real_reader = openlibrary_marc.catalogue_fields
    monkeypatch.setattr(
        openlibrary_marc,
        "catalogue_fields",
        lambda *args: read.append(args) or real_reader(*args),
    )

    again = OpenLibraryDumpProvider().lookup_isbns(asked)

    assert read == []
    for (_, online, from_dump), isbn13 in zip(both_ways, asked, strict=True):
        assert again[isbn13].candidates == [from_dump]
        for field in ("series", "series_number", "authors", "page_count", "publisher"):
            assert getattr(from_dump, field) == getattr(online, field), field
