"""bookstore.task_queue.enqueue is the one way work reaches the django-q2 cluster."""

import re
from pathlib import Path

import pytest
from django_q.models import OrmQ

from bookstore import task_queue

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_enqueue_puts_the_task_on_the_broker_for_a_worker():
    task_queue.enqueue("catalog.tasks.run_import_job", 7, task_name="import-7")

    (queued,) = OrmQ.objects.all()  # the test settings use the ORM broker
    assert (queued.func(), queued.task["args"], queued.name()) == (
        "catalog.tasks.run_import_job",
        (7,),
        "import-7",
    )


def test_the_sent_tasks_fixture_records_instead_of_queuing(sent_tasks, db):
    task_queue.enqueue("enrichment.tasks.fetch_covers_for_requests", [1, 2], 3, group="covers")

    assert sent_tasks == [
        ("enrichment.tasks.fetch_covers_for_requests", ([1, 2], 3), {"group": "covers"})
    ]
    assert not OrmQ.objects.exists()


def test_no_app_module_queues_past_the_seam():
    """A direct async_task call would bypass what the tests replace and queue for real."""
    direct = [
        str(path.relative_to(ROOT))
        for app in ("bookstore", "catalog", "enrichment")
        for path in (ROOT / app).rglob("*.py")
        if path.name != "task_queue.py" and re.search(r"\basync_task\b", path.read_text())
    ]
    assert direct == []
