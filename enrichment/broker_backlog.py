"""Is a queue's unclaimed work late, or lost? The sweep's one question about the broker.

A request or cover is marked queued when its task is sent, and claimed when a worker starts it.
One that no worker claimed for ENRICHMENT_STALE_SECONDS was either lost by the broker or is
still waiting behind a backlog (a 10,000-book import queues minutes of work at once): sending
it again in the second case only adds copies, which find their work claimed or done.

Both brokers the clusters use keep receipts: the ORM broker keeps a task in its table until
acknowledged, and on Redis bookstore.receipt_broker keeps each task a cluster has taken in a
list of that cluster's, which the sweep puts back on the queue once the cluster has stopped,
or once a task has stayed there Q_RETRY because its worker died (`reclaim_lost_tasks`, first
thing in every sweep). So while a live cluster works a queue and the broker still holds tasks
for it, an unclaimed task is waiting its turn, unless it was
queued before Redis last started (a restart loses what the server did not save). Such work is
sent again once the queue has drained, or after BACKLOG_PATIENCE stale intervals at the latest
(a task deleted by hand). When the broker cannot say (tasks run synchronously, no receipts, no
live cluster on the queue, a broker not answering), the stale interval alone decides.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings

from bookstore.receipt_broker import QueueHolding, ReceiptRedis
from enrichment.heartbeats import running_heartbeats

logger = logging.getLogger(__name__)

#: Under a backlog, unclaimed work is sent again after this many stale intervals at the latest.
BACKLOG_PATIENCE = 6


def main_queue_name() -> str:
    """The queue of the main cluster (`manage.py qcluster`): batches, title searches, imports."""
    return settings.Q_CLUSTER["name"]


def cover_queue_name() -> str:
    """The queue cover downloads are sent to: COVER_CLUSTER's, or the main one's without it."""
    return settings.COVER_CLUSTER or main_queue_name()


def queue_names() -> list[str]:
    return list(dict.fromkeys([main_queue_name(), cover_queue_name()]))


def _broker(name: str):
    from django_q.brokers import get_broker  # needs the app registry

    return get_broker(name)


def reclaim_lost_tasks() -> int:
    """Tasks taken from the Redis queues and never done, put back at their heads: all those of
    stopped clusters, and those a live cluster has held for Q_RETRY since a sweep first saw them
    (their worker died). None with the ORM broker, which hands a task out again after Q_RETRY
    by itself."""
    if settings.Q_SYNC:
        return 0
    from django_q.conf import Conf

    reclaimed = 0
    for name in queue_names():
        try:
            broker = _broker(name)
            if isinstance(broker, ReceiptRedis):
                reclaimed += broker.reclaim_stopped()
                reclaimed += broker.reclaim_overdue(Conf.RETRY)
        except Exception:  # a broker not answering: the next sweep tries again
            logger.warning("Could not reclaim the %r queue's lost tasks", name, exc_info=True)
    return reclaimed


#: Within `one_look_per_queue`: each queue's holding, asked once.
_looked: ContextVar[dict[str, QueueHolding | None] | None] = ContextVar("looked", default=None)


@contextmanager
def one_look_per_queue() -> Iterator[None]:
    """Within the block each queue's holding is asked of the broker once: the sweep's parts
    (requests, covers, imports) judge by one look, and the main queue, which is also the
    covers' when COVER_CLUSTER is empty, is not asked twice."""
    token = _looked.set({})
    try:
        yield
    finally:
        _looked.reset(token)


def queue_holding(name: str, *, now: datetime) -> QueueHolding | None:
    """What the broker holds for the queue `name`, or None when it cannot say."""
    looked = _looked.get()
    if looked is None:
        return _ask_holding(name, now=now)
    if name not in looked:
        looked[name] = _ask_holding(name, now=now)
    return looked[name]


def _ask_holding(name: str, *, now: datetime) -> QueueHolding | None:
    if settings.Q_SYNC:
        return None
    from django_q.brokers.orm import ORM

    try:
        broker = _broker(name)
        if isinstance(broker, ReceiptRedis):
            return broker.holding()
        if isinstance(broker, ORM):
            if settings.CLUSTER_HEARTBEAT_SECONDS <= 0:
                return None  # no heartbeats: who works the queue is unknown
            consumers = running_heartbeats(now=now).filter(name=name).count()
            if not consumers:
                return QueueHolding(tasks=0, consumers=0, since=None)  # what it holds waits
            tasks = (broker.queue_size() or 0) + (broker.lock_size() or 0)
            return QueueHolding(tasks=tasks, consumers=consumers, since=None)
    except Exception:  # a broker that does not answer cannot say: the stale rule decides
        logger.warning("Could not read what the broker holds for %r", name, exc_info=True)
    return None


def unclaimed_resend_cutoff(name: str, *, now: datetime, stale_seconds: float) -> datetime:
    """Unclaimed work of the queue `name` marked queued before this moment is sent again."""
    stale = now - timedelta(seconds=stale_seconds)
    holding = queue_holding(name, now=now)
    if holding is None or not holding.consumers or not holding.tasks:
        return stale
    latest = now - timedelta(seconds=stale_seconds * BACKLOG_PATIENCE)
    if holding.since is not None:
        latest = max(latest, holding.since)
    return min(stale, latest)
