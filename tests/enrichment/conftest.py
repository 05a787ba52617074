"""Fixtures shared by the enrichment tests. cover_settings is used by the fetch_cover_bytes
tests (their pytestmark), not by every test here."""

import socket
from types import SimpleNamespace

import pytest
import responses
from django.contrib.auth.models import User

from tests.enrichment.covers_fetch_support import PUBLIC_IP, _is_ip


@pytest.fixture
def reviewer():
    """A staff user who decides (the review services take any user: the admin checks rights)."""
    return User.objects.create_user("reviewer", is_staff=True)


@pytest.fixture
def cover_settings(settings):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.openlibrary.org"
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.ARCHIVE_ORG_URL = "https://archive.org"
    settings.GOOGLE_BOOKS_URL = "https://www.googleapis.com/books/v1"
    settings.ISBNDB_URL = "https://api2.isbndb.com"
    settings.COVER_ALLOWED_HOSTS = []
    settings.COVER_MAX_BYTES = 10 * 1024 * 1024
    settings.ENRICHMENT_CONTACT_EMAIL = ""
    return settings


@pytest.fixture
def dns(monkeypatch):
    """The test's DNS: a name resolves only to the addresses (or a callable's) in `table`."""
    table: dict[str, object] = {
        "covers.openlibrary.org": [PUBLIC_IP],
        "archive.org": [PUBLIC_IP],
        "ia800100.us.archive.org": [PUBLIC_IP],
        "books.google.com": [PUBLIC_IP],
        "images.isbndb.com": [PUBLIC_IP],
    }
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if _is_ip(host):  # a literal needs no DNS (urllib3 passes the vetted address here)
            return real_getaddrinfo(host, port, family, type, proto, flags)
        lookups.append(host)
        answer = table.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the test's DNS table")
        addresses = answer() if callable(answer) else answer
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(table=table, lookups=lookups)


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked
