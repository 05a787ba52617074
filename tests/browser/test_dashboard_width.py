"""The enrichment dashboard on a phone (chromium, 390 px wide): every panel, the covers' big
numbers, the providers, the clusters and the biggest tables, fits the window; the page does
not scroll sideways (its panels were at least 420 px wide, the page 435 px). Screenshot:
test-artifacts/dashboard-390.png. Skipped without chromium, as test_review_flow.py is."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from enrichment.housekeeping import housekeeping_run
from enrichment.models import EnrichmentRequest
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
