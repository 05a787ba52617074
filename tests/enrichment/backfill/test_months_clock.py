"""A backfill month's stamps are all on the database's clock (bookstore.db_clock), as its claim
and heartbeats are: a worker whose machine's clock ran ten minutes behind wrote its outcome ten
minutes before the month started, and the list's "Run" read "12:00 – 11:50". SQLite lives on one
machine, whose clock is the database's: these run on PostgreSQL."""

import datetime

import pytest
from django.db import connection

from enrichment.backfill import claims, months
from enrichment.backfill.months import MonthMetrics
from enrichment.models import BackfillMonth
from tests.enrichment.test_claims_clock import TEN_MINUTES, on_a_machine

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

Status = BackfillMonth.Status


def a_worker_ten_minutes_behind(monkeypatch) -> None:
    on_a_machine(monkeypatch, -TEN_MINUTES)


def claimed() -> BackfillMonth:
    BackfillMonth.objects.create(year=2024, month=3)
    [month] = claims.backfill_months_claim(limit=1)
    return month


def test_a_month_finished_on_a_machine_behind_ends_after_it_began(monkeypatch):
    month = claimed()
    a_worker_ten_minutes_behind(monkeypatch)

    assert claims.backfill_month_finish(month, month.claim_token, metrics=MonthMetrics(3))

    month.refresh_from_db()
    assert month.status == Status.COMPLETED
    assert month.started_at <= month.completed_at < month.started_at + datetime.timedelta(minutes=1)


def test_a_month_given_back_or_run_again_on_a_machine_behind_is_stamped_after_it_began(
    monkeypatch,
):
    month = claimed()
    a_worker_ten_minutes_behind(monkeypatch)

    assert claims.backfill_month_release(month, month.claim_token, error="stopped")
    month.refresh_from_db()
    assert month.updated_at >= month.started_at

    [month] = claims.backfill_months_claim(limit=1)
    claims.backfill_month_finish(month, month.claim_token, metrics=MonthMetrics(3))
    months.backfill_months_rerun(months=[month], by="rita")
    month.refresh_from_db()
    [run] = month.earlier_runs
    assert run["run_again_at"] >= run["completed_at"] >= run["started_at"]
