"""Cover downloads have a django-q2 queue of their own (COVER_CLUSTER), worked by a cluster
started with `Q_CLUSTER_NAME=covers`, so that they run while metadata batches wait on the
providers' rate limits instead of behind them (issue 18: the first cover came at +72 s, once
every batch had finished).

The sweep keeps nothing lost: a cover whose worker died is queued again on the covers queue; a
cover that waited there without any task starting it (no covers cluster runs) goes to the main
cluster, which is the one running the sweep. The real clusters are in
test_cover_cluster_processes.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrichment import cover_apply, engine, queue
from enrichment.candidates import Contributor, CoverRef
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate
from tests.enrichment.test_cover_queue import FETCH_TASK, pending_covers
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def task_queue(sent_tasks, settings):
    settings.COVER_CLUSTER = "covers"
    settings.Q_TIMEOUT = 300
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = 5.0, 20.0
    settings.ENRICHMENT_STALE_SECONDS = 300
    return sent_tasks


def queues(sent) -> dict[int, str]:
    """Each queued cover's request id -> the cluster its task was sent to ("main": none named)."""
    return {
        pk: task.kwargs.get("cluster", "main")
        for task in sent
        if task.func == FETCH_TASK
        for pk in task.args[0]
    }


def stale() -> timedelta:
    return timedelta(seconds=cover_apply.cover_stale_seconds() + 1)


def test_a_new_cover_goes_to_the_covers_queue_not_behind_the_metadata_batches(task_queue):
    (pk,) = pending_covers(1, age_seconds=0)
    cover_apply.covers_dispatch(request_ids=[pk])
    assert queues(task_queue) == {pk: "covers"}
    (task,) = task_queue
    assert task.kwargs == {"group": "covers", "cluster": "covers"}


def test_a_reviewers_cover_goes_to_the_covers_queue_too(task_queue, admin_user):
    (pk,) = pending_covers(1, age_seconds=0)
    cover_apply.covers_dispatch(request_ids=[pk], actor_id=admin_user.pk)
    (task,) = task_queue
    assert task.args == ([pk], admin_user.pk) and task.kwargs["cluster"] == "covers"


def test_without_a_cover_cluster_the_main_cluster_gets_the_covers(task_queue, settings):
    settings.COVER_CLUSTER = ""
    ids = pending_covers(3)
    queue.requests_dispatch_due()
    assert queues(task_queue) == dict.fromkeys(ids, "main")


def test_a_cover_whose_covers_worker_died_is_queued_again_on_the_covers_queue(task_queue):
    (pk,) = pending_covers(1)
    claimed_at = timezone.now() - stale()
    EnrichmentRequest.objects.filter(pk=pk).update(cover_queued_at=claimed_at)
    assert cover_apply.cover_claim(request_id=pk, token="dead-covers-worker", now=claimed_at)
    queue.requests_dispatch_due()
    assert queues(task_queue) == {pk: "covers"}


def test_a_cover_that_no_task_started_goes_to_the_main_cluster_once(task_queue):
    ids = pending_covers(2)
    cover_apply.covers_dispatch(request_ids=ids)  # to the covers queue, where nothing runs
    assert queues(task_queue) == dict.fromkeys(ids, "covers")
    task_queue.clear()
    queue.requests_dispatch_due()  # not stale yet: the covers cluster may still start them
    assert queues(task_queue) == {}
    later = timezone.now() + stale()
    queue.requests_dispatch_due(now=later)
    assert queues(task_queue) == dict.fromkeys(ids, "main")
    task_queue.clear()
    queue.requests_dispatch_due(now=later + timedelta(seconds=60))  # held by the main's task
    assert queues(task_queue) == {}


def test_a_cover_retried_after_a_passing_fault_goes_back_to_the_covers_queue(task_queue):
    (pk,) = pending_covers(1)
    # A covers worker claimed it, the host answered 503, and it was marked for a later try.
    assert cover_apply.cover_claim(request_id=pk, token="covers-worker")
    EnrichmentRequest.objects.filter(pk=pk).update(
        cover_claim_token="", cover_claimed_at=None, cover_queued_at=timezone.now()
    )
    queue.requests_dispatch_due(now=timezone.now() + stale())
    assert queues(task_queue) == {pk: "covers"}


def test_the_covers_cluster_has_its_own_queue_and_workers(settings):
    # django-q2 reads ALT_CLUSTERS[name] over Q_CLUSTER in a process started with
    # Q_CLUSTER_NAME=name; its broker's queue is that name (checked with real processes in
    # test_cover_cluster_processes.py).
    alt = settings.Q_CLUSTER["ALT_CLUSTERS"]
    assert set(alt) == {settings.COVER_CLUSTER} == {"covers"}
    assert alt["covers"]["workers"] >= 1


def isbn13(number: int) -> str:
    digits = f"978{number:09d}"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return f"{digits}{check}"


@pytest.mark.django_db(transaction=True)  # as in a worker: each decision's on_commit runs at once
def test_a_batchs_covers_go_out_in_tasks_of_several_not_one_each(task_queue, monkeypatch):
    from bookstore import task_queue as seam

    decided_when_queued = []
    record = seam.enqueue  # the sent_tasks recorder

    def enqueue(func, *args, **kwargs):
        decided_when_queued.append(EnrichmentRequest.objects.filter(status="completed").count())
        record(func, *args, **kwargs)

    monkeypatch.setattr(seam, "enqueue", enqueue)
    answers = {}
    for number in range(12):
        work = make_work(f"Batch book {number}", authors=["Ann Author"])
        make_edition(work, isbn13=isbn13(306406150 + number))
        answers[isbn13(306406150 + number)] = [
            candidate(
                title=f"Batch book {number}",
                authors=[Contributor("Ann Author")],
                isbn13=[isbn13(306406150 + number)],
                covers=[
                    CoverRef("openlibrary", f"https://covers.openlibrary.org/b/id/{number}-L.jpg")
                ],
            )
        ]
    ids = queue.works_enqueue_enrichment(dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    engine.process_requests(claimed, providers=[FakeProvider("openlibrary", answers=answers)])

    size = cover_apply.cover_task_size()
    tasks = [task for task in task_queue if task.func == FETCH_TASK]
    assert sorted(pk for task in tasks for pk in task.args[0]) == sorted(ids)
    assert [len(task.args[0]) for task in tasks] == [size, size, 12 - 2 * size]
    assert {task.kwargs["cluster"] for task in tasks} == {"covers"}
    # Each full task goes out as soon as its books are decided, not after the whole batch.
    assert decided_when_queued == [size, 2 * size, 12]


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django_q.conf import Conf
print(json.dumps({
    "cover_cluster": settings.COVER_CLUSTER,
    "alt": settings.Q_CLUSTER["ALT_CLUSTERS"],
    "queue": Conf.CLUSTER_NAME,
    "workers": Conf.WORKERS,
    "prefix": Conf.PREFIX,
}))
"""


def probe(**environment) -> dict:
    import json
    import subprocess
    import sys

    from tests.enrichment import processes

    env = processes.process_env("sqlite:///unused.sqlite3", **environment)
    for name in ("COVER_CLUSTER", "Q_CLUSTER_NAME", "Q_COVER_WORKERS", "Q_WORKERS"):
        if name not in environment:
            env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow  # settings read in fresh interpreters
def test_a_process_started_as_the_covers_cluster_works_the_covers_queue_with_its_own_workers():
    covers = probe(Q_CLUSTER_NAME="covers", Q_WORKERS=1, Q_COVER_WORKERS=3)
    assert covers["queue"] == "covers" and covers["workers"] == 3
    assert covers["prefix"] == "bookstore"  # the same signing salt: it reads the main's tasks
    main = probe(Q_WORKERS=1, Q_COVER_WORKERS=3)
    assert main["queue"] == "bookstore" and main["workers"] == 1
    single = probe(COVER_CLUSTER="")
    assert single["cover_cluster"] == "" and single["alt"] == {}
