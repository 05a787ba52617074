import pytest

from enrichment.candidates import Contributor, LookupStatus
from enrichment.providers.archive_org import ArchiveOrgProvider
from tests.enrichment.providers.helpers import body, load

SEARCH = "https://archive.org/advancedsearch.php"


@pytest.fixture
def archive(make):
    return make(ArchiveOrgProvider)


def test_isbn_lookup_keeps_only_items_that_carry_the_isbn(http, archive):
    http.get(
        SEARCH, body=body("archive_org", "synthetic-advancedsearch__q_isbn_9780316030571.json")
    )

    result = archive.lookup_isbns(["9780316030571"])["9780316030571"]

    [candidate] = result.candidates  # the other doc's isbn is another book's
    assert candidate.provider_ids == {
        "archive_org": "useofweapons00bank_0",
        "openlibrary_edition": "OL10426208M",
        "openlibrary_work": "OL900000W",
    }
    # The creator heading "Banks, Iain M." as the name is written, as a new author would read.
    assert candidate.authors == [Contributor("Iain M. Banks")]
    assert candidate.publication_date == "2008"  # "2008-01-01T00:00:00Z": the index's year
    assert candidate.language == "en"
    assert candidate.covers[0].url == "https://archive.org/services/img/useofweapons00bank_0"
    assert candidate.covers[0].cover_id == "useofweapons00bank_0"
    assert candidate.source_url == "https://archive.org/details/useofweapons00bank_0"
    params = http.calls[0].request.params
    assert params["q"] == "isbn:(9780316030571 OR 0316030570) AND mediatype:texts"
    assert params["output"] == "json"


def test_docs_without_the_isbn_are_not_a_hit(http, archive):
    # A real answer (the nasa collection): none of its docs is a book with this ISBN.
    http.get(SEARCH, body=body("archive_org", "advancedsearch__q_collection_nasa__rows50.json"))

    result = archive.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.NOT_FOUND


def test_search_reads_bare_and_listed_values(http, archive):
    http.get(SEARCH, body=body("archive_org", "advancedsearch__q_collection_nasa__rows50.json"))
    docs = load("archive_org", "advancedsearch__q_collection_nasa__rows50.json")["response"]["docs"]

    result = archive.search(title="Red rover", author="NASA")

    assert len(result.candidates) == len(docs)
    first = result.candidates[0]
    assert first.title == "Red rover Goes To Mars-Student Astronaut B-Roll Compilation"
    assert first.authors == [Contributor("NASA/JPL-Caltech")]  # creator: a list
    assert http.calls[0].request.params["q"] == (
        'title:("Red rover") AND mediatype:texts AND creator:("NASA")'
    )


def test_item_metadata_of_a_book(http, archive):
    http.get(
        "https://archive.org/metadata/useofweapons00bank_0",
        body=body("archive_org", "synthetic-metadata__useofweapons00bank_0.json"),
    )

    [candidate] = archive.item("useofweapons00bank_0").candidates

    assert candidate.title == "Use of weapons"
    assert candidate.isbn13 == ["9780316030571"]
    assert candidate.publisher == "Orbit"  # "New York : Orbit": the catalog has no place


def test_item_metadata_of_a_collection_is_not_a_book(http, archive):
    http.get(
        "https://archive.org/metadata/nasa",
        body=body("archive_org", "metadata__nasa__collection_item.json"),
    )
    http.get("https://archive.org/metadata/nosuchitem", json={})

    assert archive.item("nasa").status == LookupStatus.NOT_FOUND
    assert archive.item("nosuchitem").status == LookupStatus.NOT_FOUND


def test_a_search_date_archive_org_s_index_filled_in_is_read_no_more_precise_than_it_is(
    http, archive
):
    """Archive.org's search index keeps an item's date as a timestamp, a year alone as its
    1 January: the recorded answer dates "Constellation Quarterly Report June 2009"
    2009-01-01T00:00:00Z (its `year`: 2009). Proposed as 2009-01-01, that day would win over
    every other provider's year as the most precise date; a real day stays a day."""
    http.get(SEARCH, body=body("archive_org", "advancedsearch__q_collection_nasa__rows50.json"))

    candidates = archive.search(title="Constellation", author="NASA").candidates

    dates = {c.title: c.publication_date for c in candidates if c.publication_date}
    assert dates["Constellation Quarterly Report June 2009"] == "2009"
    assert dates["Lessons Learned for Exploration"] == "2010"  # 2010-01-01T00:00:00Z
    assert dates["Administrator Addresses Green Aviation Summit"] == "2010-09-13"
