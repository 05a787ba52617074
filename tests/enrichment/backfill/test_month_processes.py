"""A backfill month on a real worker process while the worst happens to it: the worker SIGKILLed
in the middle of its title searches (as django-q2's guard, or the kernel out of memory, kills
one), or its PostgreSQL server restarted under it. Either way the month runs again, no book is
written twice nor queued twice, and the month says what happened; an outage counts no retry
(tests/enrichment/backfill/test_run.py plays both inside one process)."""

import os
import signal
import subprocess
import sys

import pytest

from tests.enrichment.processes import (
    kill_group,
    last_json_of,
    last_json_when_done,
    process_env,
    shared_database_url,
    start,
    wait_for,
)
from tests.postgres_restart import postgres_data_directory, postgres_restart

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real processes

BOOKS = 24

# A month of BOOKS synthetic books without an ISBN, each found by a fake title search (no
# network) that takes `pace` seconds and reports how many it answered. No broker: what the
# month queues goes nowhere (its EnrichmentRequests are in the database).
MONTH_SETUP = """
import datetime, json, os, pathlib, sys, time
import django
django.setup()
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from bookstore import task_queue
from catalog import isbn
from catalog.models import Edition, Work
from enrichment.backfill import claims, resolve, run
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.sources import SOURCE_CLASSES
from enrichment.backfill.sources.base import SourceAnswer
from enrichment.models import BackfillMonth, EnrichmentRequest
from tests.enrichment.backfill import months_support as support
task_queue.enqueue = lambda *args, **kwargs: None
folder = pathlib.Path(sys.argv[1])
books, pace = int(os.environ["MONTH_BOOKS"]), float(os.environ["SEARCH_PACE"])
SOURCE_CLASSES["fake_catalogue"] = f"{support.__name__}.FakeCatalogueSource"
settings.BACKFILL_SOURCES = ["fake_catalogue"]
titles = [f"Synthetic Backfill Novel {i}" for i in range(books)]
support.ANSWERS["fake_catalogue"] = SourceAnswer(
    books=[DiscoveredBook(t, [f"Author {i}"], year=2024, month=3) for i, t in enumerate(titles)]
)
def isbn_of(i):
    first12 = f"978{900000000 + i:09d}"
    return first12 + isbn.isbn13_check_digit(first12)
class PacedSearch(support.TitleSearchProvider):
    def search(self, *, title, author):
        time.sleep(pace)
        found = super().search(title=title, author=author)
        (folder / "searched.tmp").write_text(str(len(self.search_calls)))
        (folder / "searched.tmp").replace(folder / "searched")
        return found
provider = PacedSearch(
    records={t: support.record(t, f"Author {i}", isbn_of(i)) for i, t in enumerate(titles)}
)
resolve.enabled_providers = lambda **options: [provider]
def state(month):
    month.refresh_from_db()
    return {"status": month.status, "retries": month.retry_count, "error": month.error}
def outcome(month):
    return {
        **state(month),
        "works": Work.objects.filter(title__in=titles).count(),
        "titles_twice": Work.objects.values("title").annotate(n=Count("pk"))
            .filter(n__gt=1).count(),
        "editions": Edition.objects.filter(work__title__in=titles).count(),
        "requests": EnrichmentRequest.objects.count(),
        "works_queued_twice": EnrichmentRequest.objects.values("work")
            .annotate(n=Count("pk")).filter(n__gt=1).count(),
    }
"""

# Claims the month and processes it; after an outage that gave it back, claims it again.
WORKER = (
    MONTH_SETUP
    + """
BackfillMonth.objects.create(year=2024, month=3)
[month] = claims.backfill_months_claim(limit=1)
run.backfill_month_process(month_id=month.pk, token=month.claim_token)
after_the_outage = state(month)
pace = 0.0
for again in claims.backfill_months_claim(limit=1):
    run.backfill_month_process(month_id=again.pk, token=again.claim_token)
print(json.dumps({"after_the_outage": after_the_outage, **outcome(month)}))
"""
)

# The stale recovery, BACKFILL_STALE_MINUTES after the killed worker's last heartbeat, then the
# month claimed and processed again here.
RECOVER_AND_RUN = (
    MONTH_SETUP
    + """
later = timezone.now() + datetime.timedelta(minutes=settings.BACKFILL_STALE_MINUTES + 1)
month = BackfillMonth.objects.get(year=2024, month=3)
left = state(month)
recovered = claims.backfill_months_recover_stale(now=later)
given_back = state(month)
[again] = claims.backfill_months_claim(limit=1, now=later)
run.backfill_month_process(month_id=again.pk, token=again.claim_token)
print(json.dumps({
    "left": left, "recovered": recovered.retried, "given_back": given_back, **outcome(month)
}))
"""
)


def _searched(folder) -> int:
    try:
        return int((folder / "searched").read_text())
    except (OSError, ValueError):
        return 0


def _month_env(tmp_path, *, pace: float) -> dict[str, str]:
    return process_env(shared_database_url(tmp_path), MONTH_BOOKS=BOOKS, SEARCH_PACE=pace)


def _the_month_ran_once(found: dict) -> None:
    assert (found["status"], found["error"]) == ("completed", "")
    assert (found["works"], found["editions"], found["titles_twice"]) == (BOOKS, BOOKS, 0)
    assert (found["requests"], found["works_queued_twice"]) == (BOOKS, 0)


def test_a_worker_sigkilled_mid_month_leaves_nothing_half_written_and_the_month_runs_once(
    tmp_path,
):
    env = _month_env(tmp_path, pace=0.2)
    worker = start([sys.executable, "-c", WORKER, str(tmp_path)], env)
    try:
        wait_for(lambda: _searched(tmp_path) >= 5, 60, "five title searches")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    found = last_json_of(RECOVER_AND_RUN, str(tmp_path), env | {"SEARCH_PACE": "0"})

    # Killed mid-search: nothing of the month written, the month still held by the dead worker.
    assert found["left"]["status"] == "processing"
    assert found["recovered"] == 1
    assert found["given_back"]["status"] == "retry" and found["given_back"]["retries"] == 1
    assert "stopped answering" in found["given_back"]["error"]  # what the admin shows
    _the_month_ran_once(found)


def test_a_month_whose_postgresql_restarts_runs_again_with_no_retry_counted(tmp_path):
    data_directory = postgres_data_directory()
    env = _month_env(tmp_path, pace=0.2)
    worker = start(
        [sys.executable, "-c", WORKER, str(tmp_path)],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: _searched(tmp_path) >= 5, 60, "five title searches")
        postgres_restart(data_directory, down_for=3)
        found = last_json_when_done(worker)
    finally:
        if worker.poll() is None:
            kill_group(worker)

    # Given back once the database answered, saying why, with no retry counted; then run whole.
    after = found["after_the_outage"]
    assert (after["status"], after["retries"]) == ("retry", 0), after
    assert after["error"].startswith("Stopped by an outage of the database or the task queue")
    _the_month_ran_once(found)
    assert found["retries"] == 0
