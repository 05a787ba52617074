"""A book waiting for its providers, in the queue and the works list, in a real browser
(chromium, 1,280 px wide): the queue's status column wrapped "Waiting: providers unavailable,
next try at Dec. 2, 2026, 3:58 p.m." to four lines; it says it briefly, on two at most, and the
sentence is its tooltip."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import EnrichmentRequest
from tests.browser.test_review_flow import ARTIFACTS, browser_page, log_in  # noqa: F401
from tests.factories import make_edition, make_work

WIDTH = 1280
#: How many lines a list's waiting words take, and the sentence they stand for.
WAITING = """(selector) => {
    const words = document.querySelector(selector);
    return [words.getClientRects().length, words.title];
}"""


@pytest.mark.slow  # a live server and a browser
@pytest.mark.django_db(transaction=True)
def test_a_waiting_book_says_it_briefly_in_the_lists_at_1280_px(
    live_server,
    browser_page,  # noqa: F811
):
    page, base = browser_page, live_server.url
    User.objects.create_superuser("root", password="pw")
    now = timezone.now()
    ClusterHeartbeat.objects.create(
        name="bookstore", host="here", pid=1, broker="orm", started_at=now, beat_at=now
    )
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")
    Work.objects.filter(pk=work.pk).update(enrichment_status=Work.EnrichmentStatus.WAITING)
    EnrichmentRequest.objects.create(
        work=work,
        trigger=EnrichmentRequest.Trigger.POST_IMPORT,
        attempts=1,
        next_attempt_at=now + datetime.timedelta(minutes=40),
    )
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, base, "root")

    page.goto(f"{base}{reverse('admin:enrichment_enrichmentrequest_changelist')}")
    queue_lines, queue_title = page.evaluate(WAITING, "#result_list .field-status_badge .waiting")
    page.screenshot(path=str(ARTIFACTS / "queue-waiting-1280.png"), full_page=True)

    assert queue_lines <= 2, f"the queue's waiting words take {queue_lines} lines"
    assert queue_title.startswith("Waiting: providers unavailable, next try at ")

    page.goto(f"{base}{reverse('admin:catalog_work_changelist')}")
    works_lines, works_title = page.evaluate(WAITING, "#result_list .field-enrichment_state span")

    assert works_lines <= 3, f"the works list's waiting words take {works_lines} lines"
    assert works_title.startswith("Waiting: providers unavailable, next try at ")
