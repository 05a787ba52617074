"""Work recorded while the broker, a real Redis, is down or restarting (it comes back empty,
restarted without its data): none is lost and none queued twice, and the click that recorded it
is not answered with an error page. Before, the first task that could not be queued raised: a
bulk "Enrich all missing" ended failed (its error the Redis client's English) and the works of
its later chunks were never queued; "Enrich all missing" clicked, or an import uploaded, while
Redis was down answered a server error although the work was recorded (and the sweep would have
sent it), so a librarian did it again."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.conf import Conf
from django_q.signing import SignedPackage

from bookstore.receipt_broker import ReceiptRedis
from catalog import services
from catalog.models import ImportJob, Work
from enrichment import bulk_operations, sweep
from enrichment.cover_apply import cover_stale_seconds
from enrichment.models import BulkOperation, EnrichmentRequest
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.enrichment.covers_s3_support import cover_proposed
from tests.enrichment.test_sweep_bulk import CHUNK, WORKS, lacking_works, later
from tests.factories import make_edition, make_work
from tests.redis_restart import RestartableRedis

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real commits

BATCH_TASK = "enrichment.tasks.process_enrichment_batch"


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


def queued_request_ids() -> list[int]:
    return sorted(pk for func, args in queued_tasks() if func == BATCH_TASK for pk in args[0])


def sweep_once_stale():
    return sweep.sweep(now=later(settings.ENRICHMENT_STALE_SECONDS + 5))


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
    # Every work's request is recorded, those of chunks 2 and 3 not yet queued.
    assert (operation.status, operation.error) == (BulkOperation.Status.COMPLETED, "")
    assert (operation.done, operation.changed) == (WORKS, WORKS)
    requests = EnrichmentRequest.objects.filter(work__in=works)
    assert sorted(requests.values_list("work_id", flat=True)) == sorted(w.pk for w in works)

    redis.start()  # back, empty: chunk 1's tasks were lost with it
    sweep_once_stale()
    assert queued_request_ids() == sorted(requests.values_list("pk", flat=True))  # each once


def test_enrich_all_missing_clicked_while_redis_is_down_is_queued_once_it_is_back(redis, client):
    Work.objects.create(title="Bare")
    redis.stop()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    url = reverse("admin:catalog_work_enrich_missing")
    response = client.post(url, {"what": "both"}, follow=True)
    assert response.status_code == 200
    assert "1 queued for enrichment" in response.content.decode()
    request = EnrichmentRequest.objects.get()

    redis.start()
    sweep_once_stale()
    assert queued_request_ids() == [request.pk]


def test_an_import_started_while_redis_is_down_runs_once_it_is_back(redis, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 5
    job = services.import_job_create(
        data=synthetic_goodreads_file(10), filename="synthetic-export.csv", enrich=False
    )
    redis.stop()
    assert services.import_job_start(job=job) == services.ImportStart.WAITING_FOR_QUEUE
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.queued_at is not None

    redis.start()
    sweep_once_stale()
    assert queued_tasks() == [("catalog.tasks.run_import_job", (job.pk,))]


def test_an_import_uploaded_while_redis_is_down_says_it_waits_and_starts_once_it_is_back(
    redis, client, settings
):
    """It said "10 rows are being imported." while no task had been queued."""
    settings.IMPORT_INLINE_MAX_ROWS = 5  # this file goes to a worker
    client.force_login(User.objects.create_superuser("root", password="pw"))
    redis.stop()
    response = client.post(
        reverse("admin:catalog_importjob_upload"),
        {
            "file": SimpleUploadedFile("synthetic-export.csv", synthetic_goodreads_file(10)),
            "format": "auto",
        },
        follow=True,
    )
    assert response.status_code == 200
    [message] = get_messages(response.wsgi_request)
    said = str(message)
    assert message.level_tag == "warning"
    assert "being imported" not in said
    assert said.startswith("The task queue is unreachable")
    assert "The file is saved and nothing is lost: its 10 rows wait for the queue." in said
    assert "starts by itself once the queue is back, and no sooner than 5 minutes" in said
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING and job.rows_processed == 0

    redis.start()
    sweep_once_stale()
    assert queued_tasks() == [("catalog.tasks.run_import_job", (job.pk,))]


def test_covers_a_batch_queues_while_redis_is_down_are_sent_once_it_is_back(redis, settings):
    """Before, the batch raised on queueing them, after its decisions and before its title
    searches, whose books stayed in progress until the sweep gave them back, an attempt
    counted."""
    settings.COVER_CLUSTER = ""  # covers on the main queue, as a one-cluster install has them
    settings.ENRICHMENT_AUTO_APPLY_COVERS = True
    edition = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    redis.stop()
    request = cover_proposed(edition, 1)  # its lookups, its decision, its cover queued
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING
    assert request.cover_queued_at is not None

    redis.start()
    sweep.sweep(now=later(cover_stale_seconds() + 5))
    assert ("enrichment.tasks.fetch_covers_for_requests", ([request.pk],)) in queued_tasks()
