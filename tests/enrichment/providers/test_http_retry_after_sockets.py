"""Retry-After as a real server on 127.0.0.1 sends it (raw_http_server), on a 429 and a 503: an
HTTP-date in the past, in the year 9999, garbage, and the header twice.

Two Retry-After headers (a proxy's and the provider's) reach the client as one list, "120, 5":
it was no number and no date, so the 429 held the provider back not at all and the next request
went at once, into another 429. The longest wait of the list is kept. The answers are built here
(synthetic).
"""

import pytest

from enrichment.candidates import LookupStatus
from enrichment.models import ProviderState
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.raw_http_server import raw_http_server

pytestmark = pytest.mark.django_db

ISBN = "9780316030571"
PAST = "Sun, 06 Nov 1994 08:49:37 GMT"
FAR = "Fri, 31 Dec 9999 23:59:59 GMT"


def refusal(status: bytes, *retry_after: bytes) -> bytes:
    headers = b"".join(b"Retry-After: " + value + b"\r\n" for value in retry_after)
    return (
        b"HTTP/1.1 " + status + b"\r\n" + headers
        + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )  # fmt: skip


@pytest.fixture
def openlibrary(settings, make):
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 1, 2
    settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS = 3600
    return make(OpenLibraryProvider, max_wait=0)


def held_back(settings, openlibrary, clock, answer: bytes):
    """The lookup's status, and how long the provider is held back from now (None: not)."""
    started = clock.time()
    with raw_http_server(lambda conn, head: conn.sendall(answer)) as server:
        settings.OPENLIBRARY_URL = server.url
        result = openlibrary.lookup_isbns([ISBN])[ISBN]
    until = ProviderState.objects.get(provider="openlibrary").throttled_until
    return result.status, (until.timestamp() - started if until else None)


@pytest.mark.parametrize("order", [(b"120", b"5"), (b"5", b"120")], ids=["120, 5", "5, 120"])
def test_two_retry_after_headers_hold_the_provider_back_the_longest(
    settings, openlibrary, clock, order
):
    status, wait = held_back(settings, openlibrary, clock, refusal(b"429 Too Many", *order))
    assert status == LookupStatus.THROTTLED
    assert wait == pytest.approx(120.0, abs=1.0)


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(PAST.encode(), None), (FAR.encode(), 3600.0), (b"Mon, 99 Foo 2026 99:99:99 GMT", None)],
    ids=["a date past", "the year 9999", "garbage"],
)
def test_retry_after_dates_on_a_429(settings, openlibrary, clock, retry_after, wait):
    status, held = held_back(settings, openlibrary, clock, refusal(b"429 Too Many", retry_after))
    assert status == LookupStatus.THROTTLED
    assert held == (pytest.approx(wait, abs=1.0) if wait else None)


@pytest.mark.parametrize("retry_after", [PAST.encode(), FAR.encode(), b"\xff\xfe soon"])
def test_retry_after_on_a_503_is_a_server_error_that_holds_nothing(
    settings, openlibrary, clock, retry_after
):
    """A 503's wait is the breaker's business: the lookup is a server error, counted by it."""
    status, held = held_back(settings, openlibrary, clock, refusal(b"503 Busy", retry_after))
    assert (status, held) == (LookupStatus.SERVER_ERROR, None)
