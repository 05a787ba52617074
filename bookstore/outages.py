"""Errors that say a shared component is unavailable for a while, not that the work is wrong:
the database (restarted, failed over, a connection cut) or the broker's Redis (restarted, not
answering). Work stopped by one is recorded in the database up to its last commit, so it goes on
once the component is back (the sweep, enrichment/sweep.py), rather than ending failed."""

import time

from django.db import Error, InterfaceError, OperationalError, connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: Django's wrappers of the database driver's errors (the ORM broker's too), and redis-py's.
OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database or the broker was unavailable."""
    return isinstance(exc, OUTAGE_ERRORS)


def went_away(exc: BaseException) -> bool:
    """Whether `exc` says the broker, or the database, went away, rather than refused one
    statement: a database that went away (a restart, a failover, a cut) leaves this process's
    connection broken, where a statement it refused as an OperationalError (a statement
    timeout, SQLite's lock or its limits) leaves it usable, and would refuse it again: work
    that goes back without a try counted for the one must not do so for the other forever."""
    if not is_outage(exc):
        return False
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return True
    return connection.connection is None or not connection.is_usable()


#: Seconds between two asks of a database that went away, and the least a worker's run waits
#: for it (past its time budget: Q_TIMEOUT is twice that budget).
DATABASE_ASK_INTERVAL = 1.0
DATABASE_LEAST_WAIT = 30.0


def database_back(*, deadline: float) -> bool:
    """Whether the database answers, asked until `deadline` (on time.monotonic(); at least
    DATABASE_LEAST_WAIT seconds from now): a worker whose database went away waits for it, then
    records where its work stands. Each failed ask drops the connection so that the next
    connects anew (not inside a transaction, which would lose its savepoints)."""
    until = max(deadline, time.monotonic() + DATABASE_LEAST_WAIT)
    while True:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Error:
            if not connection.in_atomic_block:
                connection.close()
        if time.monotonic() + DATABASE_ASK_INTERVAL > until:
            return False
        time.sleep(DATABASE_ASK_INTERVAL)
