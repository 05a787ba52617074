"""A number a provider proposes that no book has (a page count past what the catalog's column
holds, a first publication year that is no year) is not proposed: applying the proposal cannot
fail, on PostgreSQL either (`scripts/with_postgres.sh`). The providers are the real clients over
their recorded answers, the number set by the test."""

import json

import pytest
import responses

from enrichment import engine, queue, review
from enrichment.models import EnrichmentRequest
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.isbndb import IsbndbProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FakeClock, load
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db

VOLUMES = "https://www.googleapis.com/books/v1/volumes"
UCHU = "9784815602666"  # Google's recorded answer for 宇宙の話をしよう: 239 pages
TOO_MANY_PAGES = 3_000_000_000  # more than PostgreSQL's integer column holds


@pytest.fixture(autouse=True)
def provider_settings(settings, monkeypatch):
    settings.ENRICHMENT_PROVIDERS = ["google_books"]
    settings.GOOGLE_BOOKS_API_KEY = ""
    settings.ISBNDB_API_KEY = "isbndb-test-key"
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids: None)


def google_answers(http, page_count):
    answer = load("google_books", "volumes__q_isbn_9784815602666.json")
    answer["items"][0]["volumeInfo"]["pageCount"] = page_count
    http.add(responses.GET, VOLUMES, json=answer)


def enrich_and_approve(reviewer) -> EnrichmentRequest:
    work = make_work("宇宙の話をしよう", authors=["小野雅裕"])
    make_edition(work, isbn13=UCHU, language="")
    clock = FakeClock()
    ids = queue.works_enqueue_enrichment(dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    engine.process_requests(
        claimed, providers=[GoogleBooksProvider(clock=clock.time, sleep=clock.sleep)]
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    if request.status == EnrichmentRequest.Status.NEEDS_REVIEW:
        review.request_approve(request=request, actor=reviewer)
    request.refresh_from_db()
    return request


@pytest.mark.parametrize("page_count", [TOO_MANY_PAGES, 100_001])
def test_a_page_count_no_book_has_is_not_proposed_and_approving_applies_the_rest(
    http, reviewer, page_count
):
    """Google Books' `pageCount` of 3,000,000,000 was proposed: approving it failed on
    PostgreSQL (a DataError: the integer column holds up to 2,147,483,647), and SQLite kept it."""
    google_answers(http, page_count)

    request = enrich_and_approve(reviewer)

    edition = request.work.editions.get()
    assert request.status == EnrichmentRequest.Status.COMPLETED
    assert edition.page_count is None
    assert edition.language == "ja"  # the rest of the record was applied
    assert "page_count" not in request.proposal.fields
    [seen] = request.match_details.candidates  # the record as the review page lists it
    assert any(f"The page count {page_count:,} was not kept" in note for note in seen.notes)


def test_a_plausible_page_count_is_still_proposed(http, reviewer):
    google_answers(http, 100_000)  # the importers' most pages: kept by both

    request = enrich_and_approve(reviewer)

    assert request.work.editions.get().page_count == 100_000


def test_every_provider_drops_a_page_count_no_book_has(http):
    """Open Library's `number_of_pages` and ISBNdb's `pages` as Google Books' `pageCount`: the
    real records, their page count set by the test."""
    clock = FakeClock()
    record = load("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")
    [key] = record
    record[key]["number_of_pages"] = TOO_MANY_PAGES
    http.add(responses.GET, "https://openlibrary.org/api/books", json=record)
    book = load("isbndb", "isbndb_dump_record__9780000000101.json")
    book["pages"] = TOO_MANY_PAGES
    http.add(
        responses.GET, "https://api2.isbndb.com/book/9780000000101", body=json.dumps({"book": book})
    )

    openlibrary = OpenLibraryProvider(clock=clock.time, sleep=clock.sleep)
    [from_openlibrary] = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"].candidates
    isbndb = IsbndbProvider(clock=clock.time, sleep=clock.sleep)
    [from_isbndb] = isbndb.lookup_isbns(["9780000000101"])["9780000000101"].candidates

    assert from_openlibrary.page_count is None
    assert from_isbndb.page_count is None
    assert any("3,000,000,000" in note for note in from_openlibrary.notes + from_isbndb.notes)


def test_a_first_publication_year_that_is_no_year_is_not_proposed(http):
    """Open Library's search answers a work's `first_publish_year`, read as is: 99999 was
    proposed, past what the catalog's small integer column holds (32,767)."""
    clock = FakeClock()
    answer = load("openlibrary", "search__this_is_how_you_lose_the_time_war.json")
    answer["docs"][0]["first_publish_year"] = 99999
    http.add(responses.GET, "https://openlibrary.org/search.json", json=answer)

    openlibrary = OpenLibraryProvider(clock=clock.time, sleep=clock.sleep)
    candidates = openlibrary.search(
        title="This Is How You Lose the Time War", author="Amal El-Mohtar"
    ).candidates

    assert candidates[0].first_published_year is None
    assert any("first publication year 99999" in note for note in candidates[0].notes)
