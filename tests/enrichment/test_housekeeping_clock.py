"""The daily housekeeping judges what has expired on the database's clock (bookstore.db_clock),
which the cluster heartbeats and the API allowances are stamped on. Before, it read the clock
of the machine it ran on: from a machine two days ahead it forgot every live cluster's heartbeat
(the dashboard and the works list then said no worker was running) and every API caller's
allowance still partly spent (each got a whole one again); two days behind, it kept dead
clusters and spent answers.

A machine's clock is skewed as tests/enrichment/test_claims_clock.py skews it (this process's
`timezone.now`). SQLite lives on one machine, whose clock is the database's: these run on
PostgreSQL."""

import datetime

import pytest
from django.db import connection

from bookstore.db_clock import database_now
from enrichment.heartbeats import ClusterProcess, cluster_heartbeat_beat, no_worker_running
from enrichment.housekeeping import housekeeping_run
from enrichment.models import ApiAllowance, ClusterHeartbeat, SourceRecord
from tests.enrichment.test_claims_clock import on_a_machine

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lives on one machine: its clock is the machine's",
    ),
]

TWO_DAYS = 2 * 86400


def answer(key: str, *, expires_in: datetime.timedelta) -> None:
    now = database_now()
    SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key=key,
        status=SourceRecord.Status.HIT,
        payload={"synthetic": key},
        fetched_at=now - datetime.timedelta(days=7),
        expires_at=now + expires_in,
    )


def test_housekeeping_on_a_machine_two_days_ahead_keeps_live_clusters_and_allowances(
    monkeypatch,
):
    cluster_heartbeat_beat(process=ClusterProcess("main", "worker-1", 4242, "redis", 2))
    ApiAllowance.objects.create(key="user:1", full_at=database_now().timestamp() + 60)
    answer("isbn:fresh", expires_in=datetime.timedelta(days=1))
    on_a_machine(monkeypatch, TWO_DAYS)

    result = housekeeping_run()

    assert (result.cluster_heartbeats, result.api_allowances, result.source_records) == (0, 0, 0)
    assert ClusterHeartbeat.objects.count() == ApiAllowance.objects.count() == 1
    assert SourceRecord.objects.filter(lookup_key="isbn:fresh").exists()
    assert not no_worker_running()


def test_housekeeping_on_a_machine_two_days_behind_forgets_what_has_expired(monkeypatch):
    cluster_heartbeat_beat(
        process=ClusterProcess("main", "gone", 4243, "redis", 2),
        now=database_now() - datetime.timedelta(days=1, hours=1),
    )
    ApiAllowance.objects.create(key="user:2", full_at=database_now().timestamp() - 60)
    answer("isbn:spent", expires_in=-datetime.timedelta(hours=1))
    on_a_machine(monkeypatch, -TWO_DAYS)

    result = housekeeping_run()

    assert (result.cluster_heartbeats, result.api_allowances, result.source_records) == (1, 1, 1)
