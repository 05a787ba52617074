"""A whole provider request ends within ENRICHMENT_HTTP_CONNECT_TIMEOUT +
ENRICHMENT_HTTP_READ_TIMEOUT, whatever the provider does with its socket.

The socket timeouts bound each read only: a provider that sends one byte inside every read
timeout used to hold a worker for as long as it kept dripping. Here the timeouts are 0.3 s +
0.6 s and a real HTTP server on 127.0.0.1 (a thread) drips one byte every 0.1 s: each read gets a
byte well inside its timeout, so only the request's deadline can end it. A dripped answer is at
most a couple of hundred bytes (under 20 s): forever to a 0.9 s deadline, yet a broken deadline
fails the test instead of hanging it. The bodies are built here (synthetic).
"""

import json
import time

import pytest

from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState, SourceRecord
from enrichment.providers.base import TitleQuery
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import load
from tests.enrichment.providers.local_server import LocalServer

CONNECT_TIMEOUT, READ_TIMEOUT = 0.3, 0.6
DEADLINE = CONNECT_TIMEOUT + READ_TIMEOUT
SLACK = 0.5
DRIP_EVERY = 0.1
DRIP_BYTES = 100
DEADLINE_NOTE = "(ENRICHMENT_HTTP_CONNECT_TIMEOUT + ENRICHMENT_HTTP_READ_TIMEOUT)"
ISBN = "9780316030571"
OTHER_ISBN = "9784815602666"
RECORDED_ANSWER = load("openlibrary", "books_api_jscmd_data__ISBN_9780316030571.json")
#: The start of a Books API answer whose description never ends.
ENDLESS_JSON = b'{"ISBN:9780316030571": {"title": "Use of Weapons", "description": "' + (
    b"a" * DRIP_BYTES
)


@pytest.fixture
def server(settings):
    with LocalServer() as local:
        settings.OPENLIBRARY_URL = local.url
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = CONNECT_TIMEOUT
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = READ_TIMEOUT
        local.peers = []
        yield local


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


def dripped(data: bytes, server: LocalServer):
    """`data` one byte every DRIP_EVERY seconds, until the test ends."""
    for byte in data:
        if server.stop.wait(DRIP_EVERY):
            return
        yield bytes([byte])


def timed_lookup(provider, isbn13=ISBN):
    started = time.monotonic()
    result = provider.lookup_isbns([isbn13])[isbn13]
    return result, time.monotonic() - started


def assert_given_up_at_the_deadline(result, seconds):
    assert result.status == LookupStatus.TIMEOUT, result
    assert f"gave up after {DEADLINE:.3g} s" in result.error
    assert DEADLINE_NOTE in result.error
    # It waited for the deadline (nothing else ended it) and not much longer.
    assert DEADLINE - 0.05 <= seconds < DEADLINE + SLACK, f"took {seconds:.2f} s"


def assert_recorded_as_a_timeout():
    state = ProviderState.objects.get(provider="openlibrary")
    assert state.consecutive_failures == 1  # counted by the breaker
    assert state.last_error_kind == "timeout"
    assert "did not answer in time (timeout)" in state.last_error
    assert state.in_flight == 0
    assert not SourceRecord.objects.exists()


@pytest.mark.parametrize("declared_length", [False, True], ids=["until-close", "content-length"])
def test_a_body_dripped_a_byte_at_a_time_is_given_up_at_the_deadline(
    server, openlibrary, declared_length
):
    headers = {"Content-Length": str(len(ENDLESS_JSON))} if declared_length else {}
    server.answer = lambda handler: server.send(
        handler, dripped(ENDLESS_JSON, server), headers=headers
    )

    result, seconds = timed_lookup(openlibrary)

    assert_given_up_at_the_deadline(result, seconds)
    assert_recorded_as_a_timeout()
    assert server.body_bytes_sent < DRIP_BYTES / 2  # the client hung up long before the end


def test_dripped_headers_are_given_up_at_the_deadline(server, openlibrary):
    status_and_headers = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
        + b"a" * DRIP_BYTES
        + b"\r\n\r\n"
    )

    def drip_headers(handler):
        handler.close_connection = True
        for byte in dripped(status_and_headers, server):
            try:
                handler.wfile.write(byte)
            except OSError:  # the client gave up
                return

    server.answer = drip_headers

    result, seconds = timed_lookup(openlibrary)

    assert_given_up_at_the_deadline(result, seconds)
    assert_recorded_as_a_timeout()


def test_headers_then_silence_is_a_timeout_within_the_deadline(server, openlibrary):
    def headers_then_nothing(handler):
        server.send(handler, [], headers={"Content-Length": "1000"})
        server.stop.wait(10)

    server.answer = headers_then_nothing

    result, seconds = timed_lookup(openlibrary)

    # The read timeout (0.6 s) ends this one, inside the deadline.
    assert result.status == LookupStatus.TIMEOUT, result
    assert seconds < DEADLINE + SLACK, f"took {seconds:.2f} s"
    assert_recorded_as_a_timeout()


def test_an_error_body_dripped_a_byte_at_a_time_is_given_up_at_the_deadline(server, openlibrary):
    # Error bodies are read for their first 16 KB: at 10 bytes a second, 27 minutes.
    server.answer = lambda handler: server.send(
        handler, dripped(b"Service Unavailable " * 5, server), status=503
    )

    result, seconds = timed_lookup(openlibrary)

    assert_given_up_at_the_deadline(result, seconds)
    assert_recorded_as_a_timeout()


def test_a_normal_answer_works_and_a_kept_alive_connection_is_watched_again(server, openlibrary):
    normal = json.dumps(RECORDED_ANSWER).encode()
    answers = iter(
        [
            # A length: the connection is kept alive for the next request.
            lambda handler: server.send(
                handler, [normal], headers={"Content-Length": str(len(normal))}
            ),
            lambda handler: server.send(handler, dripped(ENDLESS_JSON, server)),
        ]
    )

    def answer(handler):
        server.peers.append(handler.client_address)
        next(answers)(handler)

    server.answer = answer

    found, _ = timed_lookup(openlibrary)
    dripping, seconds = timed_lookup(openlibrary, OTHER_ISBN)

    assert found.status == LookupStatus.FOUND
    assert found.candidates[0].title == "Use of Weapons"
    assert_given_up_at_the_deadline(dripping, seconds)
    assert len(server.peers) == 2 and len(set(server.peers)) == 1  # one connection, reused


def test_the_deadline_holds_through_an_http_proxy_from_the_environment(
    server, openlibrary, settings, monkeypatch
):
    # The local server plays a forward proxy that drips whatever it is asked for.
    settings.OPENLIBRARY_URL = "http://openlibrary.example.test"
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", server.url)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    server.answer = lambda handler: server.send(handler, dripped(ENDLESS_JSON, server))

    result, seconds = timed_lookup(openlibrary)

    assert server.requests[0].startswith("http://openlibrary.example.test/api/books?")
    assert_given_up_at_the_deadline(result, seconds)


def test_after_a_timed_out_batch_the_lookups_other_batches_are_not_sent(
    server, openlibrary, settings
):
    # One ISBN a request: a dripping provider would otherwise cost a deadline per ISBN.
    settings.OPENLIBRARY_BATCH_SIZE = 1
    server.answer = lambda handler: server.send(handler, dripped(ENDLESS_JSON, server))

    started = time.monotonic()
    results = openlibrary.lookup_isbns([ISBN, OTHER_ISBN])
    seconds = time.monotonic() - started

    assert len(server.requests) == 1
    assert seconds < DEADLINE + SLACK, f"took {seconds:.2f} s"
    assert {result.status for result in results.values()} == {LookupStatus.TIMEOUT}
    assert "not asked after" in results[OTHER_ISBN].error


def test_after_a_timed_out_title_search_the_others_of_the_batch_are_not_sent(
    server, make, settings
):
    """A provider that searches one title a request (Google Books) and accepts connections
    but never answers: one deadline for the batch's searches, not one per book (ten books
    times 35 s outlasted a worker's Q_TIMEOUT, and the task was killed with its claims)."""
    settings.GOOGLE_BOOKS_URL = server.url
    settings.GOOGLE_BOOKS_API_KEY = ""
    settings.GOOGLE_BOOKS_RATE = 1000
    server.answer = lambda handler: server.stop.wait(10)  # accepted, never answered
    google = make(GoogleBooksProvider)
    queries = [
        TitleQuery(title=title, author=author)
        for title, author in [
            ("Use of Weapons", "Iain M. Banks"),
            ("Neverwhere", "Neil Gaiman"),
            ("Les Enchanteurs", "Romain Gary"),
        ]
    ]

    started = time.monotonic()
    results = google.search_many(queries)
    seconds = time.monotonic() - started

    assert len(server.requests) == 1
    assert seconds < DEADLINE + SLACK, f"took {seconds:.2f} s"
    assert [result.status for result in results] == [LookupStatus.TIMEOUT] * 3
    assert "not asked after" in results[1].error and "not asked after" in results[2].error
    # The books not asked are no extra failures of the provider: one request, one count.
    assert ProviderState.objects.get(provider="google_books").consecutive_failures == 1
