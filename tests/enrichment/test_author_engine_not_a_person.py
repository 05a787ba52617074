"""A Wikidata item found by an id of ours that is no human (a pen name, a collective, a band, a
fictional character: its P31) is never taken for the person: before, the item of a fictional
character holding our author's Open Library key was a high match, and its date of birth,
gender, citizenship and portrait were applied to our author. The real task against the loopback
sources server of test_author_engine, with the synthetic SPARQL row of
tests/fixtures/providers/wikidata/ (see its PROVENANCE.md: no real WDQS answer exists)."""

import json

import pytest

from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.providers import wikidata_authors
from tests.enrichment.providers.helpers import FIXTURES, body, load
from tests.enrichment.test_author_engine import (  # noqa: F401
    fresh,
    sources,
    work_queue,
)
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
KEY = "OL99000501A"
NOT_A_PERSON = "synthetic-sparql__authors_by_openlibrary_id__not_a_person.json"


def test_an_item_that_is_no_human_holding_our_key_is_reviewed_and_applies_nothing(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    sources.sparql["P648"] = body("wikidata", NOT_A_PERSON)
    holmes = make_author("Sherlock Holmes", openlibrary_key=KEY)

    [request] = work_queue(holmes)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    holmes = fresh(holmes)
    assert (holmes.birth_year, holmes.gender, holmes.nationality) == (None, "", "")
    assert (holmes.wikidata_id, holmes.photo) == ("", "")
    assert not AuditLogEntry.objects.filter(author=holmes).exists()
    [seen] = request.match_details.candidates
    assert seen.provider == "wikidata"
    assert "the record is no person (fictional human, fictional character): kept for review" in (
        seen.reasons
    )


def test_the_people_query_asks_what_each_item_is_and_a_human_is_a_person():
    query = wikidata_authors.build_query("openlibrary", [KEY])
    assert "wdt:P31 ?kind" in query
    [row] = load("wikidata", NOT_A_PERSON)["results"]["bindings"]
    human = {**row, "kinds": {"type": "literal", "value": "http://www.wikidata.org/entity/Q5"}}
    untold = {**row, "kinds": {"type": "literal", "value": ""}}  # an item without P31

    def kind(row: dict) -> str:
        candidate = wikidata_authors.author_candidate(
            row, provider="wikidata", commons_url="https://commons.wikimedia.org"
        )
        return candidate.not_a_person

    assert kind(row) == "fictional human, fictional character"
    assert kind(human) == kind(untold) == ""


def test_an_open_library_record_of_a_firm_holding_our_key_is_reviewed(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    """Open Library's record of `S. Norwell (Firm)` (the real dump line of OL7090757A, in
    tests/fixtures/openlibrary_dump/booklink_authors_grep_orwell37.txt), holding the key of our
    person `S. Norwell`: matching reads the name without its qualifier, so the firm's record was
    a high match for the person, and the request completed as if it were them."""
    dump = FIXTURES.parent / "openlibrary_dump" / "booklink_authors_grep_orwell37.txt"
    line = next(line for line in dump.read_text().splitlines() if "/authors/OL7090757A\t" in line)
    sources.json("/ol/authors/OL7090757A.json", line.split("\t", 4)[4].encode())
    norwell = make_author("S. Norwell", openlibrary_key="OL7090757A")

    [request] = work_queue(norwell)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    [seen] = [c for c in request.match_details.candidates if c.provider == "openlibrary"]
    assert "the record is no person (an organisation's name): kept for review" in seen.reasons
    assert not AuditLogEntry.objects.filter(author=norwell).exists()


def test_our_pen_name_author_found_as_wikidatas_alias_is_reviewed_and_applies_nothing(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
):
    """Our `Richard Bachman` on Thinner; a label search finds Wikidata's Stephen King by that
    alias, his pen name (P742), and his works list names Thinner. Name and work agreed: King's
    birth date, gender and Wikidata id were applied to the pen name. The answers are the
    synthetic label row of tests/fixtures/providers/wikidata/ made King's here, and a works list
    built here; the values are not claimed to match the sources' data."""
    [row, *_] = load("wikidata", "synthetic-sparql__authors_by_label.json")["results"]["bindings"]
    king = {
        **row,
        "asked": {"type": "literal", "value": "Richard Bachman", "xml:lang": "en"},
        "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q900000601"},
        "label": {"type": "literal", "value": "Stephen King", "xml:lang": "en"},
        "births": {"type": "literal", "value": "1947-09-21T00:00:00Z/11"},
        "deaths": {"type": "literal", "value": ""},
        "olids": {"type": "literal", "value": "OL99000601A"},
        "viafs": {"type": "literal", "value": ""},
        "goodreadsIds": {"type": "literal", "value": ""},
        "images": {"type": "literal", "value": ""},
        "penNames": {"type": "literal", "value": "Richard Bachman"},
    }
    sources.sparql["label"] = json.dumps({"results": {"bindings": [king]}}).encode()
    works = {"size": 1, "entries": [{"title": "Thinner", "key": "/works/OL99000701W"}]}
    sources.json("/ol/authors/OL99000601A/works.json", json.dumps(works).encode())
    bachman = make_author("Richard Bachman")
    make_work("Thinner", authors=[bachman])

    [request] = work_queue(bachman)

    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    bachman = fresh(bachman)
    assert (bachman.birth_year, bachman.wikidata_id, bachman.gender) == (None, "", "")
    assert not AuditLogEntry.objects.filter(author=bachman).exists()
    [seen] = [c for c in request.match_details.candidates if c.provider == "wikidata"]
    assert "'Richard Bachman' is a pen name of Stephen King: kept for review" in seen.reasons
