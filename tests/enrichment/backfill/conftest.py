"""Fixtures of the backfill tests (their helpers: the *_support.py modules beside them)."""

import pytest

from tests.enrichment.backfill.providers_support import ProviderServer


@pytest.fixture
def provider_server(settings):
    """Google Books, then Open Library (ENRICHMENT_PROVIDERS order), both on the local server,
    with no rate spacing between the tests' few requests."""
    with ProviderServer() as server:
        settings.ENRICHMENT_PROVIDERS = ["google_books", "openlibrary"]
        settings.GOOGLE_BOOKS_URL = f"{server.url}/books/v1"
        settings.GOOGLE_BOOKS_API_KEY = ""
        settings.OPENLIBRARY_URL = server.url
        settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
        settings.GOOGLE_BOOKS_RATE = 1000
        settings.OPENLIBRARY_RATE = 1000
        settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000
        settings.OPENLIBRARY_DAILY_BUDGET = 0
        settings.ENRICHMENT_BREAKER_FAILURES = 5
        settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT = 2
        settings.ENRICHMENT_HTTP_READ_TIMEOUT = 2
        yield server
