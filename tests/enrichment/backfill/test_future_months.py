"""Backfill months in the future (enrichment.backfill.months): a month created before future
months were refused (an old range, a restored database) waits until it begins: the scheduler
and Queue now leave it pending, and its row on the admin's list says why."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from enrichment import tasks
from enrichment.backfill import claims, months
from enrichment.models import BackfillMonth

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


def month_at(offset: int, status=Status.PENDING) -> BackfillMonth:
    """This month moved by `offset` months (1: the next one)."""
    year, month = months.current_month()
    index = year * 12 + month - 1 + offset
    return BackfillMonth.objects.create(year=index // 12, month=index % 12 + 1, status=status)


def test_the_scheduler_leaves_a_month_that_has_not_begun_pending(settings, sent_tasks):
    settings.BACKFILL_MONTHS_PER_RUN = 5
    this_month = month_at(0)
    next_month = month_at(1)
    retried_next_year = month_at(12, status=Status.RETRY)

    assert tasks.run_backfill_scheduler()["claimed"] == 1

    assert [task.args[0] for task in sent_tasks] == [this_month.pk]
    next_month.refresh_from_db()
    retried_next_year.refresh_from_db()
    assert (next_month.status, retried_next_year.status) == (Status.PENDING, Status.RETRY)


def test_a_future_month_is_claimed_once_it_has_begun():
    next_month = month_at(1)
    start = timezone.make_aware(datetime(next_month.year, next_month.month, 1, 12))

    assert claims.backfill_months_claim(limit=5, now=start - timedelta(days=2)) == []
    assert [m.pk for m in claims.backfill_months_claim(limit=5, now=start)] == [next_month.pk]


def test_queue_now_does_not_hand_a_future_month_to_a_worker(sent_tasks):
    next_month = month_at(1)

    assert months.backfill_months_queue_now(months=BackfillMonth.objects.all()) == 0

    assert sent_tasks == []
    next_month.refresh_from_db()
    assert next_month.status == Status.PENDING


def test_queue_now_in_the_admin_says_a_month_has_not_begun(admin_client, sent_tasks):
    next_month = month_at(1)
    this_month = month_at(0)

    response = admin_client.post(
        reverse("admin:enrichment_backfillmonth_changelist"),
        {
            "action": "queue_now",
            "_selected_action": [next_month.pk, this_month.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 month queued. 1 skipped (not begun yet 1): only pending or waiting to retry months "
        "that have begun can be queued."
    ]
    assert [task.args[0] for task in sent_tasks] == [this_month.pk]


def test_the_admin_list_says_a_future_month_waits_until_it_begins(admin_client):
    next_month = month_at(1)
    month_at(-1)

    page = admin_client.get(reverse("admin:enrichment_backfillmonth_changelist"))

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert text.count("not before") == 1
    assert f"not before {next_month} begins" in text
