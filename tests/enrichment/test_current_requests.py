"""Counts that mean something (issue 14, item 6): the queue opens on each work's current request
(its newest), with the history one click away, and the dashboard counts works' current requests,
so no figure exceeds the number of works. One selector behind both:
enrichment.selectors.current_requests."""

import re

import pytest
from django.urls import reverse
from django.utils.timezone import now

from catalog.models import Work
from enrichment import dashboard_page, presenters, review, review_page, selectors
from enrichment.dashboard import dashboard_figures, dashboard_snapshot_refresh
from enrichment.models import EnrichmentRequest
from enrichment.reports import coverage_report
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import QUEUE_URL, librarian
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
DASHBOARD_URL = reverse("admin:enrichment_dashboard")


def offline_history(works: int = 3, superseded: int = 5) -> list[Work]:
    """Works each skipped `superseded` times while offline, then asked once more: the newest
    request is the current one (synthetic rows, as the retry sweep leaves them)."""
    made = []
    for i in range(works):
        work = make_work(f"Offline book {i}")
        EnrichmentRequest.objects.bulk_create(
            EnrichmentRequest(
                work=work,
                trigger="schedule",
                status=Status.SKIPPED,
                confidence="none",
                match_details={"skipped": ["openlibrary: circuit_open"]},
            )
            for _ in range(superseded)
        )
        EnrichmentRequest.objects.create(work=work, trigger="schedule", status=Status.SKIPPED)
        made.append(work)
    return made


def result_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["cl"].result_count


def test_the_queue_opens_on_one_current_request_per_work_and_history_is_one_click_away(client):
    offline_history()
    client.force_login(librarian())

    assert result_count(client, QUEUE_URL) == 3
    text = visible_text(client, QUEUE_URL)
    assert "3 current requests (the newest of each work or author)" in text
    assert "Current requests (one per work or author)" in text and "All history" in text

    history = f"{QUEUE_URL}?{presenters.HISTORY_PARAMETER}={presenters.ALL_HISTORY}"
    assert result_count(client, history) == 18
    assert "18 requests, all history" in visible_text(client, history)
    # Its link back names what the filter names: authors have current requests too.
    assert "· only the current request of each work or author" in visible_text(client, history)
    # Filters combine with it: the skipped ones, current or all.
    assert result_count(client, f"{QUEUE_URL}?status__exact=skipped") == 3
    assert result_count(client, f"{history}&status__exact=skipped") == 18


def test_the_current_request_is_the_newest_whatever_its_status():
    work = make_work("Re-run")
    old = EnrichmentRequest.objects.create(work=work, trigger="command", status=Status.NEEDS_REVIEW)
    new = EnrichmentRequest.objects.create(work=work, trigger="command", status=Status.PENDING)
    other = EnrichmentRequest.objects.create(work=make_work("Other"), trigger="command")
    assert set(selectors.current_requests()) == {new, other}
    # A proposal a newer request superseded is not offered as the next to review.
    assert review_page.next_for_review() is None
    assert old.status == Status.NEEDS_REVIEW


def test_the_dashboard_counts_works_current_requests_never_more_than_the_works(client):
    works = offline_history()
    figures = dashboard_figures()
    counts = {bar.colour: bar.count for bar in figures.queue}
    assert counts[Status.SKIPPED] == 3
    assert sum(counts.values()) == len(works) == figures.works["total"]
    assert all(bar.count <= figures.works["total"] for bar in figures.queue)
    # The report counts the same requests the same way.
    assert coverage_report()["queue"][Status.SKIPPED] == 3

    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert re.search(r"Skipped / dismissed\s*3\b", text), text
    # The figure the bars add up to (an author never queued has no request to count).
    make_author("Never Queued")
    dashboard_snapshot_refresh()
    text = visible_text(client, DASHBOARD_URL)
    assert (
        "The current request of each work and each author that has one, so each counts once: "
        "3 requests." in text
    )
    assert "All history" in text


@pytest.mark.parametrize(
    "counts, percents",
    [
        ([15, 0, 9], [63, 0, 37]),  # 62.5 and 37.5: rounded each, they read 101 %
        ([1, 1, 1], [34, 33, 33]),
        ([0, 0, 0], [0, 0, 0]),
        ([7, 0, 0], [100, 0, 0]),
    ],
)
def test_shares_in_whole_percents_add_up_to_100(counts, percents):
    assert dashboard_page.whole_percents(counts) == percents


def test_the_dashboards_cover_shares_add_up_to_100(client):
    for i in range(24):
        work = make_work(f"Book {i}")
        if i < 15:
            Work.objects.filter(pk=work.pk).update(cover="covers/x.jpg", cover_verified_at=now())
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    text = visible_text(client, DASHBOARD_URL)
    assert re.search(r"Verified 15 \(63 %\).*Not verified 0 \(0 %\).*Missing 9 \(37 %\)", text), (
        text
    )


def test_the_status_filter_names_dismissed_requests_as_the_dashboard_does(client):
    """A dismissed request is skipped: the dashboard counted it under "Skipped / dismissed" and
    linked to the list, whose status filter marked "Skipped", a word that hid the dismissals."""
    user = librarian()
    review.request_dismiss(request=needs_review(), actor=user)
    dashboard_snapshot_refresh()
    client.force_login(user)
    page = client.get(DASHBOARD_URL).content.decode()
    link = re.search(r'href="([^"]*status__exact=skipped)"[^>]*>\s*Skipped / dismissed', page)
    assert link

    listed = client.get(link.group(1)).content.decode()

    assert result_count(client, link.group(1)) == 1
    chosen = re.search(
        r'<li class="selected">\s*<a href="[^"]*">([^<]+)</a>', listed.split("By status", 1)[1]
    )
    assert chosen and chosen.group(1) == "Skipped / dismissed"
    assert ">Skipped</a>" not in listed
