"""Due times (a new request's, a retry's back-off, a wait for providers, a skipped book's retry
once its providers are back, a cover's retry) are stamped on the database's clock, which the
claims and the sweep judge them by (bookstore.db_clock). Before, each machine stamped its own:
a book queued from a web machine ten minutes ahead waited ten minutes before any worker took
it; a worker ten minutes behind backed a request off by a minute that was over before it began,
so the next sweep sent it again at once (a failing provider asked again every minute), and a
skipped book or a cover waited ten minutes less than it should.

A machine's clock is skewed as tests/enrichment/test_claims_clock.py skews it (this process's
`timezone.now`). SQLite lives on one machine, whose clock is the database's: these run on
PostgreSQL."""

import datetime

import pytest
from django.db import connection

from bookstore.db_clock import database_now
from enrichment import cover_apply, engine, queue
from enrichment.candidates import CoverRef, LookupStatus
from enrichment.covers import CoverChoice, RejectedCover
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_claims_clock import TEN_MINUTES, on_a_machine, queued_request
from tests.factories import make_edition, make_work

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

Status = EnrichmentRequest.Status
CoverStatus = EnrichmentRequest.CoverStatus
BATCH_TASK = "enrichment.tasks.process_enrichment_batch"
FETCH_TASK = "enrichment.tasks.fetch_covers_for_requests"
COVER_URL = "https://covers.openlibrary.org/b/id/1-L.jpg"


@pytest.fixture(autouse=True)
def small_settings(settings):
    settings.ENRICHMENT_RETRY_BASE_SECONDS = 60
    settings.ENRICHMENT_UNAVAILABLE_RETRY_SECONDS = 300
    settings.ENRICHMENT_STALE_SECONDS = 300
    settings.ENRICHMENT_AUTO_APPLY_COVERS = False
    settings.COVER_CLUSTER = ""


def batches_sent(sent_tasks) -> list[int]:
    return [pk for task in sent_tasks if task.func == BATCH_TASK for pk in task.args[0]]


def worked_behind(monkeypatch, provider: FakeProvider) -> EnrichmentRequest:
    """A due request, worked by a worker ten minutes behind against `provider`."""
    request = queued_request()
    on_a_machine(monkeypatch, -TEN_MINUTES)
    engine.process_requests(queue.requests_claim(request_ids=[request.pk]), providers=[provider])
    on_a_machine(monkeypatch, 0)
    request.refresh_from_db()
    return request


def test_a_book_queued_from_a_web_machine_ten_minutes_ahead_is_taken_at_once(monkeypatch):
    work = make_work("A book")
    make_edition(work)
    on_a_machine(monkeypatch, TEN_MINUTES)  # the web machine a librarian queues it from
    [request_id] = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    on_a_machine(monkeypatch, 0)  # a worker, on time, a moment later

    assert [r.pk for r in queue.requests_claim(request_ids=[request_id])] == [request_id]


def test_a_provider_fault_on_a_worker_ten_minutes_behind_backs_off_for_its_full_minute(
    monkeypatch, sent_tasks
):
    request = worked_behind(monkeypatch, FakeProvider(status=LookupStatus.SERVER_ERROR))
    assert (request.status, request.attempts) == (Status.PENDING, 1)

    queue.requests_dispatch_due()  # the next sweep, on time

    assert request.pk not in batches_sent(sent_tasks)  # not asked again before its back-off
    waited = request.next_attempt_at - database_now()
    assert datetime.timedelta(seconds=50) < waited <= datetime.timedelta(seconds=60)


def test_a_book_waiting_for_a_closed_provider_on_a_worker_behind_waits_its_full_time(
    monkeypatch, sent_tasks
):
    request = worked_behind(monkeypatch, FakeProvider(status=LookupStatus.CIRCUIT_OPEN))
    assert request.status == Status.PENDING

    queue.requests_dispatch_due()

    assert request.pk not in batches_sent(sent_tasks)
    assert request.next_attempt_at - database_now() > datetime.timedelta(seconds=290)


def test_a_book_skipped_on_a_worker_behind_is_not_queued_again_before_its_providers_time(
    monkeypatch, sent_tasks
):
    request = worked_behind(monkeypatch, FakeProvider(status=LookupStatus.NOT_CONFIGURED))
    assert (request.status, request.retry_when_available) == (Status.SKIPPED, True)

    queue.requests_dispatch_due()  # ENRICHMENT_UNAVAILABLE_RETRY_SECONDS have not passed

    assert EnrichmentRequest.objects.count() == 1  # no new request for the book yet
    request.refresh_from_db()
    assert request.retry_when_available


def test_a_cover_retry_on_a_worker_behind_waits_out_its_back_off(monkeypatch, sent_tasks):
    def timing_out(refs, **kwargs):
        ref = CoverRef("openlibrary", COVER_URL)
        return CoverChoice(None, None, [RejectedCover(ref, "timeout", "gave up after 25 s")])

    monkeypatch.setattr(cover_apply, "choose_cover", timing_out)
    request = queued_request()
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        status=Status.COMPLETED,
        cover_status=CoverStatus.PENDING,
        proposal={"cover": {"proposed": [{"provider": "openlibrary", "url": COVER_URL}]}},
    )
    on_a_machine(monkeypatch, -TEN_MINUTES)
    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"retry_later": 1}
    on_a_machine(monkeypatch, 0)

    queue.requests_dispatch_due()  # the next sweep, on time

    assert [task for task in sent_tasks if task.func == FETCH_TASK] == []
