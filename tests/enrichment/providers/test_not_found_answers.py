"""A 404 is "the provider does not know this book" only when its body is the provider's own
"no such record" answer. Any other 404 (a proxy's HTML page, a wrong base URL, an empty body)
is a provider fault: never cached as "not found", asked again next time."""

import json

import pytest

from enrichment.candidates import LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers.archive_org import ArchiveOrgProvider
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.isbndb import IsbndbProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import body, load

PROXY_PAGE = body("openlibrary", "synthetic-proxy__404_html_page.html")

#: (provider class, the URL a lookup asks, the lookup, the provider's own not-found body)
LOOKUPS = {
    "openlibrary edition": (
        OpenLibraryProvider,
        "https://openlibrary.org/books/OL99000001M.json",
        lambda provider: provider.edition("OL99000001M"),
        body("openlibrary", "synthetic-edition__OL99000001M__notfound.json"),
    ),
    "openlibrary author": (
        OpenLibraryProvider,
        "https://openlibrary.org/authors/OL99000002A.json",
        lambda provider: provider.author("OL99000002A"),
        body("openlibrary", "synthetic-author__OL99000002A__notfound.json"),
    ),
    "google_books volume": (
        GoogleBooksProvider,
        "https://www.googleapis.com/books/v1/volumes/XXXXXXXXXXXX",
        lambda provider: provider.volume("XXXXXXXXXXXX"),
        body("google_books", "synthetic-error__404_volume_not_found.json"),
    ),
    "isbndb book": (
        IsbndbProvider,
        "https://api2.isbndb.com/book/9780000000002",
        lambda provider: provider.lookup_isbns(["9780000000002"])["9780000000002"],
        body("isbndb", "synthetic-error__404_not_found.json"),
    ),
}


@pytest.mark.parametrize("name", LOOKUPS)
def test_the_providers_own_not_found_answer_is_not_found(http, make, name):
    provider_class, url, lookup, not_found = LOOKUPS[name]
    http.get(url, status=404, body=not_found)

    result = lookup(make(provider_class))

    assert result.status == LookupStatus.NOT_FOUND
    assert result.candidates == []


@pytest.mark.parametrize("page", [PROXY_PAGE, b""], ids=["html page", "empty body"])
@pytest.mark.parametrize("name", LOOKUPS)
def test_any_other_404_is_a_fault_asked_again_not_a_cached_not_found(http, make, name, page):
    provider_class, url, lookup, _ = LOOKUPS[name]
    asked = http.get(url, status=404, body=page, content_type="text/html")
    provider = make(provider_class)

    result = lookup(provider)

    assert result.status == LookupStatus.SERVER_ERROR
    assert "not taken as not found" in result.error
    assert result.fault.http_status == 404
    assert not SourceRecord.objects.exists()
    lookup(provider)
    assert asked.call_count == 2  # nothing cached: asked again


def test_an_archive_org_404_is_a_fault_its_unknown_item_is_an_empty_200(http, make):
    """Archive.org answers an identifier it does not know with 200 `{}`, so no 404 of its
    metadata endpoint means "no such item"."""
    archive = make(ArchiveOrgProvider)
    http.get("https://archive.org/metadata/nosuchitem", json={})
    http.get("https://archive.org/metadata/behindaproxy", status=404, body=PROXY_PAGE)

    assert archive.item("nosuchitem").status == LookupStatus.NOT_FOUND
    faulty = archive.item("behindaproxy")
    assert faulty.status == LookupStatus.SERVER_ERROR
    assert not SourceRecord.objects.filter(lookup_key__contains="behindaproxy").exists()


def _google_not_found_with_details() -> bytes:
    """Google's 404 envelope as its newer answers write every error (the 429 fragments in the
    shared PROVENANCE.md): `status` and an ErrorInfo `details` entry besides `errors`, which
    takes it past the 300 characters a fault's text quotes."""
    envelope = load("google_books", "synthetic-error__404_volume_not_found.json")
    envelope["error"]["status"] = "NOT_FOUND"
    envelope["error"]["details"] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "NOT_FOUND",
            "domain": "googleapis.com",
            "metadata": {"service": "books.googleapis.com", "method": "volumes.get"},
        }
    ]
    return json.dumps(envelope, indent=2).encode()


@pytest.mark.parametrize(
    "not_found",
    [
        # A byte-order mark before the JSON (a recorder's or a proxy's: the recorded Google
        # bodies in the shared fixtures start with one): any answer is read past it.
        b"\xef\xbb\xbf" + body("google_books", "synthetic-error__404_volume_not_found.json"),
        _google_not_found_with_details(),
    ],
    ids=["byte-order mark", "longer than a fault quotes"],
)
def test_the_providers_own_not_found_is_read_from_its_body_not_from_the_faults_text(
    http, make, not_found
):
    assert len(not_found) > 300 or not_found.startswith(b"\xef\xbb\xbf")
    asked = http.get(
        "https://www.googleapis.com/books/v1/volumes/XXXXXXXXXXXX", status=404, body=not_found
    )

    result = make(GoogleBooksProvider).volume("XXXXXXXXXXXX")

    assert result.status == LookupStatus.NOT_FOUND
    assert result.error == ""
    assert asked.call_count == 1
