"""A bulk "Enrich all missing" whose broker, a real Redis, goes down in the middle of the
operation and comes back empty (restarted without its data): no work selected is lost and none
is queued twice. Before, the chunk whose tasks could not be queued ended the whole operation
failed (its error the Redis client's English), and the works of the chunks after it were never
queued for enrichment."""

import pytest
from django.contrib.auth.models import User
from django_q.conf import Conf
from django_q.signing import SignedPackage

from bookstore.receipt_broker import ReceiptRedis
from enrichment import bulk_operations, sweep
from enrichment.models import BulkOperation, EnrichmentRequest
from tests.enrichment.test_sweep_bulk import CHUNK, WORKS, lacking_works, later, stalled_after
from tests.redis_restart import RestartableRedis

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real commits


@pytest.fixture
def redis(monkeypatch, settings):
    server = RestartableRedis()
    server.start()
    monkeypatch.setattr(Conf, "REDIS", server.url)
    monkeypatch.setattr(Conf, "BROKER_CLASS", "bookstore.receipt_broker.ReceiptRedis")
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(bulk_operations, "BULK_CHUNK_SIZE", CHUNK)
    settings.CLUSTER_HEARTBEAT_SECONDS = 0  # no cluster plays here: the stale times decide
    yield server
    server.close()


def queued_tasks() -> list[tuple[str, tuple]]:
    broker = ReceiptRedis(Conf.CLUSTER_NAME)
    tasks = [SignedPackage.loads(raw) for raw in broker.connection.lrange(broker.list_key, 0, -1)]
    return [(task["func"], tuple(task["args"])) for task in tasks]


def redis_down_after_chunk(monkeypatch, redis: RestartableRedis, number: int) -> None:
    real, calls = bulk_operations._work_one_chunk, []

    def work(operation):
        worked = real(operation)
        calls.append(1)
        if len(calls) == number:
            redis.stop()
        return worked

    monkeypatch.setattr(bulk_operations, "_work_one_chunk", work)


def test_a_redis_restarted_mid_operation_loses_no_work_and_queues_none_twice(redis, monkeypatch):
    works = lacking_works()
    librarian = User.objects.create_user("librarian", is_staff=True)
    operation = bulk_operations.bulk_operation_start(
        action=BulkOperation.Action.ENRICH_MISSING, actor=librarian
    )
    redis_down_after_chunk(monkeypatch, redis, 1)
    bulk_operations.bulk_operation_run(operation_id=operation.pk)  # the worker's task
    operation.refresh_from_db()
    assert (operation.status, operation.error) == (BulkOperation.Status.RUNNING, "")
    assert operation.done == 2 * CHUNK  # its second chunk committed; its tasks went nowhere

    redis.start()  # back, empty
    monkeypatch.setattr(bulk_operations, "_work_one_chunk", bulk_operations._work_one_chunk)
    recovered = sweep.sweep(now=later(stalled_after() + 5))
    assert recovered.bulk_operations == 1
    assert ("enrichment.tasks.run_bulk_operation", (operation.pk,)) in queued_tasks()
    bulk_operations.bulk_operation_run(operation_id=operation.pk)  # that task, on a worker

    operation.refresh_from_db()
    assert (operation.status, operation.done, operation.changed) == ("completed", WORKS, WORKS)
    requests = EnrichmentRequest.objects.filter(work__in=works)
    assert sorted(requests.values_list("work_id", flat=True)) == sorted(w.pk for w in works)
    batches = [args[0] for func, args in queued_tasks() if func.endswith("enrichment_batch")]
    queued_ids = [pk for batch in batches for pk in batch]
    assert sorted(queued_ids) == sorted(requests.values_list("pk", flat=True))  # each once
