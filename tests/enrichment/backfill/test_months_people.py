"""Backfill months (enrichment.backfill.months): what people do with them, cancel, retry, run a
completed month again and queue now, each moving only the months it applies to, once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from enrichment.backfill import claims, months
from enrichment.backfill.months import MonthMetrics
from enrichment.models import BackfillMonth
from tests.enrichment.backfill.test_months import make_months, reloaded, statuses

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


# --- What people do -----


def test_cancel_and_retry_change_only_the_months_they_apply_to():
    pending, retry, processing, completed, failed, _cancelled = (
        make_months("2024-01")
        + make_months("2024-02", status=Status.RETRY)
        + make_months("2024-03", status=Status.PROCESSING, claim_token="a" * 32)
        + make_months("2024-04", status=Status.COMPLETED, retry_count=2)
        + make_months("2024-05", status=Status.FAILED, retry_count=3, error="boom")
        + make_months("2024-06", status=Status.CANCELLED)
    )
    everything = BackfillMonth.objects.all()

    assert months.backfill_months_cancel(months=everything) == 3
    assert statuses() == {
        "2024-06": "cancelled",
        "2024-05": "failed",
        "2024-04": "completed",
        "2024-03": "cancelled",
        "2024-02": "cancelled",
        "2024-01": "cancelled",
    }
    assert reloaded(processing).claim_token == ""

    assert months.backfill_months_retry(months=[completed, failed, pending, _cancelled]) == 3
    assert reloaded(failed).status == Status.RETRY
    assert (failed.retry_count, failed.error) == (3, "")  # the count is kept
    # A completed month is not retried (it is run again instead): Retry, like `--retry`, leaves it.
    assert (reloaded(completed).status, completed.retry_count) == (Status.COMPLETED, 2)
    assert reloaded(retry).status == Status.CANCELLED


def a_completed_run(label: str = "2024-04", **fields) -> BackfillMonth:
    started = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    [month] = make_months(
        label,
        status=Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=4,
        isbns_resolved=12,
        resolution_rate=0.75,
        synthetic_works=4,
        queued_for_enrichment=12,
        provider_calls={"openlibrary_search": 3, "google_books": 5},
        sources={"openlibrary_search": {"books": 20, "calls": 3, "error": ""}},
        retry_count=1,
        started_at=started,
        heartbeat_at=started + timedelta(minutes=2),
        completed_at=started + timedelta(minutes=2),
        **fields,
    )
    return month


def test_run_again_puts_only_completed_months_back_and_keeps_their_earlier_run():
    completed = a_completed_run()
    others = {
        label: make_months(label, status=status, claim_token=token, error=error)[0]
        for label, status, token, error in (
            ("2024-01", Status.PENDING, "", ""),
            ("2024-02", Status.RETRY, "", "HTTP 503"),
            ("2024-03", Status.PROCESSING, "a" * 32, ""),
            ("2024-05", Status.FAILED, "", "boom"),
            ("2024-06", Status.PARTIAL, "", "dump: none"),
            ("2024-07", Status.CANCELLED, "", ""),
        )
    }
    now = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)

    assert months.backfill_months_rerun(months=BackfillMonth.objects.all(), by="ruth", now=now) == 1

    month = reloaded(completed)
    assert month.status == Status.PENDING
    # Its figures start again from zero: the list never shows the old run's as the new one's.
    assert (month.books_discovered, month.duplicates_dropped, month.isbns_resolved) == (0, 0, 0)
    assert (month.synthetic_works, month.queued_for_enrichment, month.resolution_rate) == (
        0,
        0,
        None,
    )
    assert (month.provider_calls, month.sources, month.retry_count) == ({}, {}, 0)
    assert (month.started_at, month.completed_at, month.error, month.claim_token) == (
        None,
        None,
        "",
        "",
    )
    assert month.earlier_runs == [
        {
            "status": "completed",
            "started_at": "2024-06-01T09:00:00+00:00",
            "completed_at": "2024-06-01T09:02:00+00:00",
            "retry_count": 1,
            "error": "",
            "books_discovered": 20,
            "duplicates_dropped": 4,
            "isbns_resolved": 12,
            "resolution_rate": 0.75,
            "synthetic_works": 4,
            "queued_for_enrichment": 12,
            "provider_calls": {"openlibrary_search": 3, "google_books": 5},
            "sources": {"openlibrary_search": {"books": 20, "calls": 3, "error": ""}},
            "run_again_at": "2024-07-01T12:00:00+00:00",
            "run_again_by": "ruth",
        }
    ]
    # Every other month is left exactly as it was (a running one keeps its worker's token).
    for label, other in others.items():
        again = reloaded(BackfillMonth.objects.get(pk=other.pk))
        assert (again.status, again.claim_token, again.error, again.earlier_runs) == (
            other.status,
            other.claim_token,
            other.error,
            [],
        ), label


def test_a_month_run_again_is_claimed_once_and_cannot_be_run_again_while_it_runs():
    month = a_completed_run()
    assert months.backfill_months_rerun(months=[month], by="ruth") == 1
    # A second person who chose the month while it was still completed: it is pending now.
    assert months.backfill_months_rerun(months=[month], by="walt") == 0
    [claimed] = claims.backfill_months_claim(limit=5)
    assert claimed.pk == month.pk and claimed.status == Status.PROCESSING
    assert claims.backfill_months_claim(limit=5) == []

    # While it runs, running it again changes nothing: never two runs of one month at once.
    assert months.backfill_months_rerun(months=BackfillMonth.objects.all(), by="walt") == 0
    assert reloaded(month).claim_token == claimed.claim_token
    assert claims.backfill_month_finish(claimed, claimed.claim_token, metrics=MonthMetrics())

    # Once completed it may run again, and both earlier runs are kept, oldest first.
    assert months.backfill_months_rerun(months=[month], by="walt") == 1
    assert [run["run_again_by"] for run in reloaded(month).earlier_runs] == ["ruth", "walt"]
    assert [run["books_discovered"] for run in month.earlier_runs] == [20, 0]


def test_retrying_a_partly_failed_month_keeps_the_run_that_wrote_its_works():
    partial = a_completed_run("2024-05", error="Some sources failed: Fake: HTTP 503")
    BackfillMonth.objects.filter(pk=partial.pk).update(status=Status.PARTIAL)
    [failed] = make_months("2024-06", status=Status.FAILED, retry_count=3, error="boom")

    assert months.backfill_months_retry(months=BackfillMonth.objects.all(), by="ruth") == 2

    partial = reloaded(partial)
    assert (partial.status, partial.books_discovered, partial.isbns_resolved) == (
        Status.RETRY,
        0,
        0,
    )
    [earlier] = partial.earlier_runs
    assert (earlier["status"], earlier["error"], earlier["isbns_resolved"]) == (
        "partial",
        "Some sources failed: Fake: HTTP 503",
        12,
    )
    assert earlier["run_again_by"] == "ruth"
    # A failed month wrote no work: it is retried as before, its count kept, no record.
    failed = reloaded(failed)
    assert (failed.status, failed.retry_count, failed.earlier_runs) == (Status.RETRY, 3, [])


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_running_the_same_months_again_at_once_move_each_month_once():
    for number in range(1, 13):
        a_completed_run(f"2024-{number:02d}")
    moved: list[int] = [0, 0]
    barrier = threading.Barrier(2)

    def person(index: int):
        barrier.wait()
        moved[index] = months.backfill_months_rerun(
            months=BackfillMonth.objects.all(), by=f"person {index}"
        )
        connection.close()

    threads = [threading.Thread(target=person, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(moved) == 12
    assert [len(m.earlier_runs) for m in BackfillMonth.objects.all()] == [1] * 12
    assert set(BackfillMonth.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_queue_now_claims_the_chosen_waiting_months_and_hands_each_to_a_worker(sent_tasks):
    a, b = make_months("2024-01", "2024-02")
    [done] = make_months("2024-03", status=Status.COMPLETED)

    assert months.backfill_months_queue_now(months=BackfillMonth.objects.all()) == 2

    assert [(t.func, t.args) for t in sent_tasks] == [
        ("enrichment.tasks.process_backfill_month", (b.pk, reloaded(b).claim_token)),
        ("enrichment.tasks.process_backfill_month", (a.pk, reloaded(a).claim_token)),
    ]
    assert reloaded(a).status == reloaded(b).status == Status.PROCESSING
    assert reloaded(done).status == Status.COMPLETED


def test_a_month_whose_task_could_not_be_queued_goes_back_to_retry(monkeypatch):
    [month] = make_months("2024-01", retry_count=1)

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is not answering")

    monkeypatch.setattr("bookstore.task_queue.enqueue", broker_down)

    assert months.backfill_months_queue_now(months=[month]) == 0
    month = reloaded(month)
    assert (month.status, month.retry_count, month.claim_token) == (Status.RETRY, 1, "")
    assert month.error == "Its task could not be queued: redis is not answering"
