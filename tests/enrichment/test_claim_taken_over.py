"""A live worker whose request was taken over writes nothing over the newer run's results.

Stamping and judging claims on the database's clock (bookstore.db_clock) ends the takeovers a
machine's clock jump caused; the database server's own clock jumping forward past
ENRICHMENT_STALE_SECONDS still makes the sweep give a live worker's request back, and another
worker runs it. Every write of a run is fenced by its claim token (enrichment.apply's
_lock_claimed, outcomes._back_off): the first worker, answered after the second has finished,
finds the request no longer its own and stops.

Real processes on the test's database (tests/enrichment/processes.py): worker A claims the
request and waits inside its provider's answer; the sweep runs with the database's clock jumped;
worker B claims the request and completes it; then A gets its (different) answer.
"""

import json
import subprocess
import sys

import pytest

from tests.enrichment import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real processes

STALE = 300
ISBN = "9780060557812"

SETUP = """
import django
django.setup()
from catalog.models import Edition, Work
from enrichment import queue

work = Work.objects.create(title="Neverwhere")
Edition.objects.create(work=work, isbn13="9780060557812")
[request_id] = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
print(request_id)
"""

WORKER = """
import json, sys, time
from datetime import timedelta
from pathlib import Path
import django
django.setup()
from bookstore.db_clock import database_now
from enrichment import engine, queue
from enrichment.candidates import Contributor
from tests.enrichment.fakes import FakeProvider, candidate

request_id, pages, description = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
started, release = Path(sys.argv[4]), Path(sys.argv[5])
jumped = timedelta(seconds=int(sys.argv[6]))  # how far the database's clock has jumped


class AnsweringLate(FakeProvider):
    def lookup_isbns(self, isbns):
        started.touch()
        while not release.exists():
            time.sleep(0.05)
        return super().lookup_isbns(isbns)


record = candidate(
    provider="openlibrary", title="Neverwhere", authors=[Contributor("Neil Gaiman")],
    isbn13=["9780060557812"], page_count=pages, description=description,
    provider_ids={"openlibrary_edition": "OL1M", "openlibrary_work": "OL1W"},
)
claimed = queue.requests_claim(request_ids=[request_id], now=database_now() + jumped)
stats = engine.process_requests(
    claimed, providers=[AnsweringLate(answers={"9780060557812": [record]})]
)
print(json.dumps({"claimed": len(claimed), "statuses": dict(stats.statuses)}))
"""

# The sweep, run while the database server's clock has jumped past the stale interval.
SWEEP_AFTER_A_JUMP = """
from datetime import timedelta
import django
django.setup()
from bookstore.db_clock import database_now
from enrichment import queue

print(queue.requests_recover_stale(now=database_now() + timedelta(seconds=int(sys.argv[1]) + 5)))
"""

REPORT = """
import json, sys
import django
django.setup()
from catalog.models import Edition
from enrichment.models import AuditLogEntry, EnrichmentRequest

request = EnrichmentRequest.objects.get(pk=int(sys.argv[1]))
edition = Edition.objects.get(work=request.work)
print(json.dumps({
    "status": request.status,
    "attempts": request.attempts,
    "claim_token": request.claim_token,
    "pages": edition.page_count,
    "description": request.work.description,
    "audit_entries": AuditLogEntry.objects.filter(request=request).count(),
    "page_counts_written": [
        entry.changes["page_count"]["new"]
        for entry in AuditLogEntry.objects.filter(request=request)
        if "page_count" in entry.changes
    ],
}))
"""


def run_script(script: str, env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + script, *map(str, args)],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_live_worker_whose_request_was_taken_over_leaves_the_newer_run_s_results(tmp_path):
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        ENRICHMENT_STALE_SECONDS=STALE,
        ENRICHMENT_AUTO_APPLY_COVERS=0,
    )
    request_id = int(run_script(SETUP, env))
    started_a, release_a = tmp_path / "a-started", tmp_path / "a-release"
    worker_a = processes.start(
        [
            sys.executable,
            "-c",
            WORKER,
            str(request_id),
            "111",
            "The first run's description.",
            str(started_a),
            str(release_a),
            "0",
        ],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        processes.wait_for(started_a.exists, 60, "worker A asking its provider")
        assert run_script(SWEEP_AFTER_A_JUMP, env, STALE) == "1"  # A's request, given back

        started_b, release_b = tmp_path / "b-started", tmp_path / "b-release"
        release_b.touch()
        worker_b = run_script(
            WORKER,
            env,
            request_id,
            370,
            "The newer run's description.",
            started_b,
            release_b,
            STALE + 5,
        )
        assert json.loads(worker_b) == {"claimed": 1, "statuses": {"completed": 1}}

        release_a.touch()  # A's answer comes at last
        found_a = processes.last_json_when_done(worker_a, timeout=60)
    finally:
        processes.kill_group(worker_a) if worker_a.poll() is None else None
    assert found_a == {"claimed": 1, "statuses": {"lost": 1}}

    report = json.loads(run_script(REPORT, env, request_id))
    assert report == {
        "status": "completed",
        "attempts": 2,
        "claim_token": "",
        "pages": 370,
        "description": "The newer run's description.",
        "audit_entries": 1,
        "page_counts_written": [370],
    }
