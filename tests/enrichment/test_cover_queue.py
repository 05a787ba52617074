"""Cover downloads are queued once, claimed by one worker, and handed out in bounded tasks.

The issue this guards: the sweep put up to 5,000 pending covers into one task, tasks ran past
Q_TIMEOUT and were killed, and each minute's sweep queued the same covers again (672 downloads
for 300 covers). Real processes and a real worker kill are in test_cover_worker_kill.py.
"""

import io
import re
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from catalog.models import Work
from enrichment import cover_apply, queue
from enrichment.candidates import Contributor, CoverRef
from enrichment.covers import CoverChoice
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
CoverStatus = EnrichmentRequest.CoverStatus
FETCH_TASK = "enrichment.tasks.fetch_covers_for_requests"
COVER_URL = "https://covers.openlibrary.org/b/id/1-L.jpg"


@pytest.fixture(autouse=True)
def task_queue(sent_tasks, settings):
    """Record what would be handed to django-q2 instead of queuing it (sent_tasks)."""
    settings.Q_TIMEOUT = 300
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = 5.0, 20.0
    settings.ENRICHMENT_STALE_SECONDS = 300
    return sent_tasks


def cover_tasks(sent) -> list[list[int]]:
    return [task.args[0] for task in sent if task.func == FETCH_TASK]


def pending_covers(count: int, *, age_seconds: float = 600) -> list[int]:
    """Completed requests whose cover download is pending, last touched `age_seconds` ago."""
    works = Work.objects.bulk_create([Work(title=f"Book {i}") for i in range(count)])
    proposal = {"cover": {"proposed": [{"provider": "openlibrary", "url": COVER_URL}]}}
    requests = EnrichmentRequest.objects.bulk_create(
        [
            EnrichmentRequest(
                work=work,
                trigger="command",
                status="completed",
                cover_status=CoverStatus.PENDING,
                proposal=proposal,
            )
            for work in works
        ],
        batch_size=500,
    )
    ids = [r.pk for r in requests]
    # As the issue saw them: pending long enough for the old sweep to take them as "failed".
    EnrichmentRequest.objects.filter(pk__in=ids).update(
        updated_at=timezone.now() - timedelta(seconds=age_seconds)
    )
    return ids


# --- Bounds -----


@pytest.mark.parametrize(
    ("q_timeout", "connect", "read", "size"),
    [(300, 5.0, 20.0, 5), (300, 5.0, 3.0, 15), (600, 5.0, 20.0, 11), (60, 5.0, 20.0, 1)],
)
def test_a_task_of_worst_cases_ends_well_inside_q_timeout(settings, q_timeout, connect, read, size):
    settings.Q_TIMEOUT = q_timeout
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = connect, read
    assert cover_apply.cover_task_size() == size
    if size > 1:  # every cover of the task running into its deadline still fits half the timeout
        assert size * cover_apply.cover_seconds() <= q_timeout / 2


def test_5000_pending_covers_go_out_in_bounded_tasks_each_cover_once(task_queue):
    ids = pending_covers(5000)
    queue.requests_dispatch_due()
    tasks = cover_tasks(task_queue)
    size = cover_apply.cover_task_size()
    assert len(tasks) == 1000 and max(map(len, tasks)) == size == 5
    queued = [pk for task in tasks for pk in task]
    assert sorted(queued) == sorted(ids)  # every cover, each once


def test_the_next_sweeps_queue_nothing_that_is_already_queued(task_queue):
    ids = pending_covers(30)
    queue.requests_dispatch_due()
    assert sum(map(len, cover_tasks(task_queue))) == 30
    task_queue.clear()
    queue.requests_dispatch_due()  # a minute later: the tasks have not run yet
    queue.requests_dispatch_due(now=timezone.now() + timedelta(seconds=200))
    assert cover_tasks(task_queue) == []
    assert EnrichmentRequest.objects.filter(pk__in=ids, cover_queued_at__isnull=True).count() == 0


def test_a_queue_mark_left_by_a_lost_task_is_queued_again_exactly_once(task_queue):
    ids = pending_covers(4)
    queue.requests_dispatch_due()
    task_queue.clear()
    later = timezone.now() + timedelta(seconds=cover_apply.cover_stale_seconds() + 1)
    queue.requests_dispatch_due(now=later)
    queue.requests_dispatch_due(now=later + timedelta(seconds=60))
    assert sorted(pk for task in cover_tasks(task_queue) for pk in task) == sorted(ids)


def test_a_new_cover_is_queued_at_once_and_the_sweep_leaves_it_to_that_task(task_queue):
    (pk,) = pending_covers(1, age_seconds=0)
    cover_apply.covers_dispatch(request_ids=[pk])
    cover_apply.covers_dispatch(request_ids=[pk])  # a second caller (another sweep, a reviewer)
    queue.requests_dispatch_due()
    assert cover_tasks(task_queue) == [[pk]]


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_queue_each_cover_once(task_queue):
    # Sweeps of two clusters at once: the guarded marking hands each cover to one of them.
    ids = pending_covers(300)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        cover_apply.covers_dispatch(limit=5000)
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queued = [pk for task in cover_tasks(task_queue) for pk in task]
    assert sorted(queued) == sorted(ids)


# --- Claims -----


@pytest.fixture
def downloads(monkeypatch):
    """Counts the cover step's downloads (choose_cover) and answers 'nothing verified'."""
    calls = []

    def fake_choose(refs, **kwargs):
        calls.append([ref.url for ref in refs])
        return CoverChoice(image=None, ref=None, rejections=[])

    monkeypatch.setattr(cover_apply, "choose_cover", fake_choose)
    return calls


def test_a_cover_another_worker_holds_is_not_downloaded_again(downloads):
    (pk,) = pending_covers(1)
    assert cover_apply.cover_claim(request_id=pk, token="worker-a") is not None
    outcome = cover_apply.requests_fetch_covers(request_ids=[pk, pk])
    assert outcome == {"not_claimed": 1} and downloads == []


def test_a_stale_claim_is_taken_over_and_the_stopped_workers_result_is_discarded(downloads):
    (pk,) = pending_covers(1)
    started = timezone.now() - timedelta(seconds=cover_apply.cover_stale_seconds() + 1)
    dead = cover_apply.cover_claim(request_id=pk, token="dead-worker", now=started)
    fresh = cover_apply.cover_claim(request_id=pk, token="fresh-worker")
    assert fresh is not None and fresh.cover_attempts == 2
    # The first worker wakes up after all: its download must not be applied over the new claim.
    assert cover_apply.request_fetch_cover(request=dead, claim_token="dead-worker") == "lost"
    assert cover_apply.request_fetch_cover(request=fresh, claim_token="fresh-worker") == "rejected"


def test_a_live_claim_is_never_taken_over(downloads):
    (pk,) = pending_covers(1)
    cover_apply.cover_claim(request_id=pk, token="worker-a")
    soon = timezone.now() + timedelta(seconds=cover_apply.cover_seconds())
    assert cover_apply.cover_claim(request_id=pk, token="worker-b", now=soon) is None


def test_a_cover_that_stopped_its_worker_every_time_is_given_up(task_queue, downloads):
    (pk,) = pending_covers(1)
    stale = timedelta(seconds=cover_apply.cover_stale_seconds() + 1)
    for attempt in range(cover_apply.MAX_COVER_ATTEMPTS):  # each worker died; the next took over
        claimed_at = timezone.now() - (cover_apply.MAX_COVER_ATTEMPTS - attempt) * stale
        assert cover_apply.cover_claim(request_id=pk, token=f"w{attempt}", now=claimed_at)
    queue.requests_dispatch_due()
    request = EnrichmentRequest.objects.get(pk=pk)
    assert request.cover_status == CoverStatus.REJECTED
    assert "stopped while downloading this cover 3 times" in request.match_details.cover_note
    assert cover_tasks(task_queue) == [] and downloads == []


def test_a_task_out_of_time_hands_the_rest_to_a_new_task(task_queue, downloads, monkeypatch):
    ids = pending_covers(5)
    cover_apply.covers_dispatch(request_ids=ids)
    task_queue.clear()
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(cover_apply.time, "monotonic", lambda: clock.now)
    real_fetch = cover_apply.request_fetch_cover

    def slow_fetch(**kwargs):  # each cover takes its worst case
        clock.now += cover_apply.cover_seconds()
        return real_fetch(**kwargs)

    monkeypatch.setattr(cover_apply, "request_fetch_cover", slow_fetch)
    outcome = cover_apply.requests_fetch_covers(
        request_ids=ids, budget_seconds=2.5 * cover_apply.cover_seconds()
    )
    assert outcome == {"rejected": 2, "handed_on": 3}
    assert cover_tasks(task_queue) == [ids[2:]]


def test_retries_after_a_passing_fault_stop_after_three_claims(task_queue, monkeypatch):
    from enrichment.covers import RejectedCover

    def timing_out(refs, **kwargs):
        ref = CoverRef("openlibrary", COVER_URL)
        return CoverChoice(None, None, [RejectedCover(ref, "timeout", "gave up after 25 s")])

    monkeypatch.setattr(cover_apply, "choose_cover", timing_out)
    (pk,) = pending_covers(1)
    outcomes = []
    for _ in range(4):
        outcomes.append(cover_apply.requests_fetch_covers(request_ids=[pk]))
        EnrichmentRequest.objects.filter(pk=pk).update(cover_queued_at=None)  # the backoff passed
    assert outcomes == [{"retry_later": 1}, {"retry_later": 1}, {"rejected": 1}, {"not_claimed": 1}]
    request = EnrichmentRequest.objects.get(pk=pk)
    assert request.cover_attempts == 3 and request.cover_claim_token == ""
    assert request.match_details.cover_rejections[0].reason == "timeout"


# --- A dripping host through the cover step -----


@pytest.fixture
def dripping_host(settings):
    """A cover host on 127.0.0.1 that sends headers, then one byte every 0.2 s, forever."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    stop = threading.Event()
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                while not stop.wait(0.2):
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = 0.3, 0.6
    yield SimpleNamespace(url=settings.OPENLIBRARY_COVERS_URL, seen=seen)
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.mark.slow  # waits out a real deadline
@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("dns_error", "covers.openlibrary.org: [Errno -3] Temporary failure in name resolution"),
        (
            "connection_error",
            "HTTPSConnectionPool(host='covers.openlibrary.org', port=443): Max retries exceeded "
            "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] "
            "Connection refused'))",
        ),
    ],
)
def test_offline_a_cover_waits_for_the_network_instead_of_being_given_up(
    task_queue, monkeypatch, reason, message
):
    """A catalog enriched from a local dump on a machine without network: its covers' hosts
    cannot be resolved or connected to. No host said anything of the image, so it is not given
    up after three claims (nothing would ever download it again): it stays pending, and each
    later try costs no claim until a host answers."""
    from enrichment.covers import RejectedCover

    def offline(refs, **kwargs):
        ref = CoverRef("openlibrary", COVER_URL)
        return CoverChoice(None, None, [RejectedCover(ref, reason, message)])

    monkeypatch.setattr(cover_apply, "choose_cover", offline)
    (pk,) = pending_covers(1)
    outcomes = []
    for _ in range(6):
        outcomes.append(cover_apply.requests_fetch_covers(request_ids=[pk]))
        EnrichmentRequest.objects.filter(pk=pk).update(cover_queued_at=None)  # the backoff passed
    assert outcomes == [{"retry_later": 1}] * 6
    request = EnrichmentRequest.objects.get(pk=pk)
    assert request.cover_status == CoverStatus.PENDING
    assert request.cover_attempts < cover_apply.MAX_COVER_ATTEMPTS
    assert request.match_details.cover_rejections[0].reason == reason


def test_enrich_missing_now_gives_up_on_a_dripping_cover_host_with_a_clear_reason(
    dripping_host, monkeypatch
):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812")
    refs = [
        CoverRef("openlibrary", f"{dripping_host.url}/b/id/{n}-{size}.jpg", str(n), size)
        for n in (1, 2)
        for size in ("L", "M")
    ]
    record = candidate(
        title="Neverwhere",
        authors=[Contributor("Neil Gaiman")],
        isbn13=["9780060557812"],
        covers=refs,
    )
    provider = FakeProvider(answers={"9780060557812": [record]})
    monkeypatch.setattr("enrichment.engine.enabled_providers", lambda: [provider])

    started = time.monotonic()
    call_command("enrich_missing", "--now", "--json", stdout=io.StringIO())
    seconds = time.monotonic() - started

    # One download's deadline for the whole cover step, four candidates on the dripping host.
    assert seconds < 0.9 + 1.5, f"took {seconds:.1f} s"
    assert len(dripping_host.seen) == 1
    request = EnrichmentRequest.objects.get(work=work)
    rejections = request.match_details.cover_rejections
    assert [r.reason for r in rejections] == ["timeout"] * 4
    # The deadline left when the download began: 0.9 s, less what a loaded machine took first.
    gave_up = re.search(r"gave up after ([\d.]+) s: the download deadline", rejections[0].message)
    assert gave_up and 0.5 < float(gave_up[1]) <= 0.9, rejections[0].message
    assert "timed out on an earlier candidate" in rejections[1].message
    assert request.cover_status == CoverStatus.PENDING and request.cover_attempts == 1


def test_a_cover_download_longer_than_a_task_may_run_is_refused_at_startup(settings):
    from enrichment.checks import cover_download_fits_a_task

    assert cover_download_fits_a_task(None) == []
    settings.Q_TIMEOUT = 40  # a task may use 20 s; a cover may take 5 + 20 + 2
    (error,) = cover_download_fits_a_task(None)
    assert error.id == "enrichment.E001" and "27 s" in error.msg
