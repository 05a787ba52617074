import re

import pytest
import responses

from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import FakeClock, body


@pytest.fixture(autouse=True)
def provider_settings(settings, db):
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    settings.GOOGLE_BOOKS_API_KEY = ""
    settings.ISBNDB_API_KEY = "isbndb-test-key"
    settings.OPENLIBRARY_RATE = 1.0
    settings.OPENLIBRARY_BATCH_SIZE = 100
    # These tests check spacing at exactly the configured rate; the headroom has its own test.
    settings.ENRICHMENT_RATE_HEADROOM = 0
    return settings


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def http():
    """Every request is answered from what the test registered: there is no network."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make(clock):
    """Build a provider on the fake clock: rate-limit waits advance it instead of sleeping."""

    def build(provider_class, **options):
        return provider_class(clock=clock.time, sleep=clock.sleep, **options)

    return build


@pytest.fixture
def covers(cover_settings):
    """Cover downloads from a loopback test server: a second to connect, two to read."""
    cover_settings.COVER_CONNECT_TIMEOUT, cover_settings.COVER_READ_TIMEOUT = 1.0, 2.0
    return cover_settings


@pytest.fixture
def openlibrary(settings, make):
    """Open Library asked on a loopback test server, with its timeouts; a module whose tests
    need the provider otherwise defines its own."""
    settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT = 1, 2
    return make(OpenLibraryProvider)


@pytest.fixture
def openlibrary_knowing_no_authors(make, http):
    """Open Library whose author records all answer 404 (a synthetic not-found body): the
    records a test reads name authors by key, and Open Library knows none of them here."""
    http.get(
        re.compile(r"https://openlibrary\.org/authors/.*"),
        status=404,
        body=body("openlibrary", "synthetic-author__OL99000002A__notfound.json"),
    )
    return make(OpenLibraryProvider)
