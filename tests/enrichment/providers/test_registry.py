import logging

from enrichment.providers import enabled_providers, get_provider, registry
from enrichment.providers.google_books import GoogleBooksProvider


def test_enabled_providers_follow_the_setting_and_skip_isbndb_without_a_key(settings):
    settings.ENRICHMENT_PROVIDERS = ["archive_org", "isbndb", "google_books", "openlibrary"]
    settings.ISBNDB_API_KEY = ""

    assert [p.name for p in enabled_providers()] == ["archive_org", "google_books", "openlibrary"]

    settings.ISBNDB_API_KEY = "isbndb-test-key"
    assert [p.name for p in enabled_providers()] == [
        "archive_org",
        "isbndb",
        "google_books",
        "openlibrary",
    ]


def test_a_provider_whose_module_is_not_written_yet_is_skipped(settings, monkeypatch, caplog):
    monkeypatch.setitem(
        registry.PROVIDER_CLASSES, "future", "enrichment.providers.not_written_yet.FutureProvider"
    )
    settings.ENRICHMENT_PROVIDERS = ["future", "google_books"]

    with caplog.at_level(logging.DEBUG, logger="enrichment.providers.registry"):
        names = [p.name for p in enabled_providers()]

    assert names == ["google_books"]
    assert "'future' has no client yet" in caplog.text


def test_unknown_names_are_skipped(settings):
    settings.ENRICHMENT_PROVIDERS = ["google_bookz", "google_books"]

    assert [p.name for p in enabled_providers()] == ["google_books"]
    assert get_provider("google_bookz") is None


def test_get_provider_passes_options_to_the_client():
    provider = get_provider("google_books", max_wait=0.0)

    assert isinstance(provider, GoogleBooksProvider)
    assert provider.max_wait == 0.0
