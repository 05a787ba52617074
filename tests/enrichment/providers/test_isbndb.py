import json

import pytest

from enrichment.candidates import Contributor, LookupStatus
from enrichment.models import ProviderState
from enrichment.providers.isbndb import IsbndbProvider
from tests.enrichment.providers.helpers import body, load

API = "https://api2.isbndb.com"


@pytest.fixture
def isbndb(make):
    return make(IsbndbProvider)


def test_without_a_key_it_is_not_configured_and_sends_nothing(http, make, settings):
    settings.ISBNDB_API_KEY = ""
    provider = make(IsbndbProvider)

    result = provider.lookup_isbns(["9780000001566"])["9780000001566"]

    assert not provider.is_configured()
    assert result.status == LookupStatus.NOT_CONFIGURED
    assert len(http.calls) == 0


def test_one_isbn_uses_get_book_with_the_key_as_is(http, isbndb):
    http.get(f"{API}/book/9780000001566", body=body("isbndb", "synthetic-book__9780000001566.json"))

    result = isbndb.lookup_isbns(["9780000001566"])["9780000001566"]

    assert http.calls[0].request.headers["Authorization"] == "isbndb-test-key"  # no "Bearer"
    [candidate] = result.candidates
    assert candidate.title == load("isbndb", "isbndb_dump_record__9780000001566.json")["title"]
    assert candidate.publication_date == "2015"  # date_published is the int 2015 here
    assert candidate.format == "mass_market"
    assert candidate.authors == [
        Contributor("Orvig"),
        Contributor("Glen Martin"),
        Contributor("Ron Jenson"),
    ]
    assert candidate.description == "Francesco Petrarca."
    # The dump's "Https://" host is repaired.
    assert candidate.covers[0].url == "https://images.isbndb.com/covers/15/66/9780000001566.jpg"
    assert candidate.source_url == "https://isbndb.com/book/9780000001566"


def test_bulk_post_with_data_as_a_list_drops_unknown_isbns_silently(http, isbndb):
    http.post(f"{API}/books", body=body("isbndb", "synthetic-books__data_list.json"))
    asked = ["9780000000101", "9780000001566", "9780000000002"]

    results = isbndb.lookup_isbns(asked)

    assert len(http.calls) == 1
    assert json.loads(http.calls[0].request.body) == {"isbns": asked}
    assert results["9780000000101"].candidates[0].publication_date == "2002"  # a string here
    assert results["9780000000101"].candidates[0].format == "hardcover"
    assert results["9780000000101"].candidates[0].page_count == 8
    assert results["9780000001566"].status == LookupStatus.FOUND
    assert results["9780000000002"].status == LookupStatus.NOT_FOUND
    # Every ISBN in a bulk request counts against the daily quota.
    assert ProviderState.objects.get(provider="isbndb").requests_today == 3


def test_bulk_post_with_data_as_an_object(http, isbndb):
    http.post(f"{API}/books", body=body("isbndb", "synthetic-books__data_object.json"))

    results = isbndb.lookup_isbns(["9780000002259", "9780000000002"])

    [candidate] = results["9780000002259"].candidates
    assert candidate.title == load("isbndb", "isbndb_dump_record__9780000002259.json")["title"]
    assert candidate.covers == []
    assert results["9780000000002"].status == LookupStatus.NOT_FOUND


def test_an_author_isbndb_filled_in_by_guess_is_named_without_its_marker(http, isbndb):
    """ISBNdb marks an author it filled in itself: "田中 卓也 ~autofilled~". The marker is
    no part of the name (it went into the catalog as the new author's name); the reviewer is
    told the name is ISBNdb's guess."""
    http.post(f"{API}/books", body=body("isbndb", "synthetic-books__data_object.json"))

    [candidate] = isbndb.lookup_isbns(["9780000002259", "9780000000002"])[
        "9780000002259"
    ].candidates

    assert candidate.authors == [Contributor("田中 卓也")]
    assert any("田中 卓也" in note and "guess" in note for note in candidate.notes)


def test_a_404_is_not_found(http, isbndb):
    http.get(
        f"{API}/book/9780000000002",
        status=404,
        body=body("isbndb", "synthetic-error__404_not_found.json"),
    )

    assert isbndb.lookup_isbns(["9780000000002"])["9780000000002"].status == (
        LookupStatus.NOT_FOUND
    )


def test_limit_exceeded_is_throttled_not_quota(http, isbndb):
    http.get(
        f"{API}/book/9780000000002",
        status=429,
        headers={"Retry-After": "2"},
        body=body("isbndb", "synthetic-error__429_limit_exceeded.json"),
    )

    result = isbndb.lookup_isbns(["9780000000002"])["9780000000002"]

    assert result.status == LookupStatus.THROTTLED
    assert result.retry_after == 2.0
    assert not ProviderState.objects.get(provider="isbndb").quota_exhausted


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key(http, isbndb, status):
    http.get(f"{API}/book/9780000000002", status=status, json={"message": "Unauthorized"})

    result = isbndb.lookup_isbns(["9780000000002"])["9780000000002"]

    assert result.status == LookupStatus.AUTH_REFUSED


def test_a_batch_larger_than_the_budget_left_is_not_sent(http, isbndb, settings):
    settings.ISBNDB_DAILY_BUDGET = 2

    results = isbndb.lookup_isbns(["9780000000101", "9780000001566", "9780000002259"])

    assert {result.status for result in results.values()} == {LookupStatus.QUOTA_EXHAUSTED}
    assert len(http.calls) == 0


def test_title_search(http, isbndb):
    http.get(
        f"{API}/books/Nga%20Aboriginal", body=body("isbndb", "synthetic-books__data_list.json")
    )

    result = isbndb.search(title="Nga Aboriginal", author="Bob Nelson")

    assert [c.title for c in result.candidates] == [
        "Nga Aboriginal Art Cal 2000",
        load("isbndb", "isbndb_dump_record__9780000001566.json")["title"],
    ]
    assert http.calls[0].request.params == {"column": "title", "pageSize": "20"}


def test_a_title_search_answer_lists_its_books_under_books(http, isbndb):
    """`GET /books/{query}` answers `{"total", "books": […]}` (only the bulk POST says `data`),
    as a team that called every endpoint documented it: read as `data`, every ISBNdb title
    search said "does not know the book" without a word."""
    http.get(
        f"{API}/books/Nga%20Aboriginal",
        body=body("isbndb", "synthetic-books_search__books_key.json"),
    )

    result = isbndb.search(title="Nga Aboriginal", author="Bob Nelson")

    assert result.status == LookupStatus.FOUND
    assert [c.title for c in result.candidates] == [
        "Nga Aboriginal Art Cal 2000",
        load("isbndb", "isbndb_dump_record__9780000001566.json")["title"],
    ]


def test_a_single_author_given_as_a_bare_string_is_one_author(isbndb):
    # A hand-made record (not ISBNdb's): `authors` as one string instead of a list. Its comma
    # parts no two people: one person, named in reading order.
    candidate = isbndb.parse_book({"title": "The Diary", "authors": "Pepys, Samuel"})

    assert candidate.authors == [Contributor("Samuel Pepys")]


def test_isbndb_default_language_is_not_proposed_for_a_japanese_book(http, isbndb):
    """ISBNdb's real records of two Japanese books (a title and a publisher in Japanese) say
    "en", its default: English was proposed as their language. A title in Latin letters keeps
    ISBNdb's language."""
    records = [
        load("isbndb", f"isbndb_dump_record__{isbn13}.json")
        for isbn13 in ("9780000001566", "9780000002259", "9780000000101")
    ]
    http.post(f"{API}/books", json={"data": records})

    results = isbndb.lookup_isbns(["9780000001566", "9780000002259", "9780000000101"])

    assert results["9780000001566"].candidates[0].language == ""
    assert results["9780000002259"].candidates[0].language == ""
    assert results["9780000000101"].candidates[0].language == "en"  # Nga Aboriginal Art Cal


def test_an_lc_class_filed_among_the_subjects_is_no_subject(http, isbndb):
    """The real record 9780000001566 files the LC class PQ 878 as two subjects, "PQ" and "878":
    they were proposed as the work's subjects. Real subjects stay (9780000000101's)."""
    records = [
        load("isbndb", f"isbndb_dump_record__{isbn13}.json")
        for isbn13 in ("9780000001566", "9780000000101")
    ]
    http.post(f"{API}/books", json={"data": records})

    results = isbndb.lookup_isbns(["9780000001566", "9780000000101"])

    assert results["9780000001566"].candidates[0].subjects == []
    assert results["9780000000101"].candidates[0].subjects == [
        "Mushroom culture",
        "Edible mushrooms",
    ]


def test_a_page_count_filed_as_the_dimensions_is_the_page_count(http, isbndb):
    """ISBNdb's real record 9780000001566 has no `pages` and the `dimensions` "97 p.": the
    catalogue's extent, read as the page count; a record's real dimensions are none."""
    http.get(f"{API}/book/9780000001566", body=body("isbndb", "synthetic-book__9780000001566.json"))
    http.post(f"{API}/books", body=body("isbndb", "synthetic-books__data_list.json"))

    [japanese] = isbndb.lookup_isbns(["9780000001566"])["9780000001566"].candidates
    calendar = isbndb.lookup_isbns(["9780000000101", "9780000002259"])["9780000000101"]

    assert japanese.page_count == 97
    # "Height: 6.49605 Inches, Length: 0.03937 Inches, …" beside `pages` 8.
    assert calendar.candidates[0].page_count == 8
