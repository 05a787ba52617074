"""A batch against hostile providers: whatever a provider answers or our code raises while handling
it, every claimed request ends final or backed off (never left in progress), the other book and
the other providers carry on, and the provider's state records the fault.

The providers are the real clients over `responses`: Open Library answers 429s with absurd
Retry-After headers; Google answers the unrelated book with its recorded body. One test puts
Open Library on a local server (127.0.0.1) that drips its answer.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
import responses

from enrichment import engine, queue
from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FakeClock, body
from tests.enrichment.providers.local_server import LocalServer
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status

BOOKS_API = "https://openlibrary.org/api/books"
VOLUMES = "https://www.googleapis.com/books/v1/volumes"
USE_OF_WEAPONS = "9780316030571"  # asked of both providers; nobody answers it here
UCHU = "9784815602666"  # the unrelated book: Google's recorded answer identifies it
FINAL_OR_RETRY = {Status.PENDING, Status.COMPLETED, Status.NEEDS_REVIEW, Status.SKIPPED}


@pytest.fixture(autouse=True)
def provider_settings(settings, monkeypatch):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
    settings.GOOGLE_BOOKS_API_KEY = ""
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids: None)


@pytest.fixture
def clock():
    # Now, so that the engine's timezone.now() and the throttle's clock agree.
    return FakeClock(datetime.now(UTC).timestamp())


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def two_books():
    use_of_weapons = make_work("Use of Weapons", authors=["Iain M. Banks"])
    make_edition(use_of_weapons, isbn13=USE_OF_WEAPONS)
    uchu = make_work("宇宙の話をしよう", authors=["小野雅裕"])
    make_edition(uchu, isbn13=UCHU)
    return use_of_weapons, uchu


def google_answers(http):
    def volumes(request):
        if UCHU in request.url:
            return 200, {}, body("google_books", "volumes__q_isbn_9784815602666.json")
        return 200, {}, body("google_books", "volumes__empty_result__totalItems_0.json")

    http.add_callback(responses.GET, VOLUMES, callback=volumes)


def run_batch(clock):
    providers = [
        OpenLibraryProvider(clock=clock.time, sleep=clock.sleep),
        GoogleBooksProvider(clock=clock.time, sleep=clock.sleep),
    ]
    ids = queue.works_enqueue_enrichment(dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    assert len(claimed) == 2
    engine.process_requests(claimed, providers=providers)
    return {r.work.title: r for r in EnrichmentRequest.objects.filter(pk__in=ids)}


def assert_batch_finished(requests, uchu_title="宇宙の話をしよう"):
    assert {r.status for r in requests.values()} <= FINAL_OR_RETRY
    assert requests[uchu_title].status in {Status.COMPLETED, Status.NEEDS_REVIEW}
    assert requests["Use of Weapons"].status == Status.PENDING  # backed off, to be retried
    assert requests["Use of Weapons"].next_attempt_at > datetime.now(UTC)


@pytest.mark.parametrize(
    "retry_after",
    [
        "1000000000000",  # crashed the batch: "year 33715 is out of range"
        "3153600000",  # throttled the provider until 2126
        "Fri, 31 Dec 9999 23:59:59 GMT",  # an HTTP-date far in the future
        "Wed, 21 Oct 2015 07:28:00 GMT",  # an HTTP-date in the past
        "-5",
        "nan",
        "1e400",
        "soon, maybe",
        "Mon, 99 Foo 99999 99:99:99 GMT",
    ],
)
def test_an_absurd_retry_after_fails_nothing_but_the_throttled_lookup(
    http, clock, two_books, retry_after
):
    http.get(BOOKS_API, status=429, headers={"Retry-After": retry_after})
    google_answers(http)

    requests = run_batch(clock)

    assert_batch_finished(requests)
    # Held by the 429 (a fault, or Open Library held back by its Retry-After): it waits for
    # Open Library, however Google answered.
    error = requests["Use of Weapons"].last_error
    assert "HTTP 429" in error or "Open Library: asked us to slow down" in error
    assert requests["Use of Weapons"].work.enrichment_status == "waiting"
    state = ProviderState.objects.get(provider="openlibrary")
    assert state.consecutive_failures >= 1  # the breaker counted the 429
    assert "HTTP 429" in state.last_error
    cap = datetime.fromtimestamp(clock.time() + 3600, tz=UTC)
    assert state.throttled_until is None or state.throttled_until <= cap


def test_a_huge_retry_after_holds_the_provider_for_the_configured_cap_only(
    http, clock, two_books, settings
):
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 600
    http.get(BOOKS_API, status=429, headers={"Retry-After": "3153600000"})
    google_answers(http)

    run_batch(clock)

    state = ProviderState.objects.get(provider="openlibrary")
    held = state.throttled_until.timestamp() - clock.time()
    assert 590 <= held <= 600  # not until 2126


def test_an_exception_inside_one_providers_handling_leaves_no_request_in_progress(
    http, clock, two_books, monkeypatch
):
    def broken_parser(self, record):
        raise RuntimeError("synthetic bug in the Books API parser")

    monkeypatch.setattr(OpenLibraryProvider, "parse_books_api_record", broken_parser)
    http.get(
        BOOKS_API,
        body=body("openlibrary", "synthetic-books_api__ISBN_9780316030571_9782070379040.json"),
    )
    google_answers(http)

    requests = run_batch(clock)

    assert_batch_finished(requests)
    assert "synthetic bug" in requests["Use of Weapons"].last_error
    state = ProviderState.objects.get(provider="openlibrary")
    assert state.consecutive_failures == 1
    assert "RuntimeError: synthetic bug" in state.last_error
    assert state.in_flight == 0


def test_an_exception_in_the_throttles_bookkeeping_leaves_no_request_in_progress(
    http, clock, two_books, monkeypatch
):
    # The original crash came out of record_outcome: any exception there must be contained too.
    from enrichment import throttle

    real_record_outcome = throttle.record_outcome

    def failing_record_outcome(**kwargs):
        if kwargs["permit"].provider == "openlibrary" and kwargs.get("retry_after"):
            raise ValueError("year 33715 is out of range")
        return real_record_outcome(**kwargs)

    monkeypatch.setattr(throttle, "record_outcome", failing_record_outcome)
    http.get(BOOKS_API, status=429, headers={"Retry-After": "30"})
    google_answers(http)

    requests = run_batch(clock)

    assert_batch_finished(requests)
    state = ProviderState.objects.get(provider="openlibrary")
    assert "year 33715 is out of range" in state.last_error
    assert state.consecutive_failures == 1


def test_an_exception_while_scoring_one_providers_answer_is_that_providers_fault(
    http, clock, two_books, monkeypatch
):
    # Not inside the client at all: the engine's own handling of Google's answer.
    real_score = engine.score_candidate

    def score(query, candidate):
        if candidate.provider == "google_books":
            raise ZeroDivisionError("synthetic scoring bug")
        return real_score(query, candidate)

    monkeypatch.setattr(engine, "score_candidate", score)
    http.get(BOOKS_API, body=body("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json"))
    google_answers(http)

    requests = run_batch(clock)

    assert requests["Use of Weapons"].status in {Status.COMPLETED, Status.NEEDS_REVIEW}
    uchu = requests["宇宙の話をしよう"]
    assert uchu.status == Status.PENDING  # retried later, not stuck in progress
    assert "synthetic scoring bug" in uchu.last_error
    state = ProviderState.objects.get(provider="google_books")
    assert "ZeroDivisionError" in state.last_error


def test_after_max_attempts_an_internal_error_ends_failed(http, clock, two_books, monkeypatch):
    def broken_parser(self, record):
        raise RuntimeError("synthetic bug in the Books API parser")

    monkeypatch.setattr(OpenLibraryProvider, "parse_books_api_record", broken_parser)
    http.get(
        BOOKS_API,
        body=body("openlibrary", "synthetic-books_api__ISBN_9780316030571_9782070379040.json"),
    )
    google_answers(http)
    ids = queue.works_enqueue_enrichment(dispatch=False)
    EnrichmentRequest.objects.filter(pk__in=ids).update(max_attempts=1)
    claimed = queue.requests_claim(request_ids=ids)

    engine.process_requests(
        claimed,
        providers=[OpenLibraryProvider(clock=clock.time, sleep=clock.sleep)],
    )

    statuses = dict(EnrichmentRequest.objects.values_list("work__title", "status"))
    assert statuses["Use of Weapons"] == Status.FAILED
    assert Status.IN_PROGRESS not in statuses.values()


def test_a_lookup_phase_that_raises_backs_off_every_request(clock, two_books, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("synthetic: the provider registry is broken")

    monkeypatch.setattr(engine, "_ask_by_isbn", broken)
    ids = queue.works_enqueue_enrichment(dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)

    engine.process_requests(claimed, providers=[])

    requests = EnrichmentRequest.objects.filter(pk__in=ids)
    assert {r.status for r in requests} == {Status.PENDING}
    assert all("registry is broken" in r.last_error for r in requests)
    assert all(r.next_attempt_at > datetime.now(UTC) + timedelta(seconds=1) for r in requests)


def test_a_provider_that_drips_its_answer_backs_the_batch_off_at_the_request_deadline(
    clock, two_books, settings
):
    # The real Open Library client against a local server that drips its Books API answer one
    # byte every 0.1 s (each inside the 0.6 s read timeout): before the request deadline, the
    # batch's worker was held for as long as the provider kept dripping.
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 0.3, 0.6
    endless = b'{"ISBN:9780316030571": {"title": "Use of Weapons", "description": "' + b"a" * 100

    def dripped():  # a byte every 0.1 s until the test ends (17 s: forever to this deadline)
        for byte in endless:
            if server.stop.wait(0.1):
                return
            yield bytes([byte])

    with LocalServer() as server:
        settings.OPENLIBRARY_URL = server.url
        server.answer = lambda handler: server.send(handler, dripped())
        ids = queue.works_enqueue_enrichment(dispatch=False)
        claimed = queue.requests_claim(request_ids=ids)
        started = time.monotonic()
        engine.process_requests(
            claimed, providers=[OpenLibraryProvider(clock=clock.time, sleep=clock.sleep)]
        )
        seconds = time.monotonic() - started

    assert seconds < 0.9 + 1.0, f"took {seconds:.2f} s"  # one request for the batch
    assert len(server.requests) == 1
    requests = EnrichmentRequest.objects.filter(pk__in=ids)
    assert {r.status for r in requests} == {Status.PENDING}  # backed off, to be retried
    for request in requests:
        assert request.claim_token == ""
        assert request.next_attempt_at > datetime.now(UTC)
        assert "did not answer in time (timeout)" in request.last_error
        assert "gave up after 0.9 s" in request.match_details.faults[0].detail
    state = ProviderState.objects.get(provider="openlibrary")
    assert (state.consecutive_failures, state.in_flight) == (1, 0)
