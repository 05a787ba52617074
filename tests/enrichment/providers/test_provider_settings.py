"""Each provider reads its own settings in one place: the names its class declares in
`setting_names`. Point a name elsewhere (or override the setting) and every request, page link
and cover URL follows; the start-up check refuses a URL no request could use.

The answers here are empty ones built in the test from the shapes in docs/providers.md: these
tests are about where requests go, not about what the providers say.
"""

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from enrichment import throttle
from enrichment.candidates import LookupStatus
from enrichment.providers import openlibrary, openlibrary_dump
from enrichment.providers.archive_org import ArchiveOrgProvider
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.isbndb import IsbndbProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from enrichment.providers.wikidata import WikidataProvider

ISBN = "9780316030571"
MIRROR = "http://mirror.test:8080/base"


@dataclasses.dataclass(frozen=True)
class Exchange:
    """How one provider asks for ISBN, under `base` (its URL setting), and an empty answer."""

    cls: type
    method: str
    path: str  # after the base URL
    empty_answer: dict
    status: int = 200


EXCHANGES = [
    Exchange(OpenLibraryProvider, "GET", "/api/books", {}),  # a full miss is {}
    Exchange(GoogleBooksProvider, "GET", "/volumes", {"kind": "books#volumes", "totalItems": 0}),
    Exchange(IsbndbProvider, "GET", f"/book/{ISBN}", {"errorMessage": "Not Found"}, status=404),
    Exchange(WikidataProvider, "POST", "", {"head": {"vars": []}, "results": {"bindings": []}}),
    Exchange(ArchiveOrgProvider, "GET", "/advancedsearch.php", {"response": {"docs": []}}),
]


def rename_setting(monkeypatch, cls, role: str, new_name: str) -> None:
    """Make `cls` name `new_name` for `role`, as if its SettingNames said so."""
    renamed = dataclasses.replace(cls.setting_names, **{role: new_name})
    monkeypatch.setattr(cls, "setting_names", renamed)


def answer(http, exchange: Exchange, base: str) -> None:
    http.add(
        exchange.method,
        f"{base}{exchange.path}",
        json=exchange.empty_answer,
        status=exchange.status,
    )


def ask(make, exchange: Exchange):
    return make(exchange.cls).lookup_isbns([ISBN])[ISBN]


# --- Requests go where the settings say ---------------------------------------------------------


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda exchange: exchange.cls.name)
def test_an_overridden_url_setting_receives_the_requests(http, make, settings, exchange):
    setattr(settings, exchange.cls.setting_names.url, MIRROR)
    answer(http, exchange, MIRROR)

    result = ask(make, exchange)

    assert result.status == LookupStatus.NOT_FOUND, result.error
    assert [call.request.url.startswith(f"{MIRROR}{exchange.path}") for call in http.calls] == [
        True
    ]


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda exchange: exchange.cls.name)
def test_the_url_is_read_through_the_name_the_class_declares(
    http, make, settings, monkeypatch, exchange
):
    # Before: each module also named its URL setting itself (settings.OPENLIBRARY_URL...), so a
    # class declaring another name still sent its requests to the old setting's host.
    settings.BOOKSTORE_TEST_MIRROR_URL = MIRROR
    rename_setting(monkeypatch, exchange.cls, "url", "BOOKSTORE_TEST_MIRROR_URL")
    answer(http, exchange, MIRROR)

    result = ask(make, exchange)

    assert result.status == LookupStatus.NOT_FOUND, result.error
    assert len(http.calls) == 1 and http.calls[0].request.url.startswith(MIRROR)


def test_record_pages_and_cover_urls_follow_the_declared_names(settings, monkeypatch):
    settings.BOOKSTORE_TEST_MIRROR_URL = MIRROR
    settings.BOOKSTORE_TEST_COVERS_URL = "http://covers.mirror.test/"
    rename_setting(monkeypatch, OpenLibraryProvider, "url", "BOOKSTORE_TEST_MIRROR_URL")
    rename_setting(monkeypatch, OpenLibraryProvider, "covers_url", "BOOKSTORE_TEST_COVERS_URL")
    rename_setting(monkeypatch, ArchiveOrgProvider, "url", "BOOKSTORE_TEST_MIRROR_URL")

    assert OpenLibraryProvider.book_url({"openlibrary_edition": "OL1M"}) == f"{MIRROR}/books/OL1M"
    assert ArchiveOrgProvider.book_url({"archive_org": "item"}) == f"{MIRROR}/details/item"
    assert openlibrary.cover_refs([42])[0].url == "http://covers.mirror.test/b/id/42-L.jpg"
    # The local dump's records are Open Library's: its pages and covers are at Open Library's
    # URLs, read through Open Library's names.
    assert OpenLibraryDumpProvider.book_url({"openlibrary_work": "OL2W"}) == f"{MIRROR}/works/OL2W"
    assert openlibrary_dump.cover_refs([42])[0].url == "http://covers.mirror.test/b/id/42-L.jpg"


def test_the_google_key_is_read_through_the_declared_name_and_never_shown(
    http, make, settings, monkeypatch
):
    settings.GOOGLE_BOOKS_API_KEY = "the-old-key"
    settings.BOOKSTORE_TEST_KEY = "mirror-key-123"
    rename_setting(monkeypatch, GoogleBooksProvider, "api_key", "BOOKSTORE_TEST_KEY")
    http.get(
        "https://www.googleapis.com/books/v1/volumes",
        json={"error": {"message": "API key mirror-key-123 not valid"}},
        status=400,
    )

    result = make(GoogleBooksProvider).lookup_isbns([ISBN])[ISBN]

    assert http.calls[0].request.params["key"] == "mirror-key-123"
    assert result.status == LookupStatus.AUTH_REFUSED
    assert "mirror-key-123" not in result.error  # the key named there is the one redacted


def test_isbndb_s_key_is_read_through_the_declared_name(http, make, settings, monkeypatch):
    settings.ISBNDB_API_KEY = ""
    settings.BOOKSTORE_TEST_KEY = "isbndb-mirror-key"
    rename_setting(monkeypatch, IsbndbProvider, "api_key", "BOOKSTORE_TEST_KEY")
    http.get(f"https://api2.isbndb.com/book/{ISBN}", json={"errorMessage": "Not Found"}, status=404)

    provider = make(IsbndbProvider)
    result = provider.lookup_isbns([ISBN])[ISBN]

    assert provider.is_configured()  # the key under the declared name counts
    assert result.status == LookupStatus.NOT_FOUND
    assert http.calls[0].request.headers["Authorization"] == "isbndb-mirror-key"


def test_limits_and_batch_size_are_read_through_the_declared_names(settings, monkeypatch):
    settings.ENRICHMENT_RATE_HEADROOM = 0.0
    settings.BOOKSTORE_TEST_RATE = 0.5
    settings.BOOKSTORE_TEST_BUDGET = 12
    settings.BOOKSTORE_TEST_BATCH = 7
    rename_setting(monkeypatch, OpenLibraryProvider, "rate", "BOOKSTORE_TEST_RATE")
    rename_setting(monkeypatch, OpenLibraryProvider, "daily_budget", "BOOKSTORE_TEST_BUDGET")
    rename_setting(monkeypatch, OpenLibraryProvider, "batch_size", "BOOKSTORE_TEST_BATCH")

    limits = throttle.limits_for("openlibrary")

    assert (limits.rate, limits.daily_budget) == (0.5, 12)
    assert OpenLibraryProvider().batch_size == 7


# --- The start-up check -------------------------------------------------------------------------


def check_output() -> str:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    return str(raised.value)


@pytest.mark.parametrize(
    "value",
    ["archive.org", "ftp://archive.org", "htps://archive.org", "http://:8080", "http://a:port"],
)
def test_a_provider_url_no_request_could_use_fails_the_check(settings, value):
    settings.ARCHIVE_ORG_URL = value

    output = check_output()

    assert "enrichment.E006" in output and f"ARCHIVE_ORG_URL is {value!r}" in output
    assert "The public address is https://archive.org." in output


def test_a_bad_covers_url_fails_the_check_too(settings):
    settings.OPENLIBRARY_COVERS_URL = "covers.openlibrary.org"

    output = check_output()

    assert "enrichment.E006" in output and "OPENLIBRARY_COVERS_URL" in output


def test_a_local_mirror_over_plain_http_passes_the_check(settings):
    settings.ARCHIVE_ORG_URL = "http://127.0.0.1:8765/"
    settings.OPENLIBRARY_COVERS_URL = "http://localhost:9000"

    call_command("check")


def test_a_disabled_provider_s_url_is_not_checked(settings):
    settings.ARCHIVE_ORG_URL = "not a url"
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]

    call_command("check")


def test_every_declared_setting_must_exist_covers_and_batch_size_included(settings):
    del settings.OPENLIBRARY_COVERS_URL
    del settings.ISBNDB_BATCH_SIZE

    output = check_output()

    assert "Provider 'openlibrary' reads OPENLIBRARY_COVERS_URL, which is not set." in output
    assert "Provider 'isbndb' reads ISBNDB_BATCH_SIZE, which is not set." in output
