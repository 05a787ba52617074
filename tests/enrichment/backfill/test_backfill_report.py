"""The catalog backfill in `enrichment_report` and on the dashboard: months by status, what
they found, and synthetic works counted apart from works every provider answered for."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Work
from enrichment.models import BackfillMonth
from tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def backfilled():
    BackfillMonth.objects.create(
        year=2024,
        month=1,
        status=BackfillMonth.Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=5,
        isbns_resolved=12,
        synthetic_works=3,
    )
    BackfillMonth.objects.create(year=2024, month=2, status=BackfillMonth.Status.RETRY)
    BackfillMonth.objects.create(year=2024, month=3)
    synthetic = make_work("Synthetic Month Book", authors=["Synthetic Writer"])
    unknown = make_work("Unknown Everywhere", authors=["Synthetic Writer"])
    Work.objects.filter(pk=synthetic.pk).update(
        synthetic=True, enrichment_status=Work.EnrichmentStatus.UNRESOLVED
    )
    Work.objects.filter(pk=unknown.pk).update(enrichment_status=Work.EnrichmentStatus.UNRESOLVED)


def test_the_report_counts_the_backfill_and_keeps_synthetic_works_apart(backfilled):
    out = io.StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    report = json.loads(out.getvalue())

    assert report["backfill"]["months"] == {
        "pending": 1,
        "processing": 0,
        "completed": 1,
        "failed": 0,
        "retry": 1,
        "cancelled": 0,
        "partial": 0,
    }
    assert report["backfill"]["books_discovered"] == 20
    assert report["backfill"]["isbns_resolved"] == 12
    assert report["backfill"]["synthetic_works_now"] == 1
    # "Unknown to every provider" means they answered: a synthetic work may not have been asked.
    assert report["metadata"]["unresolved"] == 1

    out = io.StringIO()
    call_command("enrichment_report", stdout=out)
    assert "Catalog backfill: months pending 1, completed 1, waiting to retry 1" in out.getvalue()
    assert "3 kept as synthetic works (1 still unresolved)" in out.getvalue()


def test_no_backfill_line_when_nothing_was_backfilled():
    out = io.StringIO()
    call_command("enrichment_report", stdout=out)
    assert "Catalog backfill" not in out.getvalue()


def test_the_dashboard_shows_the_months_and_links_the_synthetic_works(admin_client, backfilled):
    page = admin_client.get(reverse("admin:enrichment_dashboard")).content.decode()

    assert "1 synthetic work (found by the backfill" in page
    assert "?synthetic=yes" in page
    assert "Catalog backfill months" in page
    months_url = reverse("admin:enrichment_backfillmonth_changelist")
    assert f"{months_url}?status__exact=retry" in page
    assert "1 work unknown to every provider" in page


def test_a_month_run_again_still_counts_what_its_earlier_run_resolved_and_created(backfilled):
    from enrichment.backfill import months

    months.backfill_months_rerun(months=BackfillMonth.objects.filter(month=1), by="ruth")
    # The new run found the first run's 15 works again (and 5 it had dropped before).
    BackfillMonth.objects.filter(month=1).update(
        status=BackfillMonth.Status.COMPLETED, books_discovered=20, duplicates_dropped=20
    )

    out = io.StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    backfill = json.loads(out.getvalue())["backfill"]

    # Every run counted: the works the first resolved and kept as synthetic are not forgotten.
    assert (backfill["books_discovered"], backfill["duplicates_dropped"]) == (40, 25)
    assert (backfill["isbns_resolved"], backfill["synthetic_created"]) == (12, 3)
