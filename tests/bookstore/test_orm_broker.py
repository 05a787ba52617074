"""The ORM broker reads the database's clock (bookstore.orm_broker): machines whose clocks have
drifted apart no longer hold tasks back or run them twice. Before, a task queued by a web
machine two minutes ahead waited two minutes for any worker, and one taken by a cluster ten
minutes behind was handed to another cluster at once, while it still ran. A clock that went back
no longer holds back the tasks it stamped before the jump."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ

from bookstore.orm_broker import DatabaseClockORM, orm_tasks_bring_back
from enrichment.heartbeats import ClusterProcess, HeartbeatThread
from tests.enrichment import processes
from tests.enrichment.test_heartbeat import FakeSentinel

pytestmark = pytest.mark.django_db

ON_TIME = timezone.now


@pytest.fixture
def broker(monkeypatch) -> DatabaseClockORM:
    monkeypatch.setattr(Conf, "POLL", 0)  # an empty queue answers at once
    return DatabaseClockORM(list_key="bookstore")


def on_a_machine(monkeypatch, drift: float) -> None:
    """This process's clock `drift` seconds off (0: on time again)."""
    monkeypatch.setattr(timezone, "now", lambda: ON_TIME() + datetime.timedelta(seconds=drift))


def test_the_clusters_use_it_without_redis():
    assert "redis" not in settings.Q_CLUSTER
    assert settings.Q_CLUSTER["broker_class"] == "bookstore.orm_broker.DatabaseClockORM"
    assert isinstance(get_broker(), DatabaseClockORM)


def test_a_task_is_taken_once_and_counted_as_queued_then_taken(broker):
    pk = broker.enqueue("payload")
    assert (broker.queue_size(), broker.lock_size()) == (1, 0)
    assert broker.dequeue() == [(pk, "payload")]
    assert not broker.dequeue()  # taken: no second cluster gets it
    assert (broker.queue_size(), broker.lock_size()) == (0, 1)
    broker.acknowledge(pk)
    assert not OrmQ.objects.exists()


drifted = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lives on one machine: its clock is the machine's",
)


@drifted
def test_a_task_queued_by_a_machine_two_minutes_ahead_is_taken_at_once(broker, monkeypatch):
    on_a_machine(monkeypatch, drift=120)  # the web machine
    pk = broker.enqueue("payload")
    on_a_machine(monkeypatch, drift=0)  # a worker on time
    assert broker.dequeue() == [(pk, "payload")]


@drifted
def test_a_task_taken_by_a_cluster_ten_minutes_behind_is_not_handed_out_again(broker, monkeypatch):
    on_a_machine(monkeypatch, drift=-600)  # its Q_RETRY (360 s) had already passed elsewhere
    pk = broker.enqueue("payload")
    assert broker.dequeue() == [(pk, "payload")]
    on_a_machine(monkeypatch, drift=0)
    assert not broker.dequeue()  # it still runs there: no second run here
    assert broker.lock_size() == 1


def stamped_two_hours_ahead(broker) -> int:
    """A queued task as a clock two hours ahead stamped it, that clock since gone back."""
    pk = broker.enqueue("payload")
    OrmQ.objects.filter(pk=pk).update(lock=timezone.now() + datetime.timedelta(hours=2))
    return pk


def test_a_task_a_clock_two_hours_ahead_stamped_is_made_due_not_held_two_hours(broker):
    pk = stamped_two_hours_ahead(broker)
    assert not broker.dequeue()  # held back for as long as the jump
    assert orm_tasks_bring_back() == 1
    assert broker.dequeue() == [(pk, "payload")]
    assert orm_tasks_bring_back() == 0  # taken: its Q_RETRY ahead is its own


@pytest.mark.django_db(transaction=True)
def test_the_clusters_heartbeat_thread_makes_them_due(broker):
    pk = stamped_two_hours_ahead(broker)
    sentinel = FakeSentinel()
    sentinel.alive = True
    thread = HeartbeatThread(
        interval=0.05,
        children_alive=sentinel,
        process=lambda: ClusterProcess("bookstore", "worker-7", 4242, "orm", 2),
    )
    thread.start()
    try:
        # Waited for without touching the database: SQLite's shared in-memory test database
        # refuses a second connection's statement while the thread writes ("table is locked").
        processes.wait_for(lambda: thread.beats >= 1, 5, "the heartbeat's first beat")
    finally:
        thread.stop_event.set()
        thread.join(5)
    assert broker.dequeue() == [(pk, "payload")]  # due again, not held two hours
