"""The covers cluster with real processes: covers are downloaded while the metadata cluster is
busy, and a cover whose worker died is queued again on the covers queue.

Real processes on the test's database: the main cluster (`manage.py qcluster`, one worker) and
the covers cluster (`Q_CLUSTER_NAME=covers manage.py qcluster`, one worker), as `make run`
starts them. A local server on 127.0.0.1 plays Open Library: its Books API holds every answer
until the test lets it go (a provider at its rate limit, a title search at 1 request/s), and its
covers host serves synthetic JPEGs. Before covers had their own queue, the one worker took the
metadata batch queued first and the covers waited behind it.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.enrichment import processes
from tests.fixtures.covers import synthetic

#: The longest the Books API holds an answer if the test never lets it go.
HOLD_SECONDS = 25

SETUP = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from catalog.models import Edition, Work
from enrichment import cover_apply, queue
from enrichment.models import EnrichmentRequest

covers_url = sys.argv[1]
# A book for the metadata cluster: its Books API lookup is held by the server.
work = Work.objects.create(title="Held by the provider")
Edition.objects.create(work=work, isbn13="9780306406157")
(metadata,) = queue.works_enqueue_enrichment(work_ids=[work.pk], trigger="command", dispatch=False)
queue.requests_dispatch(request_ids=[metadata])  # queued first, on the main queue


def cover_request(number):
    work = Work.objects.create(title=f"Cover book {number}")
    Edition.objects.create(work=work)
    url = f"{covers_url}/b/id/{number}-M.jpg"
    proposal = {"cover": {"proposed": [
        {"provider": "openlibrary", "url": url, "cover_id": str(number), "size_label": "M"}
    ]}}
    return EnrichmentRequest.objects.create(
        work=work, trigger="command", status="completed", confidence="high",
        cover_status="pending", proposal=proposal,
    )

new = cover_request(1)
cover_apply.covers_dispatch(request_ids=[new.pk])  # as apply does once a book is decided
# A cover a covers worker claimed an hour ago and never finished: it died.
lost = cover_request(2)
an_hour_ago = timezone.now() - timedelta(hours=1)
EnrichmentRequest.objects.filter(pk=lost.pk).update(cover_queued_at=an_hour_ago)
assert cover_apply.cover_claim(request_id=lost.pk, token="dead-worker", now=an_hour_ago)
print(json.dumps({"metadata": metadata, "new": new.pk, "lost": lost.pk}))
"""

SWEEP = """
import django
django.setup()
from enrichment import queue
queue.requests_dispatch_due()  # the minute schedule's sweep
"""

WATCH = """
import json, sys, time
from pathlib import Path
import django
django.setup()
from django_q.models import Task
from enrichment.models import EnrichmentRequest

status_file, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
while not stop_file.exists():
    taken_at = time.time()
    rows = EnrichmentRequest.objects.values_list("pk", "status", "cover_status", "cover_attempts")
    tasks = Task.objects.values_list("func", "cluster", "success")
    temporary = status_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({
        "taken_at": taken_at,
        "requests": {pk: [status, cover, attempts] for pk, status, cover, attempts in rows},
        "tasks": [list(task) for task in tasks],
    }))
    temporary.replace(status_file)
    time.sleep(0.1)
"""


@pytest.fixture
def provider():
    """Open Library's Books API, holding each answer until `release` is set; and its covers."""
    release = threading.Event()
    seen: dict[str, float] = {"books_api": 0, "covers": 0}
    images = {n: synthetic.cover_jpeg(120, 180, seed=n, quality=80) for n in (1, 2)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/api/books"):
                seen["books_api"] += 1
                seen["books_api_at"] = time.time()
                release.wait(HOLD_SECONDS)
                body, kind = b"{}", "application/json"
            else:
                seen["covers"] += 1
                body = images[int(self.path.rsplit("/", 1)[1].split("-")[0])]
                kind = "image/jpeg"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", release, seen
    release.set()
    server.shutdown()
    server.server_close()


def run(script: list[str], env) -> str:
    process = processes.start([sys.executable, "-c", *script], env, stdout=-1, stderr=-1)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


@pytest.mark.slow  # real clusters
@pytest.mark.django_db(transaction=True)
def test_covers_are_downloaded_while_the_metadata_worker_waits_on_a_provider(tmp_path, provider):
    url, release, seen = provider
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        OPENLIBRARY_URL=url,
        OPENLIBRARY_COVERS_URL=url,  # an operator's host: loopback allowed
        ENRICHMENT_PROVIDERS="openlibrary",
        MEDIA_ROOT=tmp_path / "media",
        COVER_CLUSTER="covers",
        Q_WORKERS=1,
        Q_COVER_WORKERS=1,
        Q_POLL=0.1,
        Q_TIMEOUT=60,
        Q_RETRY=120,
        COVER_MIN_SIDE_LARGE=50,
    )
    ids = json.loads(run([SETUP, url], env))
    run([SWEEP], env)  # the lost cover goes back on the covers queue

    status_file, stop_file = tmp_path / "status.json", tmp_path / "stop"
    watcher = processes.start([sys.executable, "-c", WATCH, str(status_file), str(stop_file)], env)
    main = processes.start([sys.executable, "manage.py", "qcluster"], env, stderr=-1)
    covers = processes.start(
        [sys.executable, "manage.py", "qcluster"], {**env, "Q_CLUSTER_NAME": "covers"}, stderr=-1
    )
    try:
        processes.wait_for(
            lambda: seen["books_api"], 60, "the metadata worker to ask the Books API"
        )

        def both_covers_applied():
            # A snapshot begun after the batch asked the provider: an older one may predate
            # the batch's claim (the covers cluster can finish first).
            status = processes.read_status(status_file)
            if not status or status["taken_at"] <= seen["books_api_at"]:
                return None
            requests = status["requests"]
            done = requests and all(
                requests[str(ids[key])][1] == "applied" for key in ("new", "lost")
            )
            # The cover task's result is saved by its cluster just after the task applied the
            # covers: wait for it too.
            recorded = any("fetch_covers" in func for func, _cluster, _ok in status["tasks"])
            return status if done and recorded else None

        status = processes.wait_for(both_covers_applied, 60, "both covers applied")
        # ... while the metadata batch is still held by the provider.
        assert not release.is_set() and status["requests"][str(ids["metadata"])][0] == (
            "in_progress"
        )
        assert seen["books_api"] == 1
        fetches = [(cluster, ok) for func, cluster, ok in status["tasks"] if "fetch_covers" in func]
        assert fetches and set(fetches) == {("covers", True)}
        assert status["requests"][str(ids["lost"])][2] == 2  # the dead worker's claim, then this
        release.set()
        # The metadata batch ends on the main cluster once the provider answers.

        def batch_tasks():
            status = processes.read_status(status_file)
            return status and [
                (cluster, ok)
                for func, cluster, ok in status["tasks"]
                if func.endswith("process_enrichment_batch")
            ]

        assert processes.wait_for(batch_tasks, 60, "the metadata batch to end") == [
            ("bookstore", True)
        ]
    finally:
        release.set()
        stop_file.touch()
        for process in (main, covers):
            processes.kill_group(process)
        watcher.wait(timeout=30)
    assert seen["covers"] == 2  # each cover downloaded once
