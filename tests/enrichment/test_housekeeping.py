"""The daily housekeeping (issue 19): each purge deletes only what expired or is beyond its limit
(boundaries included), in chunks; the schedule exists after migrate; `manage.py housekeeping`
prints the counts."""

import datetime
import json
import os
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Failure, Schedule, Success, Task

from enrichment import housekeeping
from enrichment.housekeeping import (
    api_allowances_purge_full,
    cluster_heartbeats_purge,
    housekeeping_run,
    source_records_purge_expired,
    task_results_trim,
)
from enrichment.models import ApiAllowance, ClusterHeartbeat, DashboardSnapshot, SourceRecord
from enrichment.providers import cache
from enrichment.table_sizes import SNAPSHOT_KEY

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def record(key: str, *, expires: datetime.datetime) -> SourceRecord:
    return SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key=key,
        status=SourceRecord.Status.HIT,
        payload={"synthetic": key},
        fetched_at=expires - datetime.timedelta(days=7),
        expires_at=expires,
    )


def task_result(n: int, *, success: bool, stopped: datetime.datetime) -> Task:
    return Task.objects.create(
        id=uuid.uuid4().hex,
        name=f"synthetic-task-{n}",
        func="enrichment.tasks.dispatch_due_requests",
        started=stopped - datetime.timedelta(seconds=1),
        stopped=stopped,
        success=success,
        result=None,
    )


def test_expired_provider_answers_go_and_the_cache_still_reads_the_rest():
    second = datetime.timedelta(seconds=1)
    record("isbn:expired", expires=NOW - datetime.timedelta(days=2))
    record("isbn:at-now", expires=NOW)  # the cache reads expires_at > now: expired
    record("isbn:fresh", expires=NOW + second)

    assert source_records_purge_expired(now=NOW) == 2
    assert list(SourceRecord.objects.values_list("lookup_key", flat=True)) == ["isbn:fresh"]
    kept = cache.read(provider="openlibrary", keys=["isbn:fresh", "isbn:at-now"], now=NOW)
    assert list(kept) == ["isbn:fresh"]  # nothing the cache would still have served was lost


def test_expired_answers_are_deleted_in_chunks(django_assert_max_num_queries):
    for n in range(7):
        record(f"isbn:old-{n}", expires=NOW - datetime.timedelta(hours=n + 1))
    record("isbn:fresh", expires=NOW + datetime.timedelta(days=1))
    with django_assert_max_num_queries(20) as captured:
        assert source_records_purge_expired(now=NOW, chunk_size=3) == 7
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(statements) == 3  # 3 + 3 + 1 rows, never one DELETE of everything
    assert SourceRecord.objects.count() == 1


def test_task_results_beyond_the_limit_go_newest_kept_successes_and_failures_alike():
    for n in range(5):
        task_result(n, success=True, stopped=NOW - datetime.timedelta(minutes=n))
    for n in range(4):
        task_result(10 + n, success=False, stopped=NOW - datetime.timedelta(minutes=n))

    assert task_results_trim(keep=3, chunk_size=1) == (2, 1)
    assert sorted(Success.objects.values_list("name", flat=True)) == [
        "synthetic-task-0", "synthetic-task-1", "synthetic-task-2"
    ]  # fmt: skip
    assert sorted(Failure.objects.values_list("name", flat=True)) == [
        "synthetic-task-10", "synthetic-task-11", "synthetic-task-12"
    ]  # fmt: skip
    assert task_results_trim(keep=3) == (0, 0)  # exactly at the limit: nothing


def test_task_results_follow_save_limit_and_zero_keeps_everything(monkeypatch):
    from django_q.conf import Conf

    for n in range(3):
        task_result(n, success=False, stopped=NOW - datetime.timedelta(minutes=n))
    assert task_results_trim(keep=0) == (0, 0)  # save_limit 0: django-q2 keeps everything
    assert task_results_trim(keep=-1) == (0, 0)
    assert task_results_trim() == (0, 0)  # 3 failures are within the configured 1000
    monkeypatch.setattr(Conf, "SAVE_LIMIT", 2)  # Q_CLUSTER["save_limit"], as django-q2 reads it
    assert task_results_trim() == (0, 1)
    assert Failure.objects.count() == 2


def test_heartbeats_are_forgotten_after_a_day_of_silence():
    def beat(pid, age):
        at = NOW - age
        ClusterHeartbeat.objects.create(
            name="bookstore", host="h", pid=pid, broker="orm", started_at=at, beat_at=at
        )

    day = housekeeping.HEARTBEAT_KEEP
    beat(1, day + datetime.timedelta(seconds=1))  # dead for over a day
    beat(2, day)  # exactly a day: kept until it is older
    beat(3, datetime.timedelta(seconds=5))  # running
    assert cluster_heartbeats_purge(now=NOW) == 1
    assert sorted(ClusterHeartbeat.objects.values_list("pid", flat=True)) == [2, 3]


def test_api_allowances_whole_again_go_and_those_still_partly_spent_stay():
    now = NOW.timestamp()
    for user, full_at in ((1, now - 3600), (2, now), (3, now + 1)):
        ApiAllowance.objects.create(key=f"throttle_user_{user}", full_at=full_at)

    # Users 1 and 2 have their whole allowance (as with no row); user 3 gets a request's place
    # back in a second: their row still counts.
    assert api_allowances_purge_full(now=NOW, chunk_size=1) == 2
    assert list(ApiAllowance.objects.values_list("key", flat=True)) == ["throttle_user_3"]


def test_the_run_purges_everything_and_measures_the_tables():
    record("isbn:expired", expires=NOW - datetime.timedelta(days=1))
    result = housekeeping_run()
    assert result.source_records == 1
    assert result.biggest_table and result.database_bytes > 0
    sizes = DashboardSnapshot.objects.get(key=SNAPSHOT_KEY)
    assert sizes.figures["tables"][0][0] == result.biggest_table


def test_the_run_deletes_half_files_a_killed_save_left_once_a_day_old(settings):
    """A process killed while saving a cover or an upload leaves the hidden file it was writing
    (bookstore.file_storage): a day later it is no save in progress, and goes."""
    media = Path(settings.MEDIA_ROOT)
    uploads = Path(settings.STORAGES["imports"]["OPTIONS"]["location"])
    (media / "covers" / "ab").mkdir(parents=True)
    (uploads / "held").mkdir(parents=True)
    stale_cover = media / "covers" / "ab" / f".{uuid.uuid4().hex}.partial"
    stale_upload = uploads / "held" / f".{uuid.uuid4().hex}.partial"
    being_saved = media / "covers" / "ab" / f".{uuid.uuid4().hex}.partial"
    a_cover = media / "covers" / "ab" / "abcdef.jpg"
    named_like_one = media / "covers" / "ab" / "notes.partial"
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (stale_cover, stale_upload, being_saved, a_cover, named_like_one):
        path.write_bytes(b"half a cover")
    for path in (stale_cover, stale_upload, a_cover, named_like_one):
        os.utime(path, (two_days_ago, two_days_ago))

    assert housekeeping_run().partial_files == 2
    assert not stale_cover.exists() and not stale_upload.exists()
    assert being_saved.exists() and a_cover.exists() and named_like_one.exists()


def test_the_daily_schedule_exists_after_migrate_and_runs_the_task():
    schedule = Schedule.objects.get(func="enrichment.tasks.run_housekeeping")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.DAILY, -1)
    # The import files keep their own daily purge: not a second one here.
    assert Schedule.objects.filter(func="catalog.tasks.purge_import_files").count() == 1
    record("isbn:expired", expires=NOW - datetime.timedelta(days=1))
    assert import_string(schedule.func)()["source_records"] == 1  # what the cluster calls


def test_the_command_prints_its_counts_as_json_and_as_a_sentence():
    record("isbn:expired", expires=NOW - datetime.timedelta(days=1))
    out = StringIO()
    call_command("housekeeping", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert {
        key: counts[key] for key in counts if key not in ("biggest_table", "database_bytes")
    } == {
        "source_records": 1,
        "task_successes": 0,
        "task_failures": 0,
        "cluster_heartbeats": 0,
        "api_allowances": 0,
        "partial_files": 0,
    }
    assert counts["database_bytes"] > 0

    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert out.getvalue().startswith(
        "Deleted 0 expired provider answers, 0 successful and 0 failed"
    )
