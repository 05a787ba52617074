"""Backfill months (enrichment.backfill.months): creating a range, claims that two schedulers never
share, a month left by a dead worker given back, the guarded outcome, and what people do
(cancel, retry, queue now: test_months_people), plus the two schedules."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from enrichment import tasks
from enrichment.backfill import claims, months
from enrichment.backfill.months import MonthMetrics
from enrichment.models import BackfillMonth

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


def make_months(*labels: str, status=Status.PENDING, **fields) -> list[BackfillMonth]:
    return [
        BackfillMonth.objects.create(
            year=int(label[:4]), month=int(label[5:]), status=status, **fields
        )
        for label in labels
    ]


def reloaded(month: BackfillMonth) -> BackfillMonth:
    month.refresh_from_db()
    return month


def statuses() -> dict[str, str]:
    return {m.label: m.status for m in BackfillMonth.objects.all()}


# --- Months as text and ranges -----


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024/01", "“2024/01” is not a month: write it as YYYY-MM, e.g. 2024-01."),
        ("January 2024", "“January 2024” is not a month: write it as YYYY-MM, e.g. 2024-01."),
        ("", "“” is not a month: write it as YYYY-MM, e.g. 2024-01."),
        ("2024-13", "“2024-13” is not a month: the month must be 01 to 12."),
        ("2024-00", "“2024-00” is not a month: the month must be 01 to 12."),
        ("0000-05", "“0000-05” is not a month: the year must be 0001 or later."),
    ],
)
def test_a_month_that_is_not_one_is_refused_with_a_readable_message(text, message):
    with pytest.raises(ValueError) as refused:
        months.parse_month(text)
    assert str(refused.value) == message


def test_months_are_read_and_ranges_include_both_ends_across_a_new_year():
    assert months.parse_month(" 2024-1 ") == (2024, 1)
    assert months.month_range((2023, 11), (2024, 2)) == [
        (2023, 11),
        (2023, 12),
        (2024, 1),
        (2024, 2),
    ]
    assert months.month_range((2024, 5), (2024, 5)) == [(2024, 5)]


def test_a_range_that_ends_before_it_starts_or_is_too_long_is_refused():
    with pytest.raises(ValueError, match=r"starts after it ends \(2024-03 to 2024-01\)"):
        months.backfill_months_create(start=(2024, 3), end=(2024, 1))
    with pytest.raises(ValueError, match="is 24,001 months; at most 600 at a time"):
        months.backfill_months_create(start=(24, 1), end=(2024, 1))
    assert not BackfillMonth.objects.exists()


def test_a_range_reaching_past_this_month_is_refused_naming_the_month():
    """Nothing is published in the future yet: such months were created and processed."""
    latest = (2026, 12)
    assert months.month_range((2026, 11), (2026, 12), latest=latest) == [(2026, 11), (2026, 12)]
    for start, end, says in (
        (
            (2027, 1),
            (2027, 1),
            "2027-01 is in the future: nothing is published in it yet (the latest month is "
            "2026-12).",
        ),
        (
            (2026, 6),
            (2027, 3),
            "2027-03 is in the future: nothing is published in it yet (end the range at 2026-12 "
            "at the latest).",
        ),
        (
            (2027, 1),
            (2027, 3),
            "2027-01 to 2027-03 is in the future: nothing is published in it yet (the latest "
            "month is 2026-12).",
        ),
    ):
        with pytest.raises(ValueError) as refused:
            months.month_range(start, end, latest=latest)
        assert str(refused.value) == says

    # Without `latest`: this month, in the site's time zone.
    today = timezone.localdate()
    this_month = (today.year, today.month)
    next_month = (today.year + today.month // 12, today.month % 12 + 1)
    assert months.month_range(this_month, this_month) == [this_month]
    with pytest.raises(ValueError, match=f"{months.month_label(*next_month)} is in the future"):
        months.backfill_months_create(start=this_month, end=next_month)
    assert not BackfillMonth.objects.exists()


def test_creating_a_range_makes_one_pending_month_each_and_leaves_existing_months_alone(
    django_user_model,
):
    user = django_user_model.objects.create_user("ana")
    [done] = make_months("2024-02", status=Status.COMPLETED, books_discovered=7)

    created = months.backfill_months_create(start=(2023, 12), end=(2024, 3), requested_by=user)

    assert (created.created, created.existing, created.months) == (3, 1, 4)
    assert statuses() == {
        "2024-03": "pending",
        "2024-02": "completed",
        "2024-01": "pending",
        "2023-12": "pending",
    }
    assert reloaded(done).books_discovered == 7 and done.requested_by is None
    assert set(
        BackfillMonth.objects.exclude(pk=done.pk).values_list("requested_by", flat=True)
    ) == {user.pk}
    again = months.backfill_months_create(start=(2023, 12), end=(2024, 3))
    assert (again.created, again.existing) == (0, 4)


# --- Claims -----


def test_claims_take_waiting_months_newest_first_up_to_the_limit():
    make_months("2023-12", "2024-03", "2024-01")
    make_months("2024-02", status=Status.RETRY, error="Open Library: 503", retry_count=1)
    make_months("2024-06", status=Status.COMPLETED)
    make_months("2024-05", status=Status.FAILED)
    make_months("2024-04", status=Status.CANCELLED)
    now = timezone.now()

    first = claims.backfill_months_claim(limit=2, now=now)

    assert [m.label for m in first] == ["2024-03", "2024-02"]
    for month in first:
        assert month.status == Status.PROCESSING
        assert len(month.claim_token) == 32
        assert month.started_at == month.heartbeat_at == now
        assert month.error == ""
    assert first[0].claim_token != first[1].claim_token
    assert first[1].retry_count == 1  # a claim does not count a retry
    rest = claims.backfill_months_claim(limit=10)
    assert [m.label for m in rest] == ["2024-01", "2023-12"]
    assert claims.backfill_months_claim(limit=10) == []
    assert claims.backfill_months_claim(limit=0) == []


def test_a_claim_can_be_limited_to_chosen_months():
    a, b = make_months("2024-01", "2024-02")
    assert [m.label for m in claims.backfill_months_claim(limit=5, month_ids=[a.pk])] == ["2024-01"]
    assert reloaded(b).status == Status.PENDING


def test_a_month_another_scheduler_took_between_reading_and_claiming_is_not_claimed_again(
    monkeypatch,
):
    """SQLite has no row locks: the read of candidates can be stale; the UPDATE guarded by the
    status must then leave the month to the scheduler that took it."""
    early, late = make_months("2024-01", "2024-02")
    [theirs] = claims.backfill_months_claim(limit=1, month_ids=[late.pk])
    # This scheduler read both months as pending before the other one's claim.
    monkeypatch.setattr(claims, "_claim_candidates", lambda candidates, limit: [late.pk, early.pk])

    mine = claims.backfill_months_claim(limit=2)

    assert [m.label for m in mine] == ["2024-01"]
    assert reloaded(late).claim_token == theirs.claim_token  # still the other scheduler's
    assert reloaded(early).claim_token == mine[0].claim_token


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_claiming_at_once_never_get_the_same_month():
    months.backfill_months_create(start=(2020, 1), end=(2024, 12))  # 60 months
    got: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def scheduler(mine: list[str]):
        barrier.wait()
        while claimed := claims.backfill_months_claim(limit=2):
            mine += [m.label for m in claimed]
        connection.close()

    threads = [threading.Thread(target=scheduler, args=(got[i],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(got[0]) & set(got[1])
    assert len(got[0]) + len(got[1]) == 60
    assert got[0] and got[1]  # both took some: neither waited for the other to finish
    assert set(BackfillMonth.objects.values_list("status", flat=True)) == {Status.PROCESSING}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_month_locked_by_another_schedulers_transaction_is_skipped_not_waited_for():
    months.backfill_months_create(start=(2024, 1), end=(2024, 2))
    locked = threading.Event()
    release = threading.Event()

    def other_scheduler():
        from django.db import transaction

        with transaction.atomic():
            list(
                BackfillMonth.objects.filter(year=2024, month=2)
                .select_for_update()
                .values_list("pk", flat=True)
            )
            locked.set()
            release.wait(5)
        connection.close()

    thread = threading.Thread(target=other_scheduler)
    thread.start()
    try:
        assert locked.wait(5)
        claimed = claims.backfill_months_claim(limit=2)
    finally:
        release.set()
        thread.join()
    assert [m.label for m in claimed] == ["2024-01"]


# --- Heartbeats and outcomes -----


def claimed(label: str = "2024-01", **fields) -> BackfillMonth:
    make_months(label, **fields)
    [month] = claims.backfill_months_claim(limit=1)
    return month


def test_only_the_claims_holder_may_beat_or_finish():
    month = claimed()
    token = month.claim_token
    assert claims.backfill_month_heartbeat(month, token) is True
    assert claims.backfill_month_heartbeat(month, "f" * 32) is False
    assert claims.backfill_month_finish(month, "f" * 32, metrics=MonthMetrics(17)) is False
    assert reloaded(month).status == Status.PROCESSING and month.books_discovered == 0

    metrics = MonthMetrics(
        books_discovered=5,
        duplicates_dropped=1,
        isbns_resolved=3,
        resolution_rate=0.75,
        synthetic_works=1,
        queued_for_enrichment=3,
        provider_calls={"openlibrary_search": 2},
        sources={"openlibrary_search": {"books": 5, "calls": 2, "error": ""}},
    )
    assert claims.backfill_month_finish(month, month.claim_token, metrics=metrics) is True
    month = reloaded(month)
    assert (month.status, month.claim_token, month.error) == (Status.COMPLETED, "", "")
    assert (month.books_discovered, month.resolution_rate) == (5, 0.75)
    assert month.provider_calls == {"openlibrary_search": 2}
    assert month.completed_at is not None
    # Finished: the old token holds nothing any more.
    assert claims.backfill_month_heartbeat(month, token) is False


def test_an_outcome_with_an_error_goes_to_retry_then_failed_past_the_maximum(settings):
    settings.BACKFILL_MAX_RETRIES = 1
    month = claimed()
    assert claims.backfill_month_finish(month, month.claim_token, error="No source answered")
    month = reloaded(month)
    assert (month.status, month.retry_count, month.error) == (
        Status.RETRY,
        1,
        "No source answered",
    )
    [month] = claims.backfill_months_claim(limit=1)
    assert claims.backfill_month_finish(month, month.claim_token, error="Still nothing")
    month = reloaded(month)
    assert (month.status, month.retry_count, month.error) == (Status.FAILED, 1, "Still nothing")
    assert month.completed_at is not None and month.claim_token == ""


def test_giving_up_fails_the_month_at_once():
    month = claimed()
    assert claims.backfill_month_finish(month, month.claim_token, error="No source", give_up=True)
    assert (reloaded(month).status, month.retry_count) == (Status.FAILED, 0)


def test_a_month_cancelled_while_processing_never_receives_its_workers_outcome():
    month = claimed()
    token = month.claim_token
    assert months.backfill_months_cancel(months=[month]) == 1

    assert claims.backfill_month_heartbeat(month, token) is False  # the worker stops here
    assert claims.backfill_month_finish(month, token, metrics=MonthMetrics(20, 3)) is False
    month = reloaded(month)
    assert (month.status, month.books_discovered, month.claim_token) == (Status.CANCELLED, 0, "")


# --- A dead worker's month -----


def test_a_month_whose_worker_stopped_answering_is_retried_then_failed(settings):
    settings.BACKFILL_STALE_MINUTES = 30
    settings.BACKFILL_MAX_RETRIES = 2
    start = timezone.now()
    month = claimed()
    assert claims.backfill_month_heartbeat(month, month.claim_token, now=start)  # it began
    [alive] = make_months("2024-02", status=Status.PROCESSING, heartbeat_at=start)

    # 29 minutes without a heartbeat: still alive.
    assert claims.backfill_months_recover_stale(now=start + timedelta(minutes=29)).retried == 0
    assert reloaded(month).status == Status.PROCESSING

    later = start + timedelta(minutes=31)
    for attempt in (1, 2):
        recovered = claims.backfill_months_recover_stale(now=later)
        assert (recovered.retried, recovered.failed) == (2 if attempt == 1 else 1, 0)
        month = reloaded(month)
        assert (month.status, month.retry_count, month.claim_token) == (Status.RETRY, attempt, "")
        assert "stopped answering" in month.error and "30 minutes" in month.error
        [month] = claims.backfill_months_claim(limit=1, month_ids=[month.pk], now=later)
        began = later + timedelta(seconds=1)
        assert claims.backfill_month_heartbeat(month, month.claim_token, now=began)
        later += timedelta(minutes=31)
        if attempt == 1:
            assert reloaded(alive).status == Status.RETRY  # its heartbeat was old by then too
    assert claims.backfill_months_recover_stale(now=later).failed == 1
    month = reloaded(month)
    assert (month.status, month.retry_count) == (Status.FAILED, 2)
    assert "stopped answering" in month.error


def test_a_month_whose_task_was_lost_before_a_worker_began_it_counts_no_retry(settings):
    """Claimed and handed to the queue, and no worker ever began it (a Redis restarted without
    its data lost the task): not "its worker stopped answering", and no retry counted."""
    settings.BACKFILL_STALE_MINUTES = 30
    month = claimed(retry_count=1)
    later = timezone.now() + timedelta(minutes=31)

    recovered = claims.backfill_months_recover_stale(now=later)

    assert (recovered.requeued, recovered.retried, recovered.failed) == (1, 0, 0)
    month = reloaded(month)
    assert (month.status, month.retry_count, month.claim_token) == (Status.RETRY, 1, "")
    assert month.error.startswith("No worker began this month: its task was lost")
    assert claims.backfill_months_claim(limit=1, now=later) == [month]  # taken again


# --- The scheduler and its schedules -----


def test_the_scheduler_gives_back_stale_months_and_keeps_a_few_months_in_progress(
    settings, sent_tasks
):
    settings.BACKFILL_MONTHS_PER_RUN = 2
    long_ago = timezone.now() - timedelta(hours=2)
    [stale] = make_months("2023-01", status=Status.PROCESSING, heartbeat_at=long_ago)
    make_months("2024-01", "2024-02", "2024-03")
    [busy] = make_months("2023-06", status=Status.PROCESSING, heartbeat_at=timezone.now())

    assert tasks.run_backfill_scheduler() == {
        "retried": 1,
        "failed": 0,
        "requeued": 0,
        "claimed": 1,  # one month still in progress: one more
        "dispatched": 1,
    }
    assert reloaded(stale).status == Status.RETRY
    assert [t.args[0] for t in sent_tasks] == [BackfillMonth.objects.get(month=3).pk]
    BackfillMonth.objects.filter(pk=busy.pk).update(status=Status.COMPLETED)
    assert tasks.run_backfill_scheduler()["claimed"] == 1  # 2024-03 still holds a place
    assert BackfillMonth.objects.get(year=2024, month=2).status == Status.PROCESSING


def test_the_migration_schedules_the_scheduler_and_the_daily_synthetic_retry():
    scheduler = Schedule.objects.get(func="enrichment.tasks.run_backfill_scheduler")
    assert (scheduler.schedule_type, scheduler.minutes, scheduler.repeats) == (
        Schedule.MINUTES,
        5,
        -1,
    )
    retry = Schedule.objects.get(func="enrichment.tasks.retry_synthetic_works")
    assert (retry.schedule_type, retry.repeats) == (Schedule.DAILY, -1)
    next_run = retry.next_run.astimezone(UTC)
    assert (next_run.hour, next_run.minute) == (0, 30)
    assert timedelta(0) < next_run - datetime.now(UTC) <= timedelta(days=1, minutes=30)
