"""The catalog backfill's months in a real browser (chromium, 1,400 px wide): the list with each
month's metrics fits the window, a month is cancelled with the action (after its confirmation
page) and the message says so, and a month's page shows its sources. Screenshots land in
test-artifacts/backfill-*.png. Skipped without chromium, as test_review_flow.py is. The months'
figures are written by the test."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from enrichment.models import BackfillMonth
from tests.browser import test_review_flow as review_flow
from tests.browser.test_admin_pages import list_overflow, overflow

browser_page = review_flow.browser_page  # the same browser, and its skip rule
Status = BackfillMonth.Status


def months_with_metrics() -> None:
    now = timezone.now()
    done = {"started_at": now, "completed_at": now}
    BackfillMonth.objects.create(
        year=2024,
        month=4,
        status=Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=5,
        isbns_resolved=12,
        resolution_rate=0.8,
        synthetic_works=3,
        queued_for_enrichment=12,
        provider_calls={"openlibrary_search": 3, "openlibrary": 2, "google_books": 1},
        sources={
            "openlibrary_dump": {"books": 16, "calls": 0, "error": ""},
            "openlibrary_search": {"books": 9, "calls": 3, "error": ""},
        },
        **done,
    )
    BackfillMonth.objects.create(
        year=2024,
        month=3,
        status=Status.COMPLETED,
        books_discovered=18,
        duplicates_dropped=2,
        isbns_resolved=16,
        resolution_rate=1.0,
        queued_for_enrichment=16,
        provider_calls={"openlibrary_search": 3},
        **done,
    )
    BackfillMonth.objects.create(
        year=2024,
        month=2,
        status=Status.RETRY,
        retry_count=1,
        error="No discovery source answered: Open Library dump: The Open Library dump is not "
        "loaded: run manage.py load_openlibrary_dump.; Open Library search: HTTP 503 from "
        "openlibrary.org",
        provider_calls={"openlibrary_search": 1},
        started_at=now,
    )
    BackfillMonth.objects.create(year=2024, month=1, status=Status.PROCESSING, started_at=now)
    BackfillMonth.objects.create(year=2023, month=12)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_backfill_months_in_a_browser(live_server, browser_page, sent_tasks):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    months_with_metrics()

    review_flow.log_in(page, base, "boss")
    page.goto(f"{base}{reverse('admin:enrichment_backfillmonth_changelist')}")
    page.wait_for_selector("#result_list")
    april = page.locator("#result_list tbody tr", has_text="April 2024").inner_text()
    april = april.replace("\xa0", " ")
    for text in ("Completed", "20", "12 (80 %)", "Open Library search 3 · Open Library 2"):
        assert text in april
    assert (
        "Waiting to retry"
        in page.locator("#result_list tbody tr", has_text="February 2024").inner_text()
    )
    assert page.locator("a", has_text="Add months").count() == 1
    review_flow.shot(page, "backfill-months")
    assert overflow(page) == 0

    # Cancel the month still waiting, with the action.
    page.locator("#result_list tbody tr", has_text="December 2023").locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", "cancel_months")
    page.click("button[name=index]")
    page.wait_for_selector("input[value='Yes, cancel them']")  # it asks first
    assert "You are about to cancel the selected backfill month" in page.inner_text("#content")
    assert BackfillMonth.objects.get(year=2023).status == Status.PENDING
    page.click("input[value='Yes, cancel them']")
    page.wait_for_selector(".messagelist")
    assert "1 month cancelled." in page.locator(".messagelist").inner_text()
    assert BackfillMonth.objects.get(year=2023).status == Status.CANCELLED

    page.locator("#result_list a", has_text="April 2024").click()
    page.wait_for_selector("table.backfill-sources")
    sources = page.locator("table.backfill-sources").inner_text()
    assert "Open Library dump" in sources and "16" in sources
    assert page.locator("a", has_text="The works this month added").count() == 1
    review_flow.shot(page, "backfill-month")
    assert overflow(page) == 0

    # The month's synthetic work: marked in the works list, its page says how it was found and
    # that no provider resolved it; the dashboard counts it apart.
    from catalog.models import Work
    from tests.factories import make_work

    work = make_work("Synthetic Backfill Discovery", authors=["Synthetic Writer"])
    Work.objects.filter(pk=work.pk).update(
        synthetic=True,
        enrichment_status=Work.EnrichmentStatus.UNRESOLVED,
        discovery={"source": "llm", "month": "2024-04", "title": work.title, "tries": 2},
    )
    page.locator("a", has_text="its synthetic works").click()
    page.wait_for_selector("#result_list")
    row = page.locator("#result_list tbody tr", has_text="Synthetic Backfill Discovery")
    assert "synthetic" in row.inner_text().lower()
    review_flow.shot(page, "backfill-synthetic-works")
    page.goto(f"{base}{reverse('admin:catalog_work_change', args=[work.pk])}")
    page.wait_for_selector("#content")
    content = page.locator("#content").inner_text()
    assert "Found by Language model for April 2024." in content  # the key, named
    assert "no provider has resolved it yet; retried daily (2 tries)" in content
    review_flow.shot(page, "backfill-synthetic-work")
    page.goto(f"{base}{reverse('admin:enrichment_dashboard')}")
    page.wait_for_selector("#backfill-months")
    assert "1 synthetic work (found by the backfill" in page.locator("#content").inner_text()
    review_flow.shot(page, "backfill-dashboard")


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_the_backfill_months_fit_the_window(live_server, browser_page, width):
    """Ten columns put the last ones off-screen at 1,280 px: each month, its biggest figures and
    longest error included, is readable at 1,400 and 1,280, the duplicates under the books
    discovered and the synthetic works under the ISBNs resolved."""
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    now = timezone.now()
    BackfillMonth.objects.create(
        year=2024,
        month=11,
        status=Status.COMPLETED,
        books_discovered=1_234_567,
        duplicates_dropped=234_567,
        isbns_resolved=987_654,
        resolution_rate=0.8,
        synthetic_works=123_456,
        queued_for_enrichment=987_654,
        provider_calls={"openlibrary_search": 12_345, "openlibrary": 23_456, "google_books": 3_456},
        started_at=now,
        completed_at=now,
    )
    BackfillMonth.objects.create(
        year=2024,
        month=10,
        status=Status.PARTIAL,
        retry_count=12,
        earlier_runs=[{"status": "completed"}] * 12,
        error="No discovery source answered: Open Library dump: The Open Library dump is not "
        "loaded: run manage.py load_openlibrary_dump.; Open Library search: HTTP 503 from "
        "https://openlibrary.org/search.json?q=first_publish_year%3A2024&fields=key,title",
        provider_calls={"openlibrary_search": 1},
        started_at=now,
    )
    changelist = "admin:enrichment_backfillmonth_changelist"
    assert list_overflow(page, base, changelist, "backfill-months", width) == 0
    november = page.locator("#result_list tbody tr", has_text="November 2024").inner_text()
    november = november.replace("\xa0", " ")
    for shown in (
        "1,234,567",
        "234,567 duplicates dropped",
        "987,654 (80 %)",
        "123,456 synthetic works",
        "Open Library 23,456",
    ):
        assert shown in november, november
    october = page.locator("#result_list tbody tr", has_text="October 2024").inner_text()
    assert "12 retries · 12 earlier runs" in october


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1400, 1280])
def test_a_completed_month_is_run_again_and_keeps_its_earlier_runs(
    live_server, browser_page, sent_tasks, width
):
    """Run again from the list (after its confirmation page); the month's page then lists its
    earlier runs, their longest figures and error included, within the window."""
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    User.objects.create_superuser("boss", password="pw")
    months_with_metrics()
    april = BackfillMonth.objects.get(year=2024, month=4)
    now = timezone.now().isoformat()
    april.earlier_runs = [
        {
            "status": "completed",
            "started_at": now,
            "completed_at": now,
            "retry_count": 2,
            "error": "",
            "books_discovered": 1_234_567,
            "duplicates_dropped": 234_567,
            "isbns_resolved": 987_654,
            "resolution_rate": 0.8,
            "synthetic_works": 123_456,
            "queued_for_enrichment": 987_654,
            "provider_calls": {"openlibrary_search": 12_345, "openlibrary": 23_456},
            "sources": {},
            "run_again_at": now,
            "run_again_by": "a-librarian-with-a-very-long-user-name@example.org",
        }
    ]
    april.save(update_fields=["earlier_runs"])

    review_flow.log_in(page, base, "boss")
    page.goto(f"{base}{reverse('admin:enrichment_backfillmonth_changelist')}")
    page.wait_for_selector("#result_list")
    page.locator("#result_list tbody tr", has_text="April 2024").locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", "rerun_months")
    page.click("button[name=index]")
    page.wait_for_selector("input[value='Yes, run them again']")  # it asks first
    assert "again from the start" in page.inner_text("#content")
    assert BackfillMonth.objects.get(pk=april.pk).status == Status.COMPLETED
    review_flow.shot(page, f"backfill-rerun-confirm-{width}")
    page.click("input[value='Yes, run them again']")
    page.wait_for_selector(".messagelist")
    assert "1 month put back to run again." in page.locator(".messagelist").inner_text()
    row = page.locator("#result_list tbody tr", has_text="April 2024").inner_text()
    assert "Pending" in row and "2 earlier runs" in row
    assert overflow(page) == 0

    page.locator("#result_list a", has_text="April 2024").click()
    page.wait_for_selector("table.backfill-earlier-runs")
    runs = page.locator("table.backfill-earlier-runs tbody tr")
    assert runs.count() == 2
    newest = runs.nth(0).inner_text().replace("\xa0", " ")
    for shown in ("Completed", "20", "5 duplicates dropped", "12 (80 %)", "boss"):
        assert shown in newest, newest
    assert "1,234,567" in runs.nth(1).inner_text()
    review_flow.shot(page, f"backfill-month-earlier-runs-{width}")
    assert overflow(page) == 0
