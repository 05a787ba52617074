"""The dashboard's workers-and-database panel in a real browser (chromium, 1,400 px wide): three
cluster processes on two machines (one answering, one silent, one stopped), a due request and a
queued cover waiting, and the biggest tables as the housekeeping measured them; the panel says
each in words, the silent cluster in red, and fits the window. Screenshot:
test-artifacts/dashboard-operations.png. Skipped without chromium, as test_review_flow.py is."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from enrichment.housekeeping import housekeeping_run
from enrichment.models import ClusterHeartbeat, EnrichmentRequest
from tests.browser import test_review_flow as review_flow
from tests.browser.test_admin_pages import overflow
from tests.factories import make_work

browser_page = review_flow.browser_page  # the same browser, and its skip rule


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_the_operations_panel_shows_clusters_queue_age_and_tables(live_server, browser_page):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("boss", password="pw")
    for name, host, pid, beat, stopped in (
        ("bookstore", "worker-a.internal", 31337, ago(seconds=4), False),
        ("covers", "worker-b.internal", 4242, ago(minutes=8), False),  # killed, or host down
        ("bookstore", "worker-b.internal", 4240, ago(minutes=30), True),  # stopped cleanly
    ):
        ClusterHeartbeat.objects.create(
            name=name, host=host, pid=pid, broker="redis", workers=2,
            started_at=beat - datetime.timedelta(hours=2), beat_at=beat,
            stopped_at=beat if stopped else None,
        )  # fmt: skip
    EnrichmentRequest.objects.create(
        work=make_work("Waiting for a worker"), trigger="command", next_attempt_at=ago(minutes=3)
    )
    EnrichmentRequest.objects.create(
        work=make_work("Waiting for its cover"),
        trigger="command",
        status="completed",
        cover_status="pending",
        cover_queued_at=ago(minutes=2),
    )
    housekeeping_run()  # measures the tables

    review_flow.log_in(page, base, "boss")
    page.goto(f"{base}{reverse('admin:enrichment_dashboard')}")
    panel = page.locator("#operations-panel")
    text = " ".join(panel.inner_text().split())
    assert "worker-a.internal" in text and "pid 31337" in text
    rows = panel.locator("#clusters tbody tr")
    assert rows.count() == 3
    assert "s ago" in rows.nth(0).inner_text()  # 4–6 s, as the page was built
    silent = rows.nth(1).locator(".cluster-warn")
    assert silent.inner_text() == "Stopped answering 8 min ago"
    assert silent.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    assert "Stopped 30 min ago" in rows.nth(2).inner_text()
    assert "the oldest due request has waited 3 min for a worker" in text
    assert "Cover downloads: 1 pending, the oldest queued 2 min ago." in text
    assert panel.locator("#table-sizes tr").count() == 8
    assert "by the housekeeping, which runs daily" in text
    assert overflow(page) == 0
    panel.scroll_into_view_if_needed()
    review_flow.shot(page, "dashboard-operations")
