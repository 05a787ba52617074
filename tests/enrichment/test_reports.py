import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.reports import coverage_report
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


def verified(obj, source):
    obj.cover = f"covers/{obj.pk}-{source}.jpg"
    obj.cover_source = source
    obj.cover_verified_at = timezone.now()
    obj.save()


def test_only_verified_covers_count_by_source():
    verified(make_edition(make_work("From OL")), "openlibrary")
    verified(make_work("From Archive"), "archive_org")
    verified(make_edition(make_work("From Google")), "google_books")
    guessed = make_edition(make_work("Guessed URL"))
    guessed.cover = "covers/guess.jpg"  # a file nobody verified: not a cover
    guessed.save()
    make_work("Bare")

    report = coverage_report()
    covers = report["covers"]
    assert report["works"] == 5
    assert covers["verified_open_library_and_archive_org"] == 2
    assert covers["verified_other_providers"] == 1
    assert covers["missing"] == 2
    assert covers["by_source"] == {"archive_org": 1, "google_books": 1, "openlibrary": 1}


def test_queue_metadata_and_provider_budget(settings):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000  # the budget the throttle enforces
    work = make_work("Pending")
    EnrichmentRequest.objects.create(work=work, trigger="command")
    ProviderState.objects.create(
        provider="google_books",
        day=timezone.now().astimezone(datetime.UTC).date(),
        requests_today=250,
        last_error="429 Too Many Requests",
    )
    report = coverage_report()
    assert report["queue"]["pending"] == 1 and report["queue"]["failed"] == 0
    assert report["metadata"]["missing_description"] == 1
    google = report["providers"]["google_books"]
    assert (google["budget_left"], google["breaker"]) == (750, "closed")
    assert report["providers"]["openlibrary"]["budget_left"] is None


def test_a_provider_without_its_key_is_reported_as_skipped_not_with_a_budget(settings):
    # ISBNdb without ISBNDB_API_KEY is never asked; the report printed "2,000 of 2,000 left
    # today" for it as if it were working through its budget.
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "isbndb"]
    settings.ISBNDB_API_KEY = ""
    settings.ISBNDB_DAILY_BUDGET = 2000
    out = StringIO()
    call_command("enrichment_report", stdout=out)
    text = out.getvalue()
    assert "ISBNdb: not configured: skipped (never asked)." in text
    assert "of 2,000 left today" not in text
    assert "Open Library: 0 requests today, no daily budget, breaker closed." in text
    providers = coverage_report()["providers"]
    assert (providers["isbndb"]["configured"], providers["openlibrary"]["configured"]) == (
        False,
        True,
    )
    settings.ISBNDB_API_KEY = "a-key"
    assert coverage_report()["providers"]["isbndb"]["configured"] is True


def test_command_prints_the_table_and_json():
    verified(make_edition(make_work("From OL")), "openlibrary")
    make_work("Bare")
    out = StringIO()
    call_command("enrichment_report", stdout=out)
    text = out.getvalue()
    assert "| Verified covers: Open Library and Archive.org | 1 | 50.00% |" in text
    assert "| Missing (no verified cover) | 1 | 50.00% |" in text
    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    assert json.loads(out.getvalue())["covers"]["missing"] == 1


def test_provider_budget_is_the_enforced_one_and_yesterdays_count_is_not_todays(settings):
    # Before: the report read ProviderState.daily_budget, which nothing writes (so "unlimited"),
    # and yesterday's request count as today's; the dashboard read the throttle's.
    settings.ENRICHMENT_PROVIDERS = ["google_books"]
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000
    yesterday = timezone.now().astimezone(datetime.UTC).date() - datetime.timedelta(days=1)
    ProviderState.objects.create(provider="google_books", day=yesterday, requests_today=900)
    google = coverage_report()["providers"]["google_books"]
    assert (google["daily_budget"], google["requests_today"], google["budget_left"]) == (
        1000,
        0,
        1000,
    )


def test_the_command_names_cover_sources_as_the_dashboard_does():
    """Keys stay in --json; the text says what the dashboard says: a provider's label,
    "Uploaded by hand", "Unknown" for covers from before sources were recorded."""
    verified(make_edition(make_work("From OL")), "openlibrary")
    verified(make_work("Scanned here"), "upload")
    verified(make_work("Old"), "")
    out = StringIO()
    call_command("enrichment_report", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("Verified covers by"))
    assert "Open Library 1" in line and "Uploaded by hand 1" in line and "Unknown 1" in line
    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    assert set(json.loads(out.getvalue())["covers"]["by_source"]) >= {"openlibrary", "upload"}
