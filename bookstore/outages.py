"""Errors that say a shared component is unavailable for a while, not that the work is wrong:
the database (restarted, failed over, a connection cut) or the broker's Redis (restarted, not
answering). Work stopped by one is recorded in the database up to its last commit, so it goes on
once the component is back (the sweep, enrichment/sweep.py), rather than ending failed."""

from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Django's wrappers of the database driver's errors (the ORM broker's too), and redis-py's.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database or the broker was unavailable."""
    return isinstance(exc, OUTAGE_ERRORS)
