"""Other processes' writes on SQLite land between the batch an import is at and its next.

An import holds SQLite's write lock for each batch and takes it again milliseconds after
committing it. A write waiting with SQLite's own busy handler, which sleeps up to 100 ms between
asks, kept missing those milliseconds: a librarian's edit, a django-q2 enqueue landed batches
(seconds) late. The backend (bookstore/sqlite_backend) asks every millisecond."""

import contextlib
import fcntl
import json
import os
import sqlite3
import sys
import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from tests.catalog.import_on_sqlite import CREATE, run, slow_worker
from tests.enrichment.processes import (
    kill_group,
    process_env,
    shared_database_url,
    start,
    wait_for,
)

BATCH = 25
WORKER = slow_worker(BATCH, 0.5)

# Writes of each shape, one after the other: a statement of its own (a plain save), a
# transaction (the admin saves in one), a django-q2 enqueue on the ORM broker. Each reports the
# rows the import had processed when it was asked, when it landed, and whether the job was
# still running then.
WRITES = """
import json, sys, django
django.setup()
from django.db import transaction
import django_q.tasks  # loaded before the writes: only their wait for the lock is counted
from bookstore import task_queue
from catalog.models import ImportJob, Work
job = int(sys.argv[1])
def processed():
    return ImportJob.objects.values_list("rows_processed", "status").get(pk=job)
def save():
    Work.objects.filter(title__startswith="Probe").update(title="Probe saved")
def admin_edit():
    with transaction.atomic():
        work = Work.objects.select_for_update().get(title__startswith="Probe")
        work.title = "Probe edited"
        work.save()
def enqueue():
    task_queue.enqueue("math.floor", 1.5)
landed = {}
for write in (save, admin_edit, enqueue):
    asked, _ = processed()
    write()
    landed[write.__name__] = (asked, *processed())
print(json.dumps(landed))
"""

PROBE = """
import django
django.setup()
from catalog.models import Work
Work.objects.create(title="Probe")
"""


@pytest.mark.slow  # three processes on one SQLite file
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite's write lock")
def test_writes_from_other_processes_land_at_the_next_batch_of_an_import(tmp_path):
    url = shared_database_url(tmp_path)
    env = process_env(url, IMPORT_INLINE_MAX_ROWS=0, Q_SYNC=0, REDIS_URL="")
    run(PROBE, env)
    job_id = run(CREATE, env)
    worker = start([sys.executable, "-c", WORKER, job_id], env)
    try:
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            processed = "SELECT rows_processed FROM catalog_importjob WHERE id = ?"
            while db.execute(processed, (job_id,)).fetchone()[0] < BATCH:  # well under way
                assert worker.poll() is None
                time.sleep(0.05)
            landed = json.loads(run(WRITES, env, job_id))
            probe = "SELECT title FROM catalog_work WHERE title LIKE 'Probe%'"
            (title,) = db.execute(probe).fetchone()
        worker.wait(timeout=60)
    finally:
        kill_group(worker)
    assert title == "Probe edited"
    for write, (asked, done, status) in landed.items():
        assert status == "running", (write, landed)  # all while the import was at work
        # Each landed once the batch at work when it was asked had committed (or the next, when
        # that one committed while the ask was on its way), where they landed batches later.
        assert done - asked <= 2 * BATCH, (write, landed)


@pytest.fixture
def locked_file(tmp_path, django_db_blocker):
    """A SQLite file whose write lock another connection holds, and a connection of the
    project's backend to it that waits 0.5 s at most."""
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE shelf (book)")
    holder.execute("BEGIN IMMEDIATE")
    options = {"timeout": 0.5, "transaction_mode": "IMMEDIATE"}
    databases = {
        "default": {"ENGINE": "bookstore.sqlite_backend", "NAME": str(path), "OPTIONS": options}
    }
    writer = ConnectionHandler(databases)["default"]
    with django_db_blocker.unblock(), contextlib.closing(holder):
        yield path, holder, writer
        writer.close()


def someone_waits(path) -> bool:
    with open(f"{path}-waiters", "ab") as waiters:
        try:
            fcntl.flock(waiters, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(waiters, fcntl.LOCK_UN)
        return False


def test_a_writer_says_it_waits_for_the_lock_and_lands_once_it_is_free(locked_file):
    path, holder, writer = locked_file
    landed = threading.Event()

    def write():
        with writer.cursor() as cursor:
            cursor.execute("INSERT INTO shelf VALUES (%s)", ["Dune"])
        landed.set()

    thread = threading.Thread(target=write)
    writer.inc_thread_sharing()  # this test's own connection, used by the thread only
    thread.start()
    try:
        wait_for(lambda: someone_waits(path), timeout=5, what="the writer to say it waits")
        holder.execute("COMMIT")
        assert landed.wait(timeout=5)
    finally:
        thread.join(timeout=10)
        writer.dec_thread_sharing()
    assert holder.execute("SELECT book FROM shelf").fetchall() == [("Dune",)]
    assert not someone_waits(path)  # a transaction begun now does not wait for it


def test_a_writer_kept_from_the_lock_past_its_timeout_fails_and_stops_waiting(locked_file):
    path, holder, writer = locked_file
    with pytest.raises(OperationalError, match="database is locked"), writer.cursor() as cursor:
        cursor.execute("INSERT INTO shelf VALUES (%s)", ["Dune"])
    assert not someone_waits(path)
    holder.execute("COMMIT")
    with writer.cursor() as cursor:  # the same connection, once the lock is free
        cursor.execute("INSERT INTO shelf VALUES (%s)", ["Emma"])
    assert holder.execute("SELECT book FROM shelf").fetchall() == [("Emma",)]
