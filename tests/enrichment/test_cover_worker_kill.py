"""A django-q2 cluster killed in the middle of its cover downloads: every cover still ends
applied, and each is downloaded about once (the issue saw 672 downloads for 300 covers).

Real processes on the test's database: the covers cluster (`Q_CLUSTER_NAME=covers manage.py
qcluster`, 2 workers) runs the cover tasks beside the main cluster (1 worker), as `make run`
starts them; a sweeper process runs the schedule's sweep (queue.requests_dispatch_due) every
0.3 s, as the minute schedule would after a restart, and a local image server on 127.0.0.1
counts the downloads per URL. The covers cluster is SIGKILLed with its workers a third of the
way through; a fresh one takes over, and the sweep gives back what the dead one held once its
claims are stale (covers it had taken but not started go to the main cluster).
"""

import contextlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.enrichment import processes
from tests.fixtures.covers import synthetic

COVERS = 60
#: Each download takes this long, so that the kill lands mid-run.
SERVE_SECONDS = 0.05
GOAL_DOWNLOADS_PER_COVER = 1.1

SETUP = """
import json, sys
import django
django.setup()
from catalog.models import Edition, Work
from enrichment.models import EnrichmentRequest

covers_url, count = sys.argv[1], int(sys.argv[2])
ids = []
for number in range(count):
    work = Work.objects.create(title=f"Killed worker book {number}")
    Edition.objects.create(work=work)
    url = f"{covers_url}/b/id/{number}-M.jpg"
    proposal = {"cover": {"proposed": [
        {"provider": "openlibrary", "url": url, "cover_id": str(number), "size_label": "M"}
    ]}}
    request = EnrichmentRequest.objects.create(
        work=work, trigger="command", status="completed", confidence="high",
        cover_status="pending", proposal=proposal,
    )
    ids.append(request.pk)
print(json.dumps(ids))
"""

SWEEPER = """
import json, sys, time
from pathlib import Path
import django
django.setup()
from django.db.models import Count
from enrichment import queue
from enrichment.models import EnrichmentRequest

status_file, stop_file = Path(sys.argv[1]), Path(sys.argv[2])
sweeps = 0
while not stop_file.exists():
    queue.requests_dispatch_due()
    sweeps += 1
    counts = dict(EnrichmentRequest.objects.values_list("cover_status").annotate(n=Count("pk")))
    temporary = status_file.with_suffix(".tmp")
    temporary.write_text(json.dumps({"sweeps": sweeps, "covers": counts}))
    temporary.replace(status_file)
    time.sleep(0.3)
"""

REPORT = """
import json
import django
django.setup()
from enrichment.models import AuditLogEntry, EnrichmentRequest
rows = EnrichmentRequest.objects.values_list(
    "pk", "cover_status", "cover_attempts", "work__editions__cover"
)
print(json.dumps({
    "requests": [list(row) for row in rows],
    "audit": AuditLogEntry.objects.filter(action="cover").count(),
}))
"""


@pytest.fixture
def image_server():
    """Serves a distinct synthetic JPEG per cover id and counts the GETs per path."""
    images = {n: synthetic.cover_jpeg(120, 180, seed=n, quality=80) for n in range(COVERS)}
    downloads: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with lock:
                downloads[self.path] = downloads.get(self.path, 0) + 1
            number = int(self.path.rsplit("/", 1)[1].split("-")[0])
            time.sleep(SERVE_SECONDS)
            body = images[number]
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the worker was killed mid-download
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", downloads
    server.shutdown()
    server.server_close()


@pytest.mark.slow  # a real qcluster, killed
@pytest.mark.django_db(transaction=True)
def test_a_killed_cluster_leaves_no_cover_behind_and_none_downloaded_twice_over(
    tmp_path, image_server
):
    covers_url, downloads = image_server
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        OPENLIBRARY_COVERS_URL=covers_url,  # an operator's cover host: loopback allowed
        MEDIA_ROOT=tmp_path / "media",
        COVER_CLUSTER="covers",
        Q_WORKERS=1,
        Q_COVER_WORKERS=2,
        Q_POLL=0.1,
        Q_TIMEOUT=30,
        Q_RETRY=90,  # django-q2's own redelivery stays out of the test's window
        ENRICHMENT_STALE_SECONDS=1,
        COVER_CONNECT_TIMEOUT=0.5,
        COVER_READ_TIMEOUT=1,  # claims go stale after 1.5 + 2 s (cover_apply.cover_seconds)
        COVER_MIN_SIDE_LARGE=50,
        ENRICHMENT_AUTO_ENABLED=0,
    )
    python = [sys.executable, "-c"]
    setup = processes.start([*python, SETUP, covers_url, str(COVERS)], env, stdout=-1, stderr=-1)
    out, err = setup.communicate(timeout=60)
    assert setup.returncode == 0, err
    assert len(json.loads(out)) == COVERS

    status_file, stop_file = tmp_path / "status.json", tmp_path / "stop"
    started = time.monotonic()
    sweeper = processes.start([*python, SWEEPER, str(status_file), str(stop_file)], env, stderr=-1)
    qcluster, covers_env = (
        [sys.executable, "manage.py", "qcluster"],
        {**env, "Q_CLUSTER_NAME": "covers"},
    )
    main = processes.start(qcluster, env, stderr=-1)
    cluster = processes.start(qcluster, covers_env, stderr=-1)
    fresh = None
    try:
        processes.wait_for(
            lambda: sum(downloads.values()) >= COVERS // 3, 60, "the first downloads"
        )
        processes.kill_group(cluster)
        killed_at = sum(downloads.values())
        fresh = processes.start(qcluster, covers_env, stderr=-1)

        def all_applied():
            status = processes.read_status(status_file)
            return status if status and status["covers"].get("applied") == COVERS else None

        final = processes.wait_for(all_applied, 60, "every cover applied")
    finally:
        stop_file.touch()
        for process in (main, cluster, fresh):
            if process is not None:
                processes.kill_group(process)
        sweeper.wait(timeout=30)
    seconds = time.monotonic() - started

    report = processes.start([*python, REPORT], env, stdout=-1, stderr=-1)
    out, err = report.communicate(timeout=60)
    assert report.returncode == 0, err
    report = json.loads(out)
    assert all(status == "applied" and cover for _, status, _, cover in report["requests"])
    assert report["audit"] == COVERS  # each cover applied once

    total = sum(downloads.values())
    per_cover = total / COVERS
    taken_over = sum(attempts > 1 for _, _, attempts, _ in report["requests"])
    print(
        f"\n{COVERS} covers, cluster killed after {killed_at} downloads: {total} downloads "
        f"({per_cover:.3f} per cover, at most {max(downloads.values())} for one URL), "
        f"{taken_over} stale claims taken over, {final['sweeps']} sweeps, {seconds:.1f} s"
    )
    assert len(downloads) == COVERS
    assert 1.0 <= per_cover <= GOAL_DOWNLOADS_PER_COVER
    assert max(downloads.values()) <= 2  # only what the dead workers had in flight, once more
