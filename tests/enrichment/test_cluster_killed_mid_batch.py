"""A qcluster on the database's broker (bookstore.orm_broker), SIGKILLed while its worker waits
for a provider's answer in the middle of an enrichment batch: the book is enriched once, by the
cluster that takes over, and the dead cluster is shown as silent, not running.

Real processes on the test's database: the cluster (`manage.py qcluster`, one worker), then a
fresh one; a sweeper process runs the minute schedule's sweep (enrichment.sweep) every 0.3 s. A
local server on 127.0.0.1 plays Open Library's Books API with its real recorded answer for the
book (tests/fixtures/providers/openlibrary, its provenance there), holding the first request
until the cluster is killed.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.enrichment import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real clusters

ISBN = "9780316030571"
BOOKS_API = Path(__file__).parents[1] / (
    f"fixtures/providers/openlibrary/books_api_jscmd_data__ISBN_{ISBN}.json"
)

SETUP = """
import django
django.setup()
from catalog.models import Edition, Work
from enrichment import queue

work = Work.objects.create(title="Use of Weapons")
Edition.objects.create(work=work, isbn13="9780316030571")
(request_id,) = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
queue.requests_dispatch(request_ids=[request_id])
print(request_id)
"""

SWEEPER = """
import sys, time
from pathlib import Path
import django
django.setup()
from enrichment import sweep

stop_file = Path(sys.argv[1])
while not stop_file.exists():
    sweep.sweep()
    time.sleep(0.3)
"""

REPORT = """
import json
import django
django.setup()
from catalog.models import Edition
from enrichment.heartbeat_models import ClusterHeartbeat
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.operations_panel import cluster_rows

request = EnrichmentRequest.objects.get()
print(json.dumps({
    "status": request.status,
    "attempts": request.attempts,
    "pages": Edition.objects.get().page_count,
    "audit": AuditLogEntry.objects.filter(request=request).count(),
    "clusters": {row.pid: row.state for row in cluster_rows()},
}))
"""


@pytest.fixture
def books_api():
    """The Books API: the first request is held until `release` is set; each answer is the
    recorded one."""
    body = BOOKS_API.read_bytes()
    release, asked = threading.Event(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            if len(asked) == 1:
                release.wait(30)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", release, asked
    release.set()
    server.shutdown()
    server.server_close()


def run(script: str, env) -> str:
    process = processes.start([sys.executable, "-c", script], env, stdout=-1, stderr=-1)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


def test_a_cluster_killed_mid_batch_leaves_the_book_enriched_once(tmp_path, books_api):
    url, release, asked = books_api
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        ENRICHMENT_PROVIDERS="openlibrary",
        OPENLIBRARY_URL=url,
        ENRICHMENT_AUTO_APPLY_COVERS=0,
        COVER_CLUSTER="",
        Q_WORKERS=1,
        Q_POLL=0.1,
        Q_TIMEOUT=60,
        Q_RETRY=120,  # django-q2's own redelivery stays out of the test's window
        ENRICHMENT_STALE_SECONDS=2,
        CLUSTER_HEARTBEAT_SECONDS=1,
        CLUSTER_HEARTBEAT_STALE_SECONDS=3,
    )
    request_id = int(run(SETUP, env))
    stop_file = tmp_path / "stop"
    qcluster = [sys.executable, "manage.py", "qcluster"]
    killed = processes.start(qcluster, env, stderr=-1)
    sweeper = fresh = None
    try:
        try:
            processes.wait_for(lambda: asked, 60, "the cluster asking the provider")
        except AssertionError:
            processes.kill_group(killed)
            raise AssertionError(killed.stderr.read()[-3000:]) from None
        processes.wait_for(
            lambda: str(killed.pid) in json.loads(run(REPORT, env))["clusters"],
            60,
            "the cluster's first heartbeat",
        )
        processes.kill_group(killed)
        release.set()  # the dead worker never reads it
        sweeper = processes.start([sys.executable, "-c", SWEEPER, str(stop_file)], env)
        fresh = processes.start(qcluster, env, stderr=-1)

        def finished():
            report = json.loads(run(REPORT, env))
            return report if report["status"] != "in_progress" and report["audit"] else None

        report = processes.wait_for(finished, 90, "the book enriched by the fresh cluster")
        time.sleep(4)  # past CLUSTER_HEARTBEAT_STALE_SECONDS since the kill
        report = json.loads(run(REPORT, env))
    finally:
        stop_file.touch()
        for process in (killed, fresh):
            if process is not None:
                processes.kill_group(process)
        if sweeper is not None:
            sweeper.wait(timeout=30)
    assert request_id
    assert (report["status"], report["attempts"], report["pages"]) == ("completed", 2, 480)
    assert report["audit"] == 1  # applied once
    assert report["clusters"][str(killed.pid)] == "silent"
    assert report["clusters"][str(fresh.pid)] == "running"
