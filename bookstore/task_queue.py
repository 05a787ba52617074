"""The one seam between the apps and the django-q2 cluster.

Every background task is handed over through `enqueue`, so a test replaces this one name
(the `sent_tasks` fixture) instead of django-q2's internals in each module that queues work.
Callers look it up as `task_queue.enqueue` at call time so that the replacement is seen.
"""

import logging

from django.utils.translation import gettext

from bookstore.outages import is_outage

logger = logging.getLogger(__name__)


class QueueUnreachable(Exception):
    """Nothing was queued: the broker is unavailable (bookstore.outages). What the caller
    recorded stands; a person who asked is told so, not shown an error page: its text is
    unreachable_text, then `consequence` (what became of their request)."""

    def __init__(self, consequence: str):
        super().__init__(f"{unreachable_text()} {consequence}")


def unreachable_text() -> str:
    """The first sentence a person reads when what they asked could not be queued."""
    return gettext("The task queue is unreachable (its broker is down or restarting).")


def broker_kind() -> str:
    """The broker django-q2 uses: "redis" when Q_CLUSTER names a Redis (REDIS_URL), else "orm"
    (the database)."""
    from django.conf import settings

    return "redis" if "redis" in settings.Q_CLUSTER else "orm"


def enqueue(func_path: str, *args, **kwargs) -> None:
    """Queue `func_path` (a dotted path, resolved by the worker) with these arguments;
    keyword arguments such as `task_name` or `group` are django-q2's options."""
    # Imported here: django_q's models need the app registry, and importing this module
    # must not (catalog and enrichment import it at module level).
    from django_q.tasks import async_task

    async_task(func_path, *args, **kwargs)


def enqueue_if_reachable(func_path: str, *args, **kwargs) -> bool:
    """`enqueue`, with a broker that is unavailable (bookstore.outages: a Redis restarting,
    down) logged, not raised: False when nothing was queued, for the caller to say so (a click
    answered with a message, not a server error)."""
    try:
        enqueue(func_path, *args, **kwargs)
    except Exception as exc:
        if not is_outage(exc):
            raise
        logger.warning("%s not queued: the broker is unavailable (%s)", func_path, exc)
        return False
    return True


def enqueue_recorded(func_path: str, *args, **kwargs) -> bool:
    """`enqueue_if_reachable` for work recorded in the database before its task is queued,
    which the sweep hands over again when no task holds it (enrichment/sweep.py): with the
    broker unavailable, the click or the batch that recorded the work stands, and its task is
    sent once the broker is back. False when nothing was queued."""
    return enqueue_if_reachable(func_path, *args, **kwargs)
