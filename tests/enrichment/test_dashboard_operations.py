"""The dashboard's operations panel (issue 19): every cluster process's last heartbeat with
its age and a warning once it stopped answering, how long the oldest due request and the oldest
queued cover download have waited, and the biggest tables as the housekeeping measured them."""

import datetime
import re

import pytest
from django.contrib.admin.utils import display_for_value
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrichment import operations_panel, table_sizes
from enrichment.dashboard import dashboard_snapshot_refresh
from enrichment.models import ClusterHeartbeat, DashboardSnapshot, EnrichmentRequest
from enrichment.operations_panel import duration_label, queue_age
from tests.enrichment.test_review_admin import librarian
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_work
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db
DASHBOARD_URL = reverse("admin:enrichment_dashboard")


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def heartbeat(name, host, pid, *, beat, broker="orm", stopped=False, workers=2):
    return ClusterHeartbeat.objects.create(
        name=name,
        host=host,
        pid=pid,
        broker=broker,
        workers=workers,
        started_at=beat - datetime.timedelta(hours=1),
        beat_at=beat,
        stopped_at=beat if stopped else None,
    )


@pytest.fixture
def page(client):
    dashboard_snapshot_refresh()
    client.force_login(librarian())
    return lambda: visible_text(client, DASHBOARD_URL)


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(0, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (3600, "1 h"),
     (3600 + 5 * 60, "1 h 5 min"), (47 * 3600, "47 h"), (2 * 86400, "2 days")],
)  # fmt: skip
def test_durations_read_in_the_unit_that_fits(seconds, label):
    assert duration_label(seconds) == label


def test_every_cluster_process_is_shown_with_its_heartbeat_and_a_silent_one_warns(
    page, client, settings
):
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    heartbeat("bookstore", "worker-1", 4101, beat=ago(seconds=12))
    heartbeat("covers", "worker-2", 5202, beat=ago(minutes=8), broker="redis")
    heartbeat("bookstore", "worker-3", 6303, beat=ago(minutes=20), stopped=True)

    text = page()
    assert "pid 4101 Database (ORM) 12 s ago" in text
    assert "pid 5202 Redis Stopped answering 8 min ago" in text
    assert "pid 6303 Database (ORM) Stopped 20 min ago" in text
    # Running first, then the silent one, then the one that stopped cleanly.
    assert text.index("worker-1") < text.index("worker-2") < text.index("worker-3")
    assert "No task cluster has written a heartbeat" not in text
    html = client.get(DASHBOARD_URL).content.decode()
    assert '<span class="cluster-warn">Stopped answering 8 min ago</span>' in html
    assert html.count("cluster-warn") == 1


def test_a_cluster_just_under_the_threshold_is_running_and_just_over_is_silent(settings):
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = 60
    now = timezone.now()
    row = heartbeat("bookstore", "h", 1, beat=now - datetime.timedelta(seconds=60))
    assert operations_panel.cluster_state(row, now=now) == (60, "running")
    later = now + datetime.timedelta(seconds=1)
    assert operations_panel.cluster_state(row, now=later) == (61, "silent")


def test_no_heartbeat_at_all_says_that_no_cluster_runs(page, settings):
    assert "No task cluster has written a heartbeat: start one with manage.py qcluster." in page()
    # ... unless none is expected: heartbeats turned off, or tasks run in the web process.
    settings.CLUSTER_HEARTBEAT_SECONDS = 0
    assert "Heartbeats are off (CLUSTER_HEARTBEAT_SECONDS=0)" in page()
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    text = page()
    assert "Tasks run in the process that queues them (Q_SYNC)" in text
    assert "No task cluster has written a heartbeat" not in text


def test_tasks_run_in_process_still_need_a_cluster_for_the_schedules(page, settings):
    """With Q_SYNC it said "no cluster is needed", beside figures that no schedule counts without
    one ("No worker has counted them since: is the cluster running?")."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    text = page()
    assert "no cluster is needed" not in text
    assert (
        "the schedules (these figures every minute, due retries, the daily housekeeping) run "
        "only in a cluster" in text
    )


def test_the_queue_age_is_the_oldest_due_request_not_one_waiting_for_a_later_retry(page):
    # It said "Requests: empty (none is due). Cover downloads: empty.": plainly, now.
    text = page()
    assert "Waiting longest Nothing is waiting for a worker." in text
    assert "empty" not in text.split("Waiting longest", 1)[1].split("Biggest tables")[0]

    later = EnrichmentRequest.objects.create(
        work=make_work("Retried later"), trigger="command", next_attempt_at=ago(minutes=-30)
    )
    assert "Nothing is waiting for a worker." in page()  # scheduled for later: not waiting
    EnrichmentRequest.objects.create(
        work=make_work("Due"), trigger="command", next_attempt_at=ago(minutes=7, seconds=5)
    )
    EnrichmentRequest.objects.create(
        work=make_work("Done"), trigger="command", status="completed", next_attempt_at=ago(days=3)
    )
    text = page()
    assert "Requests: the oldest due request has waited 7 min for a worker." in text
    assert "No cover download is waiting." in text

    later.cover_status = "pending"
    later.cover_queued_at = ago(minutes=3)
    later.save()
    EnrichmentRequest.objects.filter(pk=later.pk).update(status="completed")
    EnrichmentRequest.objects.filter(work__title="Due").update(status="completed")
    text = page()
    assert "Cover downloads: 1 pending, the oldest queued 3 min ago." in text
    assert "No request is waiting for a worker." in text


def test_pending_covers_are_counted_up_to_a_limit(monkeypatch):
    monkeypatch.setattr(operations_panel, "COVERS_COUNT_LIMIT", 2)
    for title in ("A", "B", "C", "D"):
        EnrichmentRequest.objects.create(
            work=make_work(title), trigger="command", status="completed", cover_status="pending"
        )
    age = queue_age(now=timezone.now())
    assert (age.covers_pending, age.covers_over_limit) == (3, True)
    assert age.oldest_cover_seconds is None  # none was queued yet


def test_the_queue_age_reads_the_indexes():
    # The three queries queue_age runs, as the database plans them: the oldest due request
    # from the (status, next_attempt_at) index, the covers from (cover_status, cover_queued_at).
    with CaptureQueriesContext(connection) as captured:
        queue_age(now=timezone.now())
    oldest_due, covers_count, oldest_cover = (q["sql"] for q in captured.captured_queries)
    assert "enrichreq_due_idx" in query_plan(oldest_due)
    assert "enrichreq_cover_due_idx" in query_plan(oldest_cover)
    assert "enrichreq_cover_due_idx" in query_plan(covers_count)


def test_the_biggest_tables_are_shown_as_measured_and_dated(page):
    assert "Not measured yet: the daily housekeeping measures them" in page()

    for title in ("A", "B"):
        make_work(title)
    snapshot = table_sizes.table_sizes_refresh()
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=ago(hours=5))
    sizes = snapshot.figures
    assert sizes["available"] and len(sizes["tables"]) == table_sizes.BIGGEST
    names = [name for name, _size in sizes["tables"]]
    assert all(size > 0 for _name, size in sizes["tables"])
    assert [size for _n, size in sizes["tables"]] == sorted(
        (size for _n, size in sizes["tables"]), reverse=True
    )
    text = page()
    assert names[0] in text and names[-1] in text
    # When, as every time in the admin: its format, the site's time zone ("1 Dec, 00:47 UTC"
    # was written its own way).
    measured = display_for_value(DashboardSnapshot.objects.get(pk=snapshot.pk).computed_at, "–")
    assert f"Measured {measured} (5 h ago) by the housekeeping, which runs daily." in text
    assert "The whole database:" in text


def test_the_biggest_tables_are_called_what_a_librarian_calls_their_rows(client):
    """ "Import rows", not `catalog_importrow`: the database's name is only a quiet detail below,
    and a table no model owns keeps the name it has."""
    snapshot = table_sizes.table_sizes_refresh()
    figures = {
        **snapshot.figures,
        "tables": [
            ["catalog_importrow", 163_840],
            ["enrichment_auditlogentry", 61_440],
            ["catalog_work_subjects_extra", 4_096],  # no model: a table left by hand
        ],
    }
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(figures=figures)
    client.force_login(librarian())

    html = client.get(DASHBOARD_URL).content.decode()

    chart = re.search(r'<table class="bar-chart" id="table-sizes">(.*?)</table>', html, re.S)
    rows = [
        re.sub(r"<[^>]+>", " ", th).split()
        for th in re.findall(r'<th scope="row">(.*?)</th>', chart.group(1), re.S)
    ]
    assert rows == [
        ["Import", "rows", "catalog_importrow"],
        ["Audit", "log", "entries", "enrichment_auditlogentry"],
        ["catalog_work_subjects_extra"],
    ]
    assert 'aria-label="Import rows: 160.0\xa0KB"' in html


def test_sizes_on_this_database_count_indexes_and_match_the_vendor():
    sizes = table_sizes.table_sizes_measure(limit=100)
    by_name = dict(sizes["tables"])
    assert "enrichment_enrichmentrequest" in by_name and "catalog_work" in by_name
    # A table with a dozen indexes takes more than one page (8 kB PostgreSQL, 4 kB SQLite).
    assert by_name["enrichment_enrichmentrequest"] > 8192
    assert sizes["database_bytes"] >= sum(by_name.values())


def test_a_sqlite_build_without_dbstat_says_so(page, monkeypatch):

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's dbstat table")
    monkeypatch.setattr(table_sizes, "SQLITE_SIZES", "SELECT * FROM no_such_dbstat LIMIT %s")
    sizes = table_sizes.table_sizes_refresh().figures
    assert sizes["available"] is False and sizes["database_bytes"] > 0
    text = page()
    assert "Sizes per table are not available on this SQLite build" in text
    assert "The whole database:" in text


def test_the_operations_panel_costs_five_queries(django_assert_num_queries):
    heartbeat("bookstore", "h", 1, beat=ago(seconds=3))
    table_sizes.table_sizes_refresh()
    with django_assert_num_queries(5):
        figures = operations_panel.operations_figures()
    assert len(figures.clusters) == 1 and figures.table_sizes.available
