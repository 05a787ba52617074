"""Ages and due times on the admin's screens, on the clock the work is stamped on, the
database's (bookstore.db_clock): a heartbeat dated ahead of it said "0 s ago" (the age was
floored at 0); the dashboard's oldest due request, and a waiting book's "next try in a moment",
were judged on the web machine's clock. A machine's clock is skewed as
tests/enrichment/test_claims_clock.py skews it; SQLite's clock is the machine's."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalog.models import Work
from enrichment import operations_panel, provider_figures
from enrichment.models import EnrichmentRequest, ProviderState
from tests.enrichment.test_claims_clock import TEN_MINUTES, on_a_machine
from tests.enrichment.test_dashboard_operations import heartbeat, page  # noqa: F401 (fixture)
from tests.enrichment.test_review_admin import librarian
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def ahead(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def test_a_heartbeat_dated_ahead_says_so_not_0_s_ago(page, settings):  # noqa: F811
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat("bookstore", "worker-1", 4101, beat=ahead(seconds=20.5))
    heartbeat("covers", "worker-2", 5202, beat=ahead(minutes=30, seconds=30))
    heartbeat("bookstore", "worker-3", 6303, beat=ahead(minutes=30, seconds=30), stopped=True)

    text = page()
    clusters = text.split("Task clusters", 1)[1].split("Waiting longest", 1)[0]
    assert " ago" not in clusters  # "0 s ago" of each, before
    assert "pid 4101 Database (ORM) Dated 20 s ahead of the database's clock" in text
    assert (
        "pid 5202 Database (ORM) Silent: its last heartbeat is dated 30 min ahead of the "
        "database's clock (a clock stepped back, or rows restored from elsewhere)" in text
    )
    assert "pid 6303 Database (ORM) Stopped; dated 30 min ahead of the database's clock" in text


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lives on one machine: its clock is the machine's",
)
def test_the_oldest_due_request_is_judged_and_aged_on_the_databases_clock(monkeypatch):
    """A web machine ten minutes ahead called a request due in five minutes "waited 5 min"."""
    EnrichmentRequest.objects.create(
        work=make_work("Due in five minutes"),
        trigger="command",
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    on_a_machine(monkeypatch, TEN_MINUTES)
    assert operations_panel.operations_figures().queue_age.oldest_due_seconds is None

    on_a_machine(monkeypatch, 0)
    EnrichmentRequest.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=2))
    on_a_machine(monkeypatch, -TEN_MINUTES)  # behind: the request is due all the same
    assert operations_panel.operations_figures().queue_age.oldest_due_label == "2 min"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lives on one machine: its clock is the machine's",
)
def test_a_waiting_books_next_try_is_due_or_not_on_the_databases_clock(
    client, monkeypatch, settings
):
    """A web machine ten minutes ahead said "next try in a moment" of a book the queue will try
    in five minutes, on the works list, the queue and the request's page."""
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat("bookstore", "worker-1", 4101, beat=timezone.now())
    work = make_work("Waiting for its providers")
    request = EnrichmentRequest.objects.create(
        work=work, trigger="command", next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    Work.objects.filter(pk=work.pk).update(enrichment_status=Work.EnrichmentStatus.WAITING)
    client.force_login(librarian())
    on_a_machine(monkeypatch, TEN_MINUTES)

    for url in (
        reverse("admin:catalog_work_changelist"),
        reverse("admin:enrichment_enrichmentrequest_changelist"),
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]),
    ):
        text = visible_text(client, url)
        assert "Waiting: providers unavailable, next try at" in text, url
        assert "next try in a moment" not in text, url


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lives on one machine: its clock is the machine's",
)
def test_the_providers_notice_says_the_next_try_on_the_databases_clock(monkeypatch, settings):
    """With Open Library unreachable, its notice's "next try" was the first due book's, or the
    web machine's now when later: ten minutes ahead, it put off a try due in five minutes."""
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    ProviderState.objects.create(
        provider="openlibrary",
        consecutive_failures=5,
        last_error="ConnectError: [Errno 111] Connection refused",
        last_error_kind="refused",
        last_error_host="openlibrary.org",
        last_error_at=timezone.now(),
    )
    due = timezone.now() + datetime.timedelta(minutes=5)
    EnrichmentRequest.objects.create(
        work=make_work("Waiting"), trigger="command", next_attempt_at=due
    )
    on_a_machine(monkeypatch, TEN_MINUTES)

    reachability = provider_figures.providers_reachability()
    assert reachability.unreachable
    assert abs((reachability.next_try_at - due).total_seconds()) < 1


def test_a_waiting_books_next_try_long_past_says_overdue_not_in_a_moment(client, settings):
    """A next try three hours past read "next try in a moment" on the works list, the queue and
    the request's page, as if the sweep were about to take it: something holds it."""
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat("bookstore", "worker-1", 4101, beat=timezone.now())
    work = make_work("Held for hours")
    request = EnrichmentRequest.objects.create(
        work=work, trigger="command", next_attempt_at=ahead(hours=-3)
    )
    Work.objects.filter(pk=work.pk).update(enrichment_status=Work.EnrichmentStatus.WAITING)
    client.force_login(librarian())

    for url in (
        reverse("admin:catalog_work_changelist"),
        reverse("admin:enrichment_enrichmentrequest_changelist"),
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]),
    ):
        text = visible_text(client, url)
        assert "Waiting: providers unavailable, next try overdue since" in text, url
        assert "next try in a moment" not in text, url
