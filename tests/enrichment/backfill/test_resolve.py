"""Discovered books -> ISBNs (`resolve.books_resolve`): a catalogue source's ISBN without a
request; otherwise the real Google Books and Open Library clients' title + author search against
a local server answering recorded bodies (providers_support.py). The books are built here."""

import pytest

from enrichment.backfill import resolve
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.resolve import books_resolve
from enrichment.candidates import LookupStatus
from enrichment.providers.cascade import IsbnResolution, ProviderOutcome
from tests.enrichment.backfill.providers_support import (
    CHILDREN_OF_TIME,
    LORD_OF_THE_RINGS,
)
from tests.enrichment.test_faults import refused_port

pytestmark = pytest.mark.django_db

CHILDREN = DiscoveredBook(title="Children of Time", authors=["Adrian Tchaikovsky"], source="llm")
RINGS = DiscoveredBook(title="The Lord of the Rings", authors=["J.R.R. Tolkien"], source="llm")
UNKNOWN = DiscoveredBook(title="A Book Nobody Knows", authors=["Nobody"], source="llm")


def test_a_catalogue_sources_isbn_resolves_the_book_without_a_request(provider_server):
    dump_book = DiscoveredBook(
        title="Use of Weapons",
        authors=["Iain M. Banks"],
        source="openlibrary_dump",
        isbns=["not an isbn", "0316030570", "9780316030571"],  # the first valid one wins
    )

    resolutions = books_resolve([dump_book])

    (resolved,) = resolutions.books
    assert (resolved.isbn13, resolved.provider) == ("9780316030571", "openlibrary_dump")
    assert resolved.resolved and resolved.final
    assert resolutions.calls == {}
    assert provider_server.requests == []


def test_the_cascade_resolves_by_title_and_author_in_provider_order(provider_server):
    resolutions = books_resolve([CHILDREN, RINGS, UNKNOWN])

    children, rings, unknown = resolutions.books
    assert (children.isbn13, children.provider) == (CHILDREN_OF_TIME, "google_books")
    assert (rings.isbn13, rings.provider) == (LORD_OF_THE_RINGS, "openlibrary")
    assert not unknown.resolved and unknown.final  # both answered: nobody knows it
    assert [book.book for book in resolutions.unresolved] == [UNKNOWN]
    # Children of Time: Google only (it resolved); the others: Google, then Open Library.
    assert resolutions.calls == {"google_books": 3, "openlibrary": 2}
    assert len(provider_server.requests) == 5


def test_a_cached_answer_is_no_request(provider_server):
    books_resolve([RINGS])
    provider_server.requests.clear()

    again = books_resolve([RINGS])

    assert again.books[0].isbn13 == LORD_OF_THE_RINGS
    assert again.calls == {}
    assert provider_server.requests == []


def test_a_provider_out_of_budget_is_skipped_and_the_next_one_asked(provider_server, settings):
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1

    resolutions = books_resolve([CHILDREN, RINGS])

    children, rings = resolutions.books
    assert children.provider == "google_books"  # the budget's one request
    assert (rings.isbn13, rings.provider) == (LORD_OF_THE_RINGS, "openlibrary")
    assert [(s.provider, s.status) for s in rings.resolution.skipped] == [
        ("google_books", LookupStatus.QUOTA_EXHAUSTED)
    ]
    assert rings.resolution.failed == []  # skipped, not failed
    assert resolutions.calls == {"google_books": 1, "openlibrary": 1}
    assert len(provider_server.asked("google_books")) == 1
    assert not resolutions.stopped


def test_once_every_provider_is_unavailable_the_remaining_books_are_not_asked(
    provider_server, settings
):
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1
    settings.OPENLIBRARY_DAILY_BUDGET = 1
    dune = DiscoveredBook(title="Dune", authors=["Frank Herbert"], source="llm")

    resolutions = books_resolve([CHILDREN, RINGS, UNKNOWN, dune])

    children, rings, unknown, not_asked = resolutions.books
    assert children.resolved and rings.resolved  # each spent its provider's budget
    assert resolutions.stopped
    assert [(s.provider, s.status) for s in resolutions.stopped_by] == [
        ("google_books", LookupStatus.QUOTA_EXHAUSTED),
        ("openlibrary", LookupStatus.QUOTA_EXHAUSTED),
    ]
    assert not unknown.resolved and not unknown.final  # ask again when budgets reset
    assert not_asked.not_searched == resolve.PROVIDERS_UNAVAILABLE
    assert not not_asked.resolved and not not_asked.final
    assert resolutions.calls == {"google_books": 1, "openlibrary": 1}
    assert len(provider_server.requests) == 2


def test_open_breakers_stop_the_run_after_the_failures_that_opened_them(provider_server, settings):
    settings.ENRICHMENT_BREAKER_FAILURES = 1
    provider_server.failing = {"google_books": 503, "openlibrary": 503}

    resolutions = books_resolve([RINGS, CHILDREN, UNKNOWN])

    failed, refused, not_asked = resolutions.books
    assert [(f.provider, f.status) for f in failed.resolution.failed] == [
        ("google_books", LookupStatus.SERVER_ERROR),
        ("openlibrary", LookupStatus.SERVER_ERROR),
    ]
    assert not failed.final
    assert {s.status for s in refused.resolution.skipped} == {LookupStatus.CIRCUIT_OPEN}
    assert not refused.final
    assert not_asked.not_searched == resolve.PROVIDERS_UNAVAILABLE
    assert resolutions.stopped
    assert resolutions.calls == {"google_books": 1, "openlibrary": 1}  # the failed requests


def test_no_provider_at_all_stops_at_once():
    resolutions = books_resolve([CHILDREN, RINGS], providers=[])

    assert resolutions.stopped and resolutions.stopped_by == []
    assert resolutions.books[1].not_searched == resolve.PROVIDERS_UNAVAILABLE
    assert not any(book.final for book in resolutions.books)


def test_a_title_alone_never_resolves(provider_server):
    no_author = DiscoveredBook(title="The Lord of the Rings", source="llm")
    wrong_author = DiscoveredBook(
        title="The Lord of the Rings", authors=["Ursula K. Le Guin"], source="llm"
    )

    resolutions = books_resolve([no_author, wrong_author])

    not_searched, refused = resolutions.books
    assert not_searched.not_searched == resolve.NO_AUTHOR
    assert not not_searched.resolved and not_searched.final
    # Open Library's answer has The Lord of the Rings, by Tolkien: not this book.
    assert not refused.resolved and refused.final
    assert [a.provider for a in refused.resolution.asked] == ["google_books", "openlibrary"]
    assert resolutions.calls == {"google_books": 1, "openlibrary": 1}


def test_an_internal_error_fails_that_book_alone(provider_server, monkeypatch):
    real_resolve_isbn = resolve.resolve_isbn

    def resolve_isbn(*, title, author, providers):
        if title == CHILDREN.title:
            raise RuntimeError("synthetic bug while resolving")
        return real_resolve_isbn(title=title, author=author, providers=providers)

    monkeypatch.setattr(resolve, "resolve_isbn", resolve_isbn)

    broken, rings = books_resolve([CHILDREN, RINGS]).books

    assert not broken.resolved and not broken.final
    assert "synthetic bug while resolving" in broken.error
    assert rings.isbn13 == LORD_OF_THE_RINGS


def test_a_provider_our_limits_held_back_makes_the_answer_not_final():
    held_back = ProviderOutcome("openlibrary", LookupStatus.THROTTLED, asked=False)
    answered = ProviderOutcome("google_books", LookupStatus.NOT_FOUND)

    assert not IsbnResolution(asked=[answered], skipped=[held_back]).is_final
    assert IsbnResolution(asked=[answered]).is_final
    assert not held_back.request_sent and answered.request_sent
    assert not ProviderOutcome("google_books", LookupStatus.FOUND, from_cache=True).request_sent


def test_past_the_deadline_the_remaining_books_wait_for_a_later_run(provider_server):
    """A month's task must end before its timeout: books left unsearched are not final (the
    daily retry asks about them), and no request is sent for them; a source's ISBN still
    resolves its book (nobody need be asked)."""
    import time

    dump_book = DiscoveredBook(
        title="Use of Weapons",
        authors=["Iain M. Banks"],
        source="openlibrary_dump",
        isbns=["9780316030571"],
    )
    resolutions = books_resolve([dump_book, CHILDREN, RINGS], deadline=time.monotonic() - 1)

    dumped, children, rings = resolutions.books
    assert dumped.isbn13 == "9780316030571"
    for book in (children, rings):
        assert book.not_searched == resolve.OUT_OF_TIME
        assert not book.resolved and not book.final
    assert resolutions.calls == {}
    assert provider_server.requests == []


def test_the_callback_after_each_book_can_stop_the_run(provider_server):
    """The month's heartbeat runs after each searched book; a cancelled month stops there."""

    class Cancelled(Exception):
        pass

    seen = []

    def heartbeat():
        seen.append(1)
        raise Cancelled

    with pytest.raises(Cancelled):
        books_resolve([CHILDREN, RINGS], after_each=heartbeat)
    assert len(seen) == 1
    assert len(provider_server.requests) == 1  # Children of Time only


def test_a_provider_that_could_not_be_reached_cost_no_call(provider_server, settings):
    """Google Books refuses the connection (nothing listens on its port, as offline): no request
    left the machine, so the month's provider calls count Open Library's only."""
    settings.GOOGLE_BOOKS_URL = f"http://127.0.0.1:{refused_port()}/books/v1"

    resolutions = books_resolve([RINGS, UNKNOWN])

    rings, unknown = resolutions.books
    assert rings.isbn13 == LORD_OF_THE_RINGS
    assert [f.fault.kind for f in unknown.resolution.failed] == ["refused"]
    assert resolutions.calls == {"openlibrary": 2}
    assert len(provider_server.requests) == 2
