"""ENRICHMENT_MAX_ATTEMPTS (enrichment.models.default_max_attempts): every path that queues a
book or an author gives its request the setting's number of attempts, and a book fails after
that many provider faults, not after 3 whatever the setting says.

The faults come from the real Open Library and Google Books clients asking a local server that
answers, with HTTP 200, where JSON is expected, the synthetic one-line HTML page of
tests/enrichment/test_waiting_past_attempts.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Work
from enrichment import queue
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.resolve import ResolvedBook
from enrichment.backfill.synthetic import synthetic_work_upgrade
from enrichment.demo.recordings import DEMO_EXPORT
from enrichment.models import EnrichmentRequest
from tests.enrichment.backfill.providers_support import LORD_OF_THE_RINGS
from tests.enrichment.backfill.test_synthetic import synthetic_work
from tests.enrichment.test_waiting_past_attempts import (
    SYNTHETIC_ERROR_PAGE,
    USE_OF_WEAPONS,
    run_batch,
    server,
)
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
__all__ = ["server"]  # the local providers' fixture, used below


@pytest.fixture
def five_attempts(settings, sent_tasks):
    settings.ENRICHMENT_MAX_ATTEMPTS = 5
    return sent_tasks


def attempts_of_requests() -> set[int]:
    assert EnrichmentRequest.objects.exists()
    return set(EnrichmentRequest.objects.values_list("max_attempts", flat=True))


def test_an_import_queues_its_books_with_the_setting(five_attempts):
    call_command("import_books", str(DEMO_EXPORT), stdout=StringIO())

    assert attempts_of_requests() == {5}


@pytest.mark.parametrize("args", [(), ("--authors",)], ids=["works", "authors"])
def test_enrich_missing_queues_with_the_setting(five_attempts, args):
    make_work("Bare", authors=["Somebody Unknown"])

    call_command("enrich_missing", *args, stdout=StringIO())

    assert attempts_of_requests() == {5}


def test_the_admins_enrich_selected_queues_with_the_setting(five_attempts, admin_client):
    work = make_work("Bare")

    admin_client.post(
        reverse("admin:catalog_work_changelist"),
        {"action": "enrich_selected", "_selected_action": [work.pk], "post": "yes"},
    )

    assert attempts_of_requests() == {5}


def test_an_authors_request_is_queued_with_the_setting(five_attempts):
    author = make_author("Somebody Unknown")

    queue.authors_enqueue_enrichment(author_ids=[author.pk], trigger="manual_bulk")

    assert attempts_of_requests() == {5}


def test_the_api_trigger_queues_with_the_setting(five_attempts):
    work = make_work("Bare")
    user = get_user_model().objects.create_superuser("api", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = client.post(
        reverse("api:enrichment-trigger"), {"work_ids": [work.pk]}, format="json"
    )

    assert response.status_code == 202
    assert attempts_of_requests() == {5}


def test_a_backfilled_work_is_queued_with_the_setting(five_attempts):
    """A synthetic work the backfill resolved later (its daily retry) is queued."""
    rings = synthetic_work("The Lord of the Rings", "J.R.R. Tolkien")
    book = DiscoveredBook("The Lord of the Rings", ["J.R.R. Tolkien"])
    resolved = ResolvedBook(book, isbn13=LORD_OF_THE_RINGS, provider="openlibrary")

    synthetic_work_upgrade(work=rings, resolved=resolved)

    assert attempts_of_requests() == {5}


@pytest.mark.parametrize("max_attempts", [1, 5])
def test_a_book_fails_after_the_settings_number_of_provider_faults(server, settings, max_attempts):
    """Both providers answer something that is not JSON every time (a fault of the answer, not
    an outage): the book waits while attempts remain, and fails on the last one the setting
    allows."""
    settings.ENRICHMENT_MAX_ATTEMPTS = max_attempts
    work = make_work("Use of Weapons", authors=["Iain M. Banks"])
    make_edition(work, isbn13=USE_OF_WEAPONS)
    queue.works_enqueue_enrichment(dispatch=False)
    server.answer = lambda handler: server.send(
        handler, [SYNTHETIC_ERROR_PAGE], headers={"Content-Length": str(len(SYNTHETIC_ERROR_PAGE))}
    )

    for attempt in range(1, max_attempts):
        request = run_batch()
        assert (request.status, request.attempts) == (Status.PENDING, attempt)
        work.refresh_from_db()
        assert work.enrichment_status == Work.EnrichmentStatus.WAITING

    request = run_batch()

    assert (request.status, request.attempts) == (Status.FAILED, max_attempts)
    work.refresh_from_db()
    assert work.enrichment_status == Work.EnrichmentStatus.FAILED
