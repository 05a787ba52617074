"""Providers describe themselves: labels, record pages, settings, and the start-up check."""

import dataclasses
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from enrichment import throttle
from enrichment.models import AuditLogEntry, ProviderState, SourceRecord
from enrichment.providers import registry
from enrichment.providers.google_books import GoogleBooksProvider
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from tests.enrichment.test_review_admin import change_url, librarian, needs_review

ALL_CLASSES = [registry.provider_class(name) for name in registry.PROVIDER_CLASSES]


def check_output(**options) -> str:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", **options)
    return str(raised.value)


# --- The start-up check -------------------------------------------------------------------------


def test_the_default_settings_pass_the_check():
    call_command("check")  # raises SystemCheckError on any error


def test_a_misspelt_provider_name_fails_manage_py_check_and_lists_the_known_ones(settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_bookz"]

    output = check_output()

    assert "enrichment.E002" in output
    assert "Unknown enrichment provider 'google_bookz'" in output
    assert "Known providers: openlibrary_dump, openlibrary, google_books" in output


@pytest.mark.parametrize("rate", [0.0, -1.0])
def test_an_enabled_provider_without_a_rate_fails_the_check(settings, rate):
    settings.GOOGLE_BOOKS_RATE = rate

    output = check_output()

    assert "enrichment.E004" in output and "GOOGLE_BOOKS_RATE" in output


def test_a_disabled_provider_s_settings_are_not_checked(settings):
    settings.GOOGLE_BOOKS_RATE = 0.0
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]

    call_command("check")


def test_a_negative_budget_fails_the_check(settings):
    settings.ISBNDB_DAILY_BUDGET = -5

    output = check_output()

    assert "enrichment.E005" in output and "ISBNDB_DAILY_BUDGET is -5" in output


def test_a_setting_a_provider_names_but_that_does_not_exist_fails_the_check(settings):
    del settings.WIKIDATA_MAX_IN_FLIGHT

    output = check_output()

    assert "enrichment.E003" in output and "WIKIDATA_MAX_IN_FLIGHT" in output


# --- What each class declares -------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda cls: cls.name)
def test_every_provider_has_a_label_and_names_settings_that_exist(cls):
    assert cls.label and str(cls.label) != cls.name
    names = cls.setting_names
    for role in dataclasses.fields(names):
        setting = getattr(names, role.name)
        assert not setting or hasattr(django_settings, setting), setting


def test_provider_label_falls_back_to_the_key_for_a_provider_no_longer_known():
    assert registry.provider_label("google_books") == "Google Books"
    assert registry.provider_label("a_retired_source") == "a_retired_source"
    assert registry.provider_label("") == ""


def test_limits_come_from_the_settings_the_class_names(settings):
    settings.ENRICHMENT_RATE_HEADROOM = 0.0
    settings.GOOGLE_BOOKS_RATE = 2.5
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 7

    limits = throttle.limits_for("google_books")

    assert (limits.rate, limits.daily_budget, limits.max_in_flight) == (2.5, 7, 0)
    # A local source names no rate: it is not limited.
    assert throttle.limits_for(OpenLibraryDumpProvider.name).rate == 0.0


def test_batch_size_comes_from_the_named_setting_or_the_fixed_size(settings):
    settings.OPENLIBRARY_BATCH_SIZE = 17

    assert OpenLibraryProvider().batch_size == 17
    assert GoogleBooksProvider().batch_size == 1
    assert OpenLibraryDumpProvider().batch_size == 1000


def test_book_url_gives_each_provider_s_page_for_its_own_ids(settings):
    settings.OPENLIBRARY_URL = "https://ol.example.org/"
    ids = {"openlibrary_work": "OL2W", "openlibrary_edition": "/books/OL1M"}

    assert OpenLibraryProvider.book_url(ids) == "https://ol.example.org/books/OL1M"
    assert OpenLibraryProvider.book_url({"openlibrary_work": "OL2W"}).endswith("/works/OL2W")
    assert GoogleBooksProvider.book_url(ids) == ""  # not its ids
    assert GoogleBooksProvider.book_url({"google_books": "a b?c"}) == (
        "https://books.google.com/books?id=a%20b%3Fc"  # provider data cannot add parameters
    )


def test_record_links_are_labelled_and_one_per_page():
    links = registry.record_links({"openlibrary_edition": "OL1M", "wikidata": "Q42"})

    # The dump's records are Open Library's: one link, named after the web source.
    assert links == [
        ("Open Library edition", "https://openlibrary.org/books/OL1M"),
        ("Wikidata", "https://www.wikidata.org/wiki/Q42"),
    ]


def test_an_edition_and_its_work_are_both_linked_for_reviewers():
    links = registry.record_links({"openlibrary_edition": "OL1M", "openlibrary_work": "OL2W"})
    assert links == [
        ("Open Library edition", "https://openlibrary.org/books/OL1M"),
        ("Open Library work", "https://openlibrary.org/works/OL2W"),
    ]


# --- On screen: labels, never keys --------------------------------------------------------------


def cell(page: str, css_class: str) -> str:
    match = re.search(rf'class="field-{css_class}[^"]*">(?:<a [^>]*>)?([^<]*)<', page)
    assert match, css_class
    return match.group(1)


@pytest.mark.django_db
def test_provider_lists_in_the_admin_show_labels_not_keys(client, admin_user):
    ProviderState.objects.create(provider="google_books")
    SourceRecord.objects.create(
        provider="google_books",
        lookup_key="isbn:9780060557812",
        status=SourceRecord.Status.MISS,
        payload={},
        fetched_at="2024-01-01T00:00:00Z",
        expires_at="2024-01-02T00:00:00Z",
    )
    client.force_login(admin_user)

    states = client.get(reverse("admin:enrichment_providerstate_changelist")).content.decode()
    records = client.get(reverse("admin:enrichment_sourcerecord_changelist")).content.decode()
    filtered = client.get(
        reverse("admin:enrichment_sourcerecord_changelist") + "?provider__exact=openlibrary"
    ).content.decode()

    assert cell(states, "provider_name") == "Google Books"
    assert cell(records, "provider_name") == "Google Books"
    assert "9780060557812" not in filtered  # the review page's "cached answers" link filters


@pytest.mark.django_db
def test_the_review_page_and_audit_log_show_provider_labels(client, sent_tasks):
    request = needs_review()
    client.force_login(librarian())
    AuditLogEntry.objects.create(
        work=request.work, action=AuditLogEntry.Action.AUTO_APPLY, provider="openlibrary,isbndb"
    )

    page = client.get(change_url(request)).content.decode()
    audit = client.get(reverse("admin:enrichment_auditlogentry_changelist")).content.decode()

    assert re.search(r"<h3>Open Library(: |<)", page)  # the candidate's heading
    assert "Proposed · Open Library" in page and "Proposed · openlibrary" not in page
    assert cell(audit, "provider_and_request") == "Open Library, ISBNdb"
