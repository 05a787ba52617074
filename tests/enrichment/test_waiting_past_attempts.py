"""Requests past ENRICHMENT_MAX_ATTEMPTS (enrichment.outcomes, enrichment.queue): a book waits
for providers only while nothing answered it; one provider that keeps failing does not hold up
what the others answered; and a worker that dies while trying a waiting book does not fail it.

The real Open Library and Google Books clients ask a local server on 127.0.0.1: Google Books
answers its recorded empty result (tests/fixtures/providers/google_books, see PROVENANCE.md),
or, to a title search when a test says so, its recorded search for "Children of Time";
Open Library's Books API answers `{}` (its answer for an ISBN it does not know, as
tests/enrichment/backfill/providers_support.py builds it) or an HTTP error with a synthetic
one-line HTML page made here. A refused connection is a closed loopback port.
"""

from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment import engine, queue
from enrichment.models import EnrichmentRequest
from tests.enrichment.providers.helpers import body
from tests.enrichment.providers.local_server import LocalServer
from tests.enrichment.test_faults import refused_port
from tests.enrichment.test_unreachable_providers import make_due, text_of
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
USE_OF_WEAPONS = "9780316030571"
GOOGLE_NOTHING = body("google_books", "volumes__empty_result__totalItems_0.json")
GOOGLE_CHILDREN_OF_TIME = body("google_books", "volumes__q_children_of_time_2015.json")
SYNTHETIC_ERROR_PAGE = b"<html><body>Service Unavailable</body></html>"


class TwoProviders(LocalServer):
    """Open Library's Books API and Google Books' volumes on one server; each answers
    `status[provider]` (200 by default). Google answers a title search (intitle:) with
    `google_search`, its empty result unless a test sets it."""

    def __init__(self):
        super().__init__()
        self.status = {"openlibrary": 200, "google_books": 200}
        self.google_search = GOOGLE_NOTHING
        self.answer = self._route

    def _route(self, handler: BaseHTTPRequestHandler) -> None:
        provider = "google_books" if handler.path.startswith("/books/v1/") else "openlibrary"
        status = self.status[provider]
        if status != 200:
            data = SYNTHETIC_ERROR_PAGE
        else:
            data = GOOGLE_NOTHING if provider == "google_books" else b"{}"
        if status == 200 and "intitle" in handler.path:
            data = self.google_search
        self.send(handler, [data], status=status, headers={"Content-Length": str(len(data))})


@pytest.fixture
def server(settings, monkeypatch):
    with TwoProviders() as running:
        settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
        settings.OPENLIBRARY_URL = running.url
        settings.GOOGLE_BOOKS_URL = f"{running.url}/books/v1"
        settings.GOOGLE_BOOKS_API_KEY = ""
        settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
        settings.OPENLIBRARY_RATE = settings.GOOGLE_BOOKS_RATE = 1000
        settings.OPENLIBRARY_DAILY_BUDGET = settings.GOOGLE_BOOKS_DAILY_BUDGET = 0
        settings.ENRICHMENT_BREAKER_FAILURES = 100  # every claim asks: the faults decide
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 0.5
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = 0.5
        settings.ENRICHMENT_MAX_ATTEMPTS = 3
        settings.ENRICHMENT_RETRY_BASE_SECONDS = 60
        settings.ENRICHMENT_UNAVAILABLE_RETRY_SECONDS = 3600
        settings.ENRICHMENT_STALE_SECONDS = 300
        monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda *args, **kwargs: None)
        yield running


@pytest.fixture
def weapons() -> Work:
    work = make_work("Use of Weapons", authors=["Iain M. Banks"])
    make_edition(work, isbn13=USE_OF_WEAPONS)
    queue.works_enqueue_enrichment(dispatch=False)
    return work


def run_batch(*, gather: bool = False) -> EnrichmentRequest:
    """One batch of the due requests; `gather`: as a worker runs it, its title searches given
    back to be searched in a group (enrichment.title_search_groups), here at once."""
    due = EnrichmentRequest.objects.filter(status=Status.PENDING).values_list("pk", flat=True)
    claimed = queue.requests_claim(request_ids=list(due))
    engine.process_requests(claimed, gather_title_searches=gather)
    if gather:
        engine.process_title_search_group(force=True)
    make_due()
    return EnrichmentRequest.objects.select_related("work").get()


def review_page(client, request: EnrichmentRequest) -> str:
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    return text_of(page.content.decode())


# --- One provider failing, the others answering -----------------------------------------------


def test_past_its_attempts_a_book_goes_ahead_with_the_answers_of_the_providers_that_answered(
    server, weapons, admin_client
):
    """Open Library answers 503 every time, Google Books answers that it does not know the
    book: after its attempts the book is decided on Google's answer (unresolved), saying that
    Open Library failed, instead of waiting for Open Library for ever."""
    server.status["openlibrary"] = 503
    for _ in range(2):
        request = run_batch()
        assert (request.status, request.work.enrichment_status) == (Status.PENDING, "waiting")

    request = run_batch()

    assert request.status == Status.SKIPPED and request.attempts == 3
    assert request.finished_at is not None and request.last_error == ""
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.UNRESOLVED
    reason = request.match_details.reason
    # Open Library may know it: only the providers that answered do not.
    assert reason.startswith("The providers that answered do not know this book.")
    assert "Open Library" in reason and "HTTP 503" in reason
    # Searched by title and author first, as a book whose ISBN nobody knows is.
    assert request.match_details.via_title_search is True
    page = review_page(admin_client, request)
    assert "Decided without the providers that failed on every attempt: Open Library: " in page
    assert "answered HTTP 503: a server error." in page
    # Decided: the sweep sends it no more.
    assert queue.requests_dispatch_due(now=timezone.now() + timedelta(days=2)) == 0


def test_the_headline_says_another_try_follows_only_while_one_does(server, weapons, admin_client):
    """Open Library keeps failing, Google Books does not know the book: while it waits the
    headline says nothing was found yet and Open Library will be asked again; once decided
    without Open Library, it says nothing was found, with no "yet" (no retry comes)."""
    server.status["openlibrary"] = 503
    request = run_batch()
    assert request.status == Status.PENDING
    waiting = review_page(admin_client, request)
    assert (
        "Nothing found yet: the providers that answered do not know this book; the others "
        "failed to answer (see below): they will be asked again." in waiting
    )

    run_batch()
    request = run_batch()

    assert request.status == Status.SKIPPED
    decided = review_page(admin_client, request)
    assert (
        "Nothing was found: the providers that answered do not know this book; the others "
        "failed to answer (see below)." in decided
    )
    assert " yet" not in decided.split("Proposal", 1)[1] and "asked again" not in decided
    # The engine's reason adds only what the headline does not say, and never that no
    # provider knows the book: the one that failed may.
    assert "No provider knows this book" not in decided
    assert decided.count("the providers that answered do not know this book") == 1
    # Google Books answered, with no record; Open Library did not answer at all.
    assert "No provider gave a record of this book." in decided
    assert "No provider record matched" not in decided


def test_a_provider_failing_on_both_lookups_of_a_book_is_listed_once_naming_both(
    server, weapons, admin_client
):
    """Open Library answers 503 to the ISBN lookup and to the title search that follows past
    the attempts: one fault, once, naming both lookups, not the same line twice."""
    server.status["openlibrary"] = 503
    for _ in range(3):
        request = run_batch()
    assert request.status == Status.SKIPPED and request.match_details.via_title_search
    assert len(request.match_details.faults) == 2  # both lookups failed, each recorded

    page = review_page(admin_client, request)

    errors = page.split("Errors:", 1)[1]
    assert errors.count("answered HTTP 503: a server error") == 1, errors
    assert "Open Library (the ISBN lookup and the title search failed): " in errors, errors


@pytest.mark.parametrize("gather", [False, True], ids=["in its batch", "in a group"])
def test_past_its_attempts_a_book_no_answering_provider_knows_by_isbn_is_searched_by_title(
    server, admin_client, settings, gather
):
    """Open Library answers 503 every time, Google Books does not know the ISBN: past its
    attempts the book takes the path of a book whose ISBN nobody knows, a title + author
    search, where it was decided unresolved without one. Google's search finds the book under
    another ISBN: another edition, so kept for review (low), as it is for any book so found,
    the review page naming Open Library's failure. A worker's batch gives the search to a
    group, which decides it the same."""
    settings.OPENLIBRARY_SEARCH_GATHER_SECONDS = 5.0
    settings.OPENLIBRARY_SEARCH_GROUP_SIZE = 10
    work = make_work("Children of Time", authors=["Adrian Tchaikovsky"])
    make_edition(work, isbn13="9781447273301")  # a valid ISBN the providers here do not know
    queue.works_enqueue_enrichment(dispatch=False)
    server.status["openlibrary"] = 503
    server.google_search = GOOGLE_CHILDREN_OF_TIME
    for _ in range(2):  # a failing ISBN lookup is retried before guessing by title
        request = run_batch(gather=gather)
        assert (request.status, request.work.enrichment_status) == (Status.PENDING, "waiting")
    assert not [path for path in server.requests if "intitle" in path]

    request = run_batch(gather=gather)

    assert [path for path in server.requests if "intitle" in path]  # searched by title
    assert (request.status, request.confidence) == (Status.NEEDS_REVIEW, "low")
    assert request.match_details.via_title_search is True
    assert [c.provider for c in request.match_details.candidates] == ["google_books"]
    assert request.match_details.candidates[0].isbn13 == ["9780316452502"]
    assert request.fields_applied == [] and request.cover_status == ""  # nothing applied at low
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.NEEDS_REVIEW
    page = review_page(admin_client, request)
    assert "Errors: Open Library (the ISBN lookup and the title search failed): " in page
    assert page.count(" answered HTTP 503: a server error") == 1


def test_past_its_attempts_a_book_nothing_answered_keeps_waiting(server, weapons):
    """Both providers answer 503: nothing was answered, so the book still waits (the network's
    or the providers' trouble says nothing of the book)."""
    server.status.update(openlibrary=503, google_books=503)
    for _ in range(4):
        request = run_batch()

    assert (request.status, request.attempts) == (Status.PENDING, 2)
    assert request.last_error.startswith("Waiting for providers that could not be reached: ")
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.WAITING


# --- A worker dying while it tries a waiting book ---------------------------------------------


def test_a_worker_that_dies_while_trying_a_waiting_book_leaves_it_waiting_not_failed(
    server, weapons, settings, admin_client
):
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    settings.GOOGLE_BOOKS_URL = f"http://127.0.0.1:{port}/books/v1"
    for _ in range(4):  # offline past the attempts: waiting for the network
        request = run_batch()
    assert (request.status, request.attempts) == (Status.PENDING, 2)

    (claimed,) = queue.requests_claim(request_ids=[request.pk])  # its worker is killed here
    assert claimed.attempts == 3
    later = timezone.now() + timedelta(seconds=settings.ENRICHMENT_STALE_SECONDS + 5)
    assert queue.requests_recover_stale(now=later) == 1

    request.refresh_from_db()
    assert (request.status, request.attempts) == (Status.PENDING, 2)  # the crash is no attempt
    assert request.claim_token == "" and request.finished_at is None
    wait = (request.next_attempt_at - later).total_seconds()
    assert 3590 <= wait <= 3600  # tried again as a waiting book is
    assert request.last_error == (
        "The worker stopped while processing this request; it still waits for its providers."
    )
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.WAITING
    page = review_page(admin_client, request)
    assert "Status: Pending Waiting: " in page  # briefly, beside the status
    assert "Waiting: providers unavailable" in page  # the sentence, under Proposal
    assert "Failed" not in page.split("Status:", 1)[1].split("Confidence:", 1)[0]

    # Once the providers answer, it is decided as usual.
    settings.OPENLIBRARY_URL = server.url
    settings.GOOGLE_BOOKS_URL = f"{server.url}/books/v1"
    EnrichmentRequest.objects.filter(pk=request.pk).update(next_attempt_at=timezone.now())
    request = run_batch()
    assert request.status == Status.SKIPPED
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.UNRESOLVED


def test_a_worker_that_dies_on_the_last_attempt_of_a_book_waiting_for_a_breaker_leaves_it_waiting(
    server, weapons, settings
):
    """Offline, two faults opened the breakers (two attempts), then the book waited for them
    (no attempt): the worker of its last attempt dies. It waits on; it is not failed."""
    settings.ENRICHMENT_BREAKER_FAILURES = 2
    settings.ENRICHMENT_BREAKER_OPEN_SECONDS = 60
    port = refused_port()
    settings.OPENLIBRARY_URL = f"http://127.0.0.1:{port}"
    settings.GOOGLE_BOOKS_URL = f"http://127.0.0.1:{port}/books/v1"
    for _ in range(3):
        request = run_batch()
    assert (request.status, request.attempts) == (Status.PENDING, 2)
    assert request.last_error.startswith("Waiting for providers unavailable for now: ")

    queue.requests_claim(request_ids=[request.pk])  # its worker is killed here
    later = timezone.now() + timedelta(seconds=settings.ENRICHMENT_STALE_SECONDS + 5)
    queue.requests_recover_stale(now=later)

    request.refresh_from_db()
    assert (request.status, request.attempts) == (Status.PENDING, 2)
    request.work.refresh_from_db()
    assert request.work.enrichment_status == Work.EnrichmentStatus.WAITING
