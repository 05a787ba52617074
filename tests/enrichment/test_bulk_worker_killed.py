"""A real worker process SIGKILLed in the middle of a bulk "Enrich all missing" (as django-q2's
guard, or the kernel out of memory, kills one): the chunks it committed stay done, the one it was
in leaves nothing, and the sweep finishes the operation with every work queued once
(tests/enrichment/test_sweep_bulk.py plays the same kill inside one process)."""

import os
import signal
import sys

import pytest

from tests.enrichment.processes import (
    last_json_of,
    process_env,
    shared_database_url,
    start,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real processes

WORKS, CHUNK = 40, 5

# A worker that records an "Enrich all missing" of WORKS lacking works and runs it in chunks
# of CHUNK, each chunk's transaction held open a moment after its work (so that the kill lands
# inside one); it reports each chunk committed. No broker: what it queues goes nowhere.
BULK_WORKER = """
import pathlib, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from bookstore import task_queue
from catalog.models import Edition, Work
from enrichment import bulk_operations
from enrichment.models import BulkOperation
task_queue.enqueue = lambda *args, **kwargs: None
folder, works, chunk = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
bulk_operations.BULK_CHUNK_SIZE = chunk
for i in range(works):
    Edition.objects.create(work=Work.objects.create(title=f"Synthetic lacking {i}"))
librarian = User.objects.create_user("librarian", is_staff=True)
operation = bulk_operations.bulk_operation_start(
    action=BulkOperation.Action.ENRICH_MISSING, actor=librarian
)
real = bulk_operations._work_and_record
def slow(operation, *args, **kwargs):
    advanced = real(operation, *args, **kwargs)
    time.sleep(0.2)
    return advanced
bulk_operations._work_and_record = slow
real_chunk = bulk_operations._work_one_chunk
def reported(operation):
    worked = real_chunk(operation)
    done = BulkOperation.objects.get(pk=operation.pk).done
    (folder / "progress.tmp").write_text(f"{operation.pk} {done}")
    (folder / "progress.tmp").replace(folder / "progress")
    return worked
bulk_operations._work_one_chunk = reported
bulk_operations.bulk_operation_run(operation_id=operation.pk, time_budget=600)
"""

# The sweep, Q_RETRY later, then the operation's tasks it queued, run here; prints what it found.
SWEEP_AND_WORK = """
import datetime, json, sys
import django
django.setup()
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from bookstore import task_queue
from enrichment import sweep
from enrichment.models import BulkOperation, EnrichmentRequest
sent = []
task_queue.enqueue = lambda func, *args, **kwargs: sent.append((func, args))
operation = BulkOperation.objects.get(pk=int(sys.argv[1]))
left = {"status": operation.status, "done": operation.done}
requests_left = EnrichmentRequest.objects.count()
later = timezone.now() + datetime.timedelta(seconds=settings.Q_CLUSTER["retry"] + 5)
resumed = sweep.sweep(now=later).bulk_operations
for func, args in sent:
    if func == "enrichment.tasks.run_bulk_operation":
        import_string(func)(*args)
operation.refresh_from_db()
print(json.dumps({
    "left": left,
    "requests_left": requests_left,
    "resumed": resumed,
    "status": operation.status,
    "done": operation.done,
    "changed": operation.changed,
    "requests": EnrichmentRequest.objects.count(),
    "works_twice": EnrichmentRequest.objects.values("work").annotate(n=Count("pk"))
        .filter(n__gt=1).count(),
}))
"""


def test_a_worker_sigkilled_mid_bulk_operation_leaves_whole_chunks_and_the_sweep_ends_it(
    tmp_path,
):
    env = process_env(shared_database_url(tmp_path), CLUSTER_HEARTBEAT_SECONDS="0")
    args = [sys.executable, "-c", BULK_WORKER, str(tmp_path), str(WORKS), str(CHUNK)]
    worker = start(args, env)
    try:

        def three_chunks_committed():
            try:
                operation_id, done = (tmp_path / "progress").read_text().split()
            except (OSError, ValueError):
                return None
            return int(operation_id) if int(done) >= 3 * CHUNK else None

        operation_id = wait_for(three_chunks_committed, 60, "three chunks to commit")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    found = last_json_of(SWEEP_AND_WORK, str(operation_id), env)
    left = found["left"]
    # The kill left whole chunks only, each with its requests.
    assert left["status"] == "running" and left["done"] % CHUNK == 0
    assert 3 * CHUNK <= left["done"] < WORKS and found["requests_left"] == left["done"]
    assert found["resumed"] == 1
    assert (found["status"], found["done"], found["changed"]) == ("completed", WORKS, WORKS)
    assert (found["requests"], found["works_twice"]) == (WORKS, 0)
