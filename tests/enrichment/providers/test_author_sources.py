"""The author sources, Open Library's side: `/authors/OL…A.json` and `/authors/OL…A/works.json`
as AuthorCandidates, one parser for the API and the dump, and the pure field helpers.

Bodies: real Open Library author records (tests/fixtures/providers/openlibrary/: Russell and
Norvig recorded by epaulson/datasette-plugin-book-collection, OL1A by jayfajardo/openlibrary,
Orwell and Hazlitt as the JSON column of real dump lines, which is what the API serves), real dump
lines read in place, and a synthetic works list (synthetic-author_works__…, see PROVENANCE.md).
Faults and oversized answers are built in the tests. The dump's authors table: tests/enrichment/
dump/test_author_lookup.py; Wikidata and Commons: test_author_sources_wikidata.py.
"""

import json

import pytest
import responses

from catalog.models import Author
from enrichment.author_candidates import AuthorCandidate, AuthorWork, PhotoRef
from enrichment.candidates import LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers import fields, openlibrary_authors
from enrichment.providers.exchange import REQUESTS_SENT
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FIXTURES, body, load

AUTHORS = "https://openlibrary.org/authors"
COVERS = "https://covers.openlibrary.org"
ORWELL = "author__OL118077A__from_dump.json"
HAZLITT = "author__OL220326A__from_dump.json"
RUSSELL = "author__OL440500A.json"
NORVIG = "author__OL772166A.json"
WORKS = "synthetic-author_works__OL118077A__limit100.json"


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def serve(http, author_id: str, name: str) -> responses.BaseResponse:
    return http.get(f"{AUTHORS}/{author_id}.json", body=body("openlibrary", name))


def parse(record: dict) -> AuthorCandidate:
    return openlibrary_authors.author_candidate(
        record, provider="openlibrary", base_url="https://openlibrary.org", covers_url=COVERS
    )


# --- the author record parser ---------------------------------------------------------------------


def test_a_recorded_author_with_photos_isni_and_alternate_names(http, openlibrary):
    serve(http, "OL440500A", RUSSELL)

    result = openlibrary.authors(["OL440500A"])["OL440500A"]

    assert result.status == LookupStatus.FOUND
    assert result.key == "author:OL440500A"
    [russell] = result.candidates
    assert russell.provider == "openlibrary"
    assert russell.name == "Stuart J. Russell"
    assert russell.alternate_names == ["Stuart Russell"]
    assert russell.provider_ids == {
        "openlibrary_author": "OL440500A",
        "wikidata": "Q3656334",
        "viaf": "81856176",
        "isni": "0000000083978047",
    }
    assert [(p.photo_id, p.size_label, p.url) for p in russell.photos] == [
        ("12855436", "L", f"{COVERS}/a/id/12855436-L.jpg"),
        ("12855436", "M", f"{COVERS}/a/id/12855436-M.jpg"),
        ("12855435", "L", f"{COVERS}/a/id/12855435-L.jpg"),
        ("12855435", "M", f"{COVERS}/a/id/12855435-M.jpg"),
    ]
    assert all(photo.licence == "" for photo in russell.photos)  # Open Library states none
    assert russell.photos[0].source_page == "https://openlibrary.org/authors/OL440500A"
    assert (russell.birth_year, russell.death_year, russell.bio) == (None, None, "")
    assert russell.source_url == "https://openlibrary.org/authors/OL440500A"
    assert russell.cache_key == "author:OL440500A"
    assert http.calls[0].request.url == f"{AUTHORS}/OL440500A.json"


def test_a_plain_string_bio_dates_as_written_and_a_no_photo_marker(http, openlibrary):
    serve(http, "OL118077A", ORWELL)
    serve(http, "OL220326A", HAZLITT)

    results = openlibrary.authors(["OL118077A", "/authors/OL220326A"])

    [orwell] = results["OL118077A"].candidates
    assert orwell.bio.startswith("George Orwell, originally born as Eric Arthur Blair")
    assert "\r" not in orwell.bio  # the record's CRLF line breaks, made plain
    assert orwell.bio_source == "https://openlibrary.org/authors/OL118077A"
    assert (orwell.birth_date, orwell.birth_year) == ("25 June 1903", 1903)
    assert (orwell.death_date, orwell.death_year) == ("21 January 1950", 1950)
    # "George Orwell" itself is not an alternate name of George Orwell.
    assert orwell.alternate_names == ["Eric Arthur Blair", "Orwell, George, 1903-1950"]
    assert orwell.provider_ids == {
        "openlibrary_author": "OL118077A",
        "wikidata": "Q3335",
        "viaf": "95155403",
    }
    assert [p.photo_id for p in orwell.photos] == ["9160343", "9160343", "6388323", "6388323"]

    [hazlitt] = results["OL220326A"].candidates  # asked by its key path
    assert hazlitt.bio.startswith("William Hazlitt (10 April 1778")  # the {type, value} form
    assert (hazlitt.birth_year, hazlitt.death_year) == (1778, 1830)  # "10 Apr 1778", "18 Sep 1830"
    assert hazlitt.alternate_names == ["Hazlitt, William"]
    assert hazlitt.provider_ids == {"openlibrary_author": "OL220326A"}  # no remote_ids


def test_the_minimal_record_of_2013():
    [person] = OpenLibraryProvider().parse_author_record(load("openlibrary", "author__OL1A.json"))

    assert person.name == "Sachi Rautroy"
    assert (person.birth_date, person.birth_year, person.death_year) == ("1916", 1916, 2004)
    assert person.alternate_names == []  # personal_name is the name itself
    assert person.photos == person.works == []


def test_dump_lines_of_every_shape_parse(http):
    """Every real author line in the fixtures reads, whatever its fields hold."""
    lines = [
        line.split("\t", 4)[4]
        for name in (
            "booklink_authors_grep_orwell37.txt",
            "booklink_authors_head20.txt",
            "booklink_authors_tail300.txt",
        )
        for line in (FIXTURES.parent / "openlibrary_dump" / name).read_text().splitlines()
    ]
    people = [parse(json.loads(line)) for line in lines]

    assert len(people) == 357
    assert all(person.provider_ids["openlibrary_author"] and person.name for person in people)
    lucia = next(p for p in people if p.provider_ids["openlibrary_author"] == "OL204256A")
    assert [p.photo_id for p in lucia.photos] == ["7129262", "7129262"]  # photos [7129262, -1]
    parker = next(p for p in people if p.provider_ids["openlibrary_author"] == "OL789223A")
    assert (parker.death_date, parker.death_year) == ("12/2010", 2010)


def test_a_merged_record_names_the_record_it_was_merged_into():
    # Built here in Open Library's /type/redirect shape: no recorded redirect body was found.
    person = parse(
        {"key": "/authors/OL1A", "type": {"key": "/type/redirect"}, "location": "/authors/OL2A"}
    )

    assert person.provider_ids == {"openlibrary_author": "OL2A"}
    assert person.name == ""
    assert person.notes == ["Open Library merged OL1A into OL2A."]


def test_remote_ids_that_are_not_ids_are_dropped_and_goodreads_keeps_its_number():
    person = parse(
        {
            "key": "/authors/OL9A",
            "name": "Synthetic Person",
            "remote_ids": {
                "wikidata": "Q36322",
                "goodreads": "1265.Jane_Austen",
                "viaf": "not a number",
                "isni": "0000000121226163",  # its check digit is wrong
                "librarything": "austenjane",  # not an id the catalog keeps
            },
        }
    )

    assert person.provider_ids == {
        "openlibrary_author": "OL9A",
        "wikidata": "Q36322",
        "goodreads_author": "1265",
    }


# --- finding the keys, and the cache --------------------------------------------------------------


def test_the_author_keys_of_an_edition_record_are_then_answered_from_the_cache(http, openlibrary):
    # A real edition record (Artificial Intelligence, 4th ed.) names its two authors by key; the
    # client reads their records to name them, and those records answer the author lookup too.
    http.get(
        "https://openlibrary.org/books/OL28002220M.json",
        body=body("openlibrary", "edition__OL28002220M__isbn_9780134610993.json"),
    )
    serve(http, "OL440500A", RUSSELL)
    serve(http, "OL772166A", NORVIG)
    edition = openlibrary.edition("OL28002220M").candidates

    keys = openlibrary_authors.author_keys(edition)
    sent = len(http.calls)
    results = openlibrary.authors(keys)

    assert keys == ["OL440500A", "OL772166A"]
    assert len(http.calls) == sent == 3  # the edition and its two authors: nothing more
    assert all(result.from_cache for result in results.values())
    [norvig] = results["OL772166A"].candidates
    assert norvig.name == "Peter Norvig"
    assert norvig.alternate_names == ["NUO WEI GE"]  # "Peter NORVIG" is the name in capitals
    assert norvig.provider_ids == {"openlibrary_author": "OL772166A", "wikidata": "Q92832"}


def test_keys_from_a_books_api_record_and_a_search_are_asked_one_request_each(http, openlibrary):
    http.get(
        "https://openlibrary.org/api/books",
        body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"),
    )
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )
    notfound = body("openlibrary", "synthetic-author__OL99000002A__notfound.json")
    banks = http.get(f"{AUTHORS}/OL6924809A.json", status=404, body=notfound)
    tolkien = http.get(f"{AUTHORS}/OL26320A.json", status=404, body=notfound)
    books = [
        *openlibrary.lookup_isbns(["9780316030571"])["9780316030571"].candidates,
        openlibrary.search(title="The Lord of the Rings", author="Tolkien").candidates[0],
    ]

    results = openlibrary.authors(openlibrary_authors.author_keys(books))

    assert list(results) == ["OL6924809A", "OL26320A"]
    assert banks.call_count == tolkien.call_count == 1
    assert results["OL26320A"].status == LookupStatus.NOT_FOUND
    # A 404 is an answer ("no such author"), kept as a miss: not asked again.
    openlibrary.authors(["OL26320A"])
    assert tolkien.call_count == 1


def test_n_authors_take_n_requests_then_none(http, openlibrary):
    serve(http, "OL440500A", RUSSELL)
    serve(http, "OL772166A", NORVIG)
    serve(http, "OL118077A", ORWELL)
    keys = ["OL440500A", "OL772166A", "OL118077A", "OL440500A"]  # one asked twice
    before = REQUESTS_SENT["openlibrary"]

    first = openlibrary.authors(keys)
    second = openlibrary.authors(keys)

    assert REQUESTS_SENT["openlibrary"] - before == 3
    assert len(http.calls) == 3
    assert [r.status for r in first.values()] == [LookupStatus.FOUND] * 3
    assert all(result.from_cache for result in second.values())
    assert second["OL118077A"].candidates[0].bio == first["OL118077A"].candidates[0].bio
    assert set(SourceRecord.objects.values_list("lookup_key", flat=True)) == {
        "author:OL440500A",
        "author:OL772166A",
        "author:OL118077A",
    }


def test_a_key_that_is_no_author_id_is_answered_without_a_request(http, openlibrary):
    results = openlibrary.authors(["OL7353617M", "Orwell", ""])

    assert {key: r.status for key, r in results.items()} == {
        "OL7353617M": LookupStatus.NOT_FOUND,  # an edition's id, not an author's
        "Orwell": LookupStatus.NOT_FOUND,
        "": LookupStatus.NOT_FOUND,
    }
    assert len(http.calls) == 0


# --- faults stay with their author ----------------------------------------------------------------


def test_a_garbage_body_fails_that_author_alone(http, openlibrary):
    serve(http, "OL440500A", RUSSELL)
    http.get(f"{AUTHORS}/OL772166A.json", body="<html>Internal proxy error</html>")
    serve(http, "OL118077A", ORWELL)

    results = openlibrary.authors(["OL440500A", "OL772166A", "OL118077A"])

    assert results["OL440500A"].status == LookupStatus.FOUND
    assert results["OL772166A"].status == LookupStatus.UNPARSEABLE
    assert results["OL118077A"].status == LookupStatus.FOUND  # still asked after the garbage
    assert not SourceRecord.objects.filter(lookup_key="author:OL772166A").exists()


def test_a_429_holds_that_author_and_the_rest_back_while_the_answers_so_far_stand(
    http, openlibrary, clock
):
    serve(http, "OL440500A", RUSSELL)
    throttled = http.get(f"{AUTHORS}/OL772166A.json", status=429, headers={"Retry-After": "120"})
    orwell = serve(http, "OL118077A", ORWELL)

    results = openlibrary.authors(["OL440500A", "OL772166A", "OL118077A"])

    assert results["OL440500A"].status == LookupStatus.FOUND
    assert results["OL772166A"].status == LookupStatus.THROTTLED
    assert results["OL772166A"].retry_after == pytest.approx(120)
    assert results["OL118077A"].status == LookupStatus.THROTTLED  # not sent into the 429
    assert orwell.call_count == 0 and throttled.call_count == 1

    clock.advance(121)
    http.replace(responses.GET, f"{AUTHORS}/OL772166A.json", body=body("openlibrary", NORVIG))
    later = openlibrary.authors(["OL440500A", "OL772166A", "OL118077A"])

    assert [r.status for r in later.values()] == [LookupStatus.FOUND] * 3
    assert later["OL440500A"].from_cache  # the answer before the 429 was kept


def test_an_answer_over_the_byte_cap_is_a_fault_and_is_not_cached(http, openlibrary, settings):
    settings.ENRICHMENT_MAX_RESPONSE_BYTES = 600  # Russell's record is 488 bytes, Orwell's 1,011
    serve(http, "OL440500A", RUSSELL)
    serve(http, "OL118077A", ORWELL)

    results = openlibrary.authors(["OL118077A", "OL440500A"])

    assert results["OL118077A"].status == LookupStatus.UNPARSEABLE
    assert "answer too large" in results["OL118077A"].error
    assert results["OL440500A"].status == LookupStatus.FOUND
    assert list(SourceRecord.objects.values_list("lookup_key", flat=True)) == ["author:OL440500A"]


def test_an_absurdly_long_record_is_cut_to_what_the_catalog_keeps(http, openlibrary):
    # Orwell's real record, made hostile here: a 60,000-word bio and 5,000 alternate names.
    record = load("openlibrary", ORWELL)
    record["bio"] = {"type": "/type/text", "value": " ".join(["word"] * 60_000)}
    record["alternate_names"] = [f"Name {i}" for i in range(5000)]
    record["birth_date"] = "x" * 10_000
    http.get(f"{AUTHORS}/OL118077A.json", json=record)

    [orwell] = openlibrary.authors(["OL118077A"])["OL118077A"].candidates

    assert len(orwell.bio) <= fields.BIO_MAX_CHARS and orwell.bio.endswith("word")
    assert len(orwell.alternate_names) == fields.ALTERNATE_NAMES_MAX_COUNT
    assert len(orwell.birth_date) == fields.LIFE_DATE_MAX_CHARS
    assert orwell.birth_year is None
    assert orwell.notes[-1].startswith("The provider's answer was too long: bio cut to 20,000")
    [cached] = SourceRecord.objects.all()
    assert len(json.dumps(cached.payload)) < 100_000  # the cache keeps a bounded copy


def test_an_authors_text_is_cut_to_the_catalogs_columns_with_a_note(http, openlibrary):
    """A birth date of 65 to 100 characters, a gender word of 33 to 200 or countries of
    citizenship longer together than the nationality column were kept whole, and the author's
    proposal then left them out without a word (they do not fit Author's columns). Orwell's real
    record, its birth date written at length by the test; Wikidata's gender and citizenship
    set on a candidate."""
    record = load("openlibrary", ORWELL)
    record["birth_date"] = (
        "25 June 1903, in Motihari, Bengal Presidency, British India (now Bihar, India)"
    )
    http.get(f"{AUTHORS}/OL118077A.json", json=record)

    [orwell] = openlibrary.authors(["OL118077A"])["OL118077A"].candidates
    person = fields.cap_author_candidate_text(
        AuthorCandidate(
            provider="wikidata",
            gender="trans woman, assigned male at birth (as the source says)",
            citizenship=[f"Federal Republic of Country Number {i}" for i in range(10)],
            bio_source="https://en.wikipedia.org/wiki/" + "x" * 1000,
        )
    )

    width = {name: Author._meta.get_field(name).max_length for name in ("birth_date", "gender")}
    assert orwell.birth_date.startswith("25 June 1903, in Motihari")
    assert len(orwell.birth_date) <= width["birth_date"]
    assert "birth_date cut to 64 characters" in orwell.notes[-1]
    assert person.gender.startswith("trans woman") and len(person.gender) <= width["gender"]
    nationality = ", ".join(person.citizenship)
    assert 0 < len(nationality) <= Author._meta.get_field("nationality").max_length
    assert person.bio_source == ""
    assert "countries of citizenship kept" in person.notes[-1]


# --- the works list -------------------------------------------------------------------------------


def test_an_authors_works_give_titles_for_matching(http, openlibrary):
    works = http.get(f"{AUTHORS}/OL118077A/works.json", body=body("openlibrary", WORKS))

    result = openlibrary.author_works("/authors/OL118077A")
    again = openlibrary.author_works("OL118077A")

    assert works.call_count == 1 and again.from_cache
    assert http.calls[0].request.params == {"limit": "100"}
    assert result.key == "author-works:OL118077A"
    [orwell] = result.candidates
    assert orwell.provider_ids == {"openlibrary_author": "OL118077A"}
    assert orwell.works == [
        AuthorWork("Nineteen Eighty-Four", "OL99000201W", first_published_year=1949),
        AuthorWork("Animal Farm", "OL99000202W", first_published_year=1945),
        AuthorWork("Homage to Catalonia", "OL99000203W"),
    ]  # the entry without a title is left out
    assert orwell.notes == ["The first 4 of the author's 150 works were listed."]


def test_a_works_list_of_the_wrong_shape_is_unreadable(http, openlibrary):
    http.get(f"{AUTHORS}/OL118077A/works.json", json={"entries": {"not": "a list"}})

    assert openlibrary.author_works("OL118077A").status == LookupStatus.UNPARSEABLE


# --- pure helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "kept"),
    [
        (
            "openlibrary_author",
            "https://openlibrary.org/authors/OL23919A/J._K._Rowling",
            "OL23919A",
        ),
        ("openlibrary_author", "/books/OL7353617M", ""),
        ("wikidata", "http://www.wikidata.org/entity/Q3335", "Q3335"),
        ("wikidata", "P648", ""),
        ("goodreads_author", "1265.Jane_Austen", "1265"),
        ("viaf", "95155403", "95155403"),
        ("viaf", "9" * 40, ""),  # too long to be real: dropped, never cut
        ("isni", "0000 0000 8397 8047", "0000000083978047"),
        ("isni", "0000000083978048", ""),  # wrong check digit
    ],
)
def test_author_id(kind, value, kept):
    assert fields.author_id(kind, value) == kept


def test_photo_refs_skip_the_no_photo_marker_and_repeats():
    refs = openlibrary_authors.photo_refs(
        [-1, 7129262, 7129262, None], provider="openlibrary", covers_url=COVERS, page="p"
    )

    assert refs == [
        PhotoRef("openlibrary", f"{COVERS}/a/id/7129262-L.jpg", "7129262", "L", source_page="p"),
        PhotoRef("openlibrary", f"{COVERS}/a/id/7129262-M.jpg", "7129262", "M", source_page="p"),
    ]
