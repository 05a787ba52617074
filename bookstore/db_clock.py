"""Now, as the database sees it: the one clock every process on every machine shares.

Work that several machines judge (a cluster's heartbeat, a request's or an import's claim, a
queued task's stamp, a provider's rate, a due time: a new request's, a retry's back-off, a wait
for providers, a cover's retry) is stamped and judged on this clock, never on the machine's
own: with clocks drifted apart, a worker whose clock runs behind would look dead to the others
and have its live work taken over, one ahead would keep a dead claim alive, and a retry
stamped behind would be due at once (ahead: late).

On PostgreSQL it is the database server's clock. SQLite lives on one machine, whose clock it
keeps: there it is this machine's (`timezone.now()`), with no query.
"""

from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now
from django.utils import timezone


def _reads_the_servers_clock(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def database_now(*, using: str = DEFAULT_DB_ALIAS) -> datetime:
    """The database's now, as a value (one round trip on PostgreSQL)."""
    if not _reads_the_servers_clock(using):
        return timezone.now()
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")  # not now(): the transaction's start
        return cursor.fetchone()[0]


def database_now_expression(*, seconds: float = 0, using: str = DEFAULT_DB_ALIAS):
    """`database_now()` plus `seconds`, read by the statement itself (no round trip of its own)
    on PostgreSQL; on SQLite this machine's, as a value (SQLite's own stamps are text of another
    precision, which an equality with a stored stamp would miss)."""
    if not _reads_the_servers_clock(using):
        moment = timezone.now() + timedelta(seconds=seconds)
        return Value(moment, output_field=DateTimeField())
    if not seconds:
        return Now()
    return ExpressionWrapper(
        Now() + Value(timedelta(seconds=seconds)), output_field=DateTimeField()
    )
