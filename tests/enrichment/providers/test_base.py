"""The shared client plumbing, through Open Library: failures, Retry-After, cache, limits."""

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import pytest
import requests

from bookstore.db_clock import database_now
from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState, SourceRecord
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.http import parse_retry_after, user_agent
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body

BOOKS_API = "https://openlibrary.org/api/books"
USE_OF_WEAPONS = "books_api_jscmd_data__ISBN_9780316030571.json"
DAY = 24 * 3600


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": 500}, LookupStatus.SERVER_ERROR),
        ({"status": 502, "body": "<html>Bad Gateway</html>"}, LookupStatus.SERVER_ERROR),
        ({"status": 503, "headers": {"Retry-After": "30"}}, LookupStatus.SERVER_ERROR),
        ({"status": 400}, LookupStatus.AUTH_REFUSED),
        ({"status": 401}, LookupStatus.AUTH_REFUSED),
        ({"status": 403}, LookupStatus.AUTH_REFUSED),
        ({"status": 429}, LookupStatus.THROTTLED),
        ({"body": requests.exceptions.ConnectTimeout("connect")}, LookupStatus.TIMEOUT),
        ({"body": requests.exceptions.ReadTimeout("read")}, LookupStatus.TIMEOUT),
        ({"body": requests.exceptions.ConnectionError("refused")}, LookupStatus.SERVER_ERROR),
        ({"body": "<!DOCTYPE html><html>Maintenance</html>"}, LookupStatus.UNPARSEABLE),
        ({"body": ""}, LookupStatus.UNPARSEABLE),
        ({"body": "var _OLBookInfo = {};"}, LookupStatus.UNPARSEABLE),
        ({"json": ["not", "an", "object"]}, LookupStatus.UNPARSEABLE),
    ],
)
def test_every_failure_is_a_status_never_an_exception(http, openlibrary, answer, expected):
    http.get(BOOKS_API, **answer)

    results = openlibrary.lookup_isbns(["9780316030571", "9782070379040"])

    assert {result.status for result in results.values()} == {expected}
    assert all(result.error for result in results.values())
    assert not SourceRecord.objects.exists()  # faults are not cached


def test_retry_after_in_seconds_is_reported(http, openlibrary):
    http.get(BOOKS_API, status=429, headers={"Retry-After": "120"})

    result = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.THROTTLED
    assert result.retry_after == 120.0


def test_parse_retry_after_takes_seconds_or_an_http_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC).timestamp()
    in_90_seconds = format_datetime(datetime(2026, 1, 1, 12, 1, 30, tzinfo=UTC), usegmt=True)

    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(in_90_seconds, now=now) == 90.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None


def test_a_short_retry_after_is_waited_out_instead_of_failing_the_batch(http, openlibrary, clock):
    http.get(BOOKS_API, status=429, headers={"Retry-After": "2"})
    http.get(BOOKS_API, body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"))
    start = clock.time()

    result = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.FOUND
    assert len(http.calls) == 2
    assert clock.time() - start >= 2  # every worker held off for the provider's Retry-After


def test_a_short_retry_after_is_waited_out_by_a_single_search_too(http, openlibrary, clock):
    """A title search is one request (lookup_one): a 429 from timing jitter used to fail it,
    and its book waited a minute's backoff (bench/enrich.py under load)."""
    search = "https://openlibrary.org/search.json"
    http.get(search, status=429, headers={"Retry-After": "2"})
    http.get(search, body=body("openlibrary", "search__this_is_how_you_lose_the_time_war.json"))
    start = clock.time()

    result = openlibrary.search(title="This Is How You Lose the Time War", author="Amal El-Mohtar")

    assert result.status == LookupStatus.FOUND
    assert len(http.calls) == 2
    assert clock.time() - start >= 2  # every worker held off for the provider's Retry-After


def test_after_a_throttle_the_other_batches_are_not_sent(http, openlibrary, settings):
    settings.OPENLIBRARY_BATCH_SIZE = 1
    http.get(BOOKS_API, status=429, headers={"Retry-After": "600"})

    results = openlibrary.lookup_isbns(["9780316030571", "9782070379040"])

    assert len(http.calls) == 1
    assert {result.status for result in results.values()} == {LookupStatus.THROTTLED}


def test_an_invalid_isbn_is_answered_without_a_request(http, openlibrary):
    results = openlibrary.lookup_isbns(["not an isbn", "978-0-316-03057-2"])

    assert {key: result.status for key, result in results.items()} == {
        "NOTANISBN": LookupStatus.NOT_FOUND,
        "9780316030572": LookupStatus.NOT_FOUND,  # bad check digit
    }
    assert len(http.calls) == 0


def test_user_agent_names_the_product_and_the_contact(settings):
    assert user_agent() == "bookstore/1.0 (+mailto:librarian@example.org)"
    settings.ENRICHMENT_CONTACT_EMAIL = ""
    assert user_agent() == "bookstore/1.0"


# --- the SourceRecord cache -------------------------------------------------------------------


def test_a_second_identical_lookup_sends_nothing(http, openlibrary):
    http.get(BOOKS_API, body=body("openlibrary", USE_OF_WEAPONS))

    first = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]
    second = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]

    assert len(http.calls) == 1
    assert not first.from_cache
    assert second.from_cache
    assert second.candidates == first.candidates
    record = SourceRecord.objects.get()
    assert (record.provider, record.lookup_key, record.status) == (
        "openlibrary",
        "isbn:9780316030571",
        "hit",
    )


def test_a_hit_is_reused_for_7_days_then_asked_again(http, openlibrary, clock):
    http.get(BOOKS_API, body=body("openlibrary", USE_OF_WEAPONS))
    openlibrary.lookup_isbns(["9780316030571"])

    clock.advance(7 * DAY - 60)
    openlibrary.lookup_isbns(["9780316030571"])
    assert len(http.calls) == 1

    clock.advance(120)
    result = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]
    assert len(http.calls) == 2
    assert not result.from_cache


def test_a_miss_is_reused_for_14_days(http, openlibrary, clock):
    http.get(BOOKS_API, json={})
    openlibrary.lookup_isbns(["9780316030571"])

    clock.advance(13 * DAY)
    result = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]
    assert (result.status, result.from_cache, len(http.calls)) == (
        LookupStatus.NOT_FOUND,
        True,
        1,
    )

    clock.advance(2 * DAY)
    openlibrary.lookup_isbns(["9780316030571"])
    assert len(http.calls) == 2


def test_cache_lifetimes_are_settings(http, openlibrary, clock, settings):
    settings.ENRICHMENT_CACHE_MISS_DAYS = 1
    http.get(BOOKS_API, json={})
    openlibrary.lookup_isbns(["9780316030571"])

    clock.advance(DAY + 1)
    openlibrary.lookup_isbns(["9780316030571"])

    assert len(http.calls) == 2


def test_a_batched_lookup_asks_only_for_uncached_isbns(http, openlibrary):
    http.get(BOOKS_API, body=body("openlibrary", USE_OF_WEAPONS))
    openlibrary.lookup_isbns(["9780316030571"])

    results = openlibrary.lookup_isbns(["9780316030571", "9782070379040", "9780000000002"])

    assert http.calls[1].request.params["bibkeys"] == "ISBN:9782070379040,ISBN:9780000000002"
    assert results["9780316030571"].from_cache
    assert results["9782070379040"].status == LookupStatus.NOT_FOUND


def test_searches_are_cached_too(http, openlibrary):
    http.get(
        "https://openlibrary.org/search.json",
        body=body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json"),
    )

    openlibrary.search(title="The Lord of the Rings", author="J. R. R. Tolkien")
    again = openlibrary.search(title="the lord of the rings", author="j. r. r. tolkien")

    assert len(http.calls) == 1
    assert again.from_cache


# --- limits around the HTTP call ----------------------------------------------------------------


def test_requests_are_spaced_by_the_rate(http, openlibrary, clock, settings):
    settings.OPENLIBRARY_RATE = 2.0
    settings.OPENLIBRARY_BATCH_SIZE = 1
    http.get(BOOKS_API, json={})

    openlibrary.lookup_isbns(["9780316030571", "9782070379040", "9780000000002"])

    assert len(http.calls) == 3
    assert clock.slept == [0.5, 0.5]  # the first went at once, then one every 1/rate seconds


def test_five_server_errors_open_the_breaker_then_a_probe_closes_it(http, openlibrary, clock):
    http.get(BOOKS_API, status=503)
    for _ in range(5):
        openlibrary.lookup_isbns(["9780316030571"])
    assert len(http.calls) == 5

    refused = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]
    assert refused.status == LookupStatus.CIRCUIT_OPEN
    assert len(http.calls) == 5  # open: nothing sent
    assert ProviderState.objects.get(provider="openlibrary").breaker_state == "open"

    clock.advance(60)
    http.replace("GET", BOOKS_API, body=body("openlibrary", USE_OF_WEAPONS))
    probe = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]
    assert probe.status == LookupStatus.FOUND
    assert ProviderState.objects.get(provider="openlibrary").breaker_state == "closed"


def test_a_spent_daily_budget_answers_without_http(http, make, settings):
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1
    http.get(
        "https://www.googleapis.com/books/v1/volumes",
        body=body("google_books", "volumes__empty_result__totalItems_0.json"),
    )
    google = make(GoogleBooksProvider)

    google.lookup_isbns(["9780316030571"])
    spent = google.lookup_isbns(["9782070379040"])["9782070379040"]

    assert spent.status == LookupStatus.QUOTA_EXHAUSTED
    assert len(http.calls) == 1


def test_the_cache_is_stamped_on_the_database_clock_not_the_machines(http, monkeypatch):
    # A worker whose clock lags the database's by more than a hit's life (7 days): its answers
    # were written already expired, so every lookup asked the provider again.
    lagging = SimpleNamespace(time=lambda: time.time() - 8 * DAY, sleep=time.sleep)
    monkeypatch.setattr("enrichment.providers.exchange.time", lagging)
    openlibrary = OpenLibraryProvider()  # no injected clock: the clocks a deployment reads
    http.get(BOOKS_API, body=body("openlibrary", USE_OF_WEAPONS))

    openlibrary.lookup_isbns(["9780316030571"])
    again = openlibrary.lookup_isbns(["9780316030571"])["9780316030571"]

    assert len(http.calls) == 1
    assert again.from_cache
    record = SourceRecord.objects.get()
    assert abs(record.fetched_at - database_now()) < timedelta(minutes=1)
