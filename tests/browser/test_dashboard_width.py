"""The enrichment dashboard on a phone (chromium, 390 px wide): every panel, the covers' big
numbers, the providers, the clusters and the biggest tables, fits the window; the page does
not scroll sideways (its panels were at least 420 px wide, the page 435 px). Screenshot:
test-artifacts/dashboard-390.png. Skipped without chromium, as test_review_flow.py is."""

import time

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrichment.housekeeping import housekeeping_run
from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.throttle import budget_day
from tests.browser import test_review_flow as review_flow
from tests.factories import make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule
PHONE = 390


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_fits_a_phone(live_server, browser_page):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    for n in range(3):
        work = make_work(f"The Waiting Book, part {n + 1}")
        EnrichmentRequest.objects.create(work=work, trigger="command", status="needs_review")
    housekeeping_run()  # measures the biggest tables
    page.set_viewport_size({"width": PHONE, "height": 900})
    review_flow.log_in(page, base, "boss")

    page.goto(f"{base}{reverse('admin:enrichment_dashboard')}")
    review_flow.shot(page, "dashboard-390")

    assert page.locator(".dash-covers .big-numbers").inner_text().split()[0] == "3"
    assert page.locator("#table-sizes tr").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    widest_panel = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.dashboard-grid > .module')]"
        ".map(m => m.getBoundingClientRect().right))"
    )
    assert widest_panel <= PHONE


BUDGET_LINES = """(cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
        if (!node.textContent.includes(' of ')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    }
    return 0;
}"""


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_providers_budget_left_stays_on_one_line_in_a_wide_window(
    live_server, browser_page, settings
):
    """At 1,400 px Google Books' budget read "991 of" on one line and "1,000" on the next."""
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "google_books"]
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1000
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    ProviderState.objects.create(
        provider="google_books", day=budget_day(time.time()), requests_today=9
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    review_flow.log_in(page, base, "boss")

    page.goto(f"{base}{reverse('admin:enrichment_dashboard')}")
    review_flow.shot(page, "dashboard-1400")
    row = page.locator("table.providers tbody tr", has_text="Google Books")
    cell = row.locator("td").nth(1)
    assert "991 of 1,000" in cell.inner_text()
    assert cell.evaluate(BUDGET_LINES) == 1
