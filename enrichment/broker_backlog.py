"""Is a queue's unclaimed work late, or lost? The sweep's one question about the broker.

django-q2's Redis broker keeps no receipts, so the sweep sends again a request or cover that no
task claimed for ENRICHMENT_STALE_SECONDS. But a task may also be unclaimed because it waits
behind a long backlog (a 10,000-book import queues minutes of work at once): sending it again
then only adds copies that find their work done (the scale test counted thousands). So while
the broker still holds tasks for a queue that a live cluster works (its heartbeat is fresh),
an unclaimed task is taken to be waiting its turn, and is sent again only once the queue has
drained or after BACKLOG_PATIENCE stale intervals, whichever comes first: lost work still comes
back, a little later under a backlog. When the sweep cannot tell (heartbeats off, tasks run
synchronously, the broker not answering), the stale interval alone decides, as before.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings

from enrichment.heartbeat_models import ClusterHeartbeat

logger = logging.getLogger(__name__)

#: Under a backlog, unclaimed work is sent again after this many stale intervals at the latest.
BACKLOG_PATIENCE = 6


def main_queue_name() -> str:
    """The queue of the main cluster (`manage.py qcluster`): batches, title searches, imports."""
    return settings.Q_CLUSTER["name"]


def cover_queue_name() -> str:
    """The queue cover downloads are sent to: COVER_CLUSTER's, or the main one's without it."""
    return settings.COVER_CLUSTER or main_queue_name()


def broker_queue_size(name: str) -> int:
    """Tasks the broker holds for the queue `name`, not yet taken by a cluster."""
    from django_q.brokers import get_broker  # needs the app registry

    return get_broker(name).queue_size() or 0


def queue_worked_with_backlog(name: str, *, now: datetime) -> bool:
    """True when a live cluster works the queue `name` and the broker still holds tasks for it:
    an unclaimed task of that queue may just be waiting its turn."""
    if settings.Q_SYNC or settings.CLUSTER_HEARTBEAT_SECONDS <= 0:
        return False
    alive_since = now - timedelta(seconds=settings.CLUSTER_HEARTBEAT_STALE_SECONDS)
    worked = ClusterHeartbeat.objects.filter(
        name=name, stopped_at__isnull=True, beat_at__gte=alive_since
    ).exists()
    if not worked:
        return False
    try:
        return broker_queue_size(name) > 0
    except Exception:  # a broker that does not answer cannot say: the stale rule decides
        logger.warning("Could not read the size of the %r queue", name, exc_info=True)
        return False


def unclaimed_resend_cutoff(name: str, *, now: datetime, stale_seconds: float) -> datetime:
    """Unclaimed work of the queue `name` queued before this moment is sent again: one stale
    interval ago, or BACKLOG_PATIENCE of them while the queue is worked with a backlog."""
    patience = BACKLOG_PATIENCE if queue_worked_with_backlog(name, now=now) else 1
    return now - timedelta(seconds=stale_seconds * patience)
