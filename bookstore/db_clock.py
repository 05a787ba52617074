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
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
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


# --- Stamps that say work is held -----
#
# A claim, a heartbeat or a queued mark is judged live while it is younger than its window. One
# stamped more than that window in the future (this clock stepped back after stamping it, or
# rows restored from a backup of another machine) says nothing of a live worker, and would
# otherwise hold its work for as long as the jump: it is treated as stale.


def _moment(now: datetime | None, seconds: float):
    if now is None:
        return database_now_expression(seconds=seconds)
    return now + timedelta(seconds=seconds)


def stamp_expired_q(field: str, *, seconds: float, now: datetime | None = None, before=None) -> Q:
    """A filter: the stamp `field` no longer holds its work: older than `seconds` (`before`: a
    cutoff of its own instead), or more than `seconds` ahead of now. `now` None: read by the
    statement itself."""
    earliest = _moment(now, -seconds) if before is None else before
    return Q(**{f"{field}__lt": earliest}) | Q(**{f"{field}__gt": _moment(now, seconds)})


def stamp_live_q(field: str, *, seconds: float, now: datetime | None = None) -> Q:
    """A filter: the stamp `field` still holds its work (stamp_expired_q's converse, for a
    stamp that is never empty)."""
    return Q(**{f"{field}__gte": _moment(now, -seconds)}) & Q(
        **{f"{field}__lte": _moment(now, seconds)}
    )


def stamp_is_live(stamp: datetime, *, seconds: float, now: datetime) -> bool:
    """stamp_live_q for one stamp already read."""
    return abs(stamp - now) <= timedelta(seconds=seconds)


def stamp_far_ahead(stamp: datetime | None, *, seconds: float, now: datetime) -> bool:
    """Whether a stamp lies more than `seconds` ahead of now (stamp_expired_q's second case),
    which the recoveries log: a clock that stepped back, or restored rows."""
    return stamp is not None and stamp > now + timedelta(seconds=seconds)
