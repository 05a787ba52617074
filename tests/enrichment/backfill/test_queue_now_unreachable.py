"""The backfill list's "Queue the selected months now" while the task queue is unreachable (its
Redis down or restarting): the librarian is told so and that nothing was lost, where the list
said "0 months queued. 2 skipped (taken or changed meanwhile 2)", which blamed someone else."""

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from enrichment.models import BackfillMonth
from tests.enrichment.backfill.admin_support import (
    action_post,
    logged_in,
    month,
    shown_messages,
    staff,
)

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


def test_queue_now_with_the_queue_unreachable_says_so_and_the_months_wait_to_retry(monkeypatch):
    pending = month("2024-01")
    retry = month("2024-02", Status.RETRY, retry_count=1)

    def redis_down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr("bookstore.task_queue.enqueue", redis_down)
    client = logged_in(staff("ruth", "run_backfill"))

    response = action_post(client, "queue_now", pending, retry)

    assert response.status_code == 200
    assert shown_messages(response) == [
        "The task queue is unreachable (its broker is down or restarting). No month was queued, "
        "and nothing was lost: they wait to retry, with no retry counted, and the scheduler "
        "queues them once the queue is back."
    ]
    for chosen, retries in ((pending, 0), (retry, 1)):
        chosen.refresh_from_db()
        assert (chosen.status, chosen.retry_count, chosen.claim_token) == (
            Status.RETRY,
            retries,
            "",
        )
