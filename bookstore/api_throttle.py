"""The JSON API's per-user throttle. Its own module: DRF imports it while importing its views
(the DEFAULT_THROTTLE_CLASSES setting), so it must not import them itself.

The count holds for the whole site, never for one process (gunicorn's workers would each allow
the whole rate): with a shared cache named `api_throttle` (Redis, when REDIS_URL is set), DRF's
own count is kept there; without one, in the database every web process already shares.

The database's rule, for API_THROTTLE_RATE = N a period: a caller may send N requests at once,
then one every period / N (a bucket of N tokens that refills at N a period). Each caller has one
row (`ApiAllowance`) saying when its bucket is full again, `full_at`; a request goes when the
bucket holds a token (`full_at` at most a period less one step ahead of now) and moves `full_at`
one step later (from now, if it had passed). Check and move are one statement (an upsert whose
update has a condition), so two processes cannot both take the last token (PostgreSQL locks the
row and checks it again; SQLite has one writer): one query a request that goes, its first
included; two for one refused (its wait is read). The time is the one every process shares
(enrichment.throttle.shared_now_sql: PostgreSQL's clock). The providers' token bucket there is
not reused: it holds one token and decides in a locked transaction of three to five queries,
which every API call would pay.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework.throttling import UserRateThrottle

from enrichment.api_allowance_models import KEY_MAX_LENGTH
from enrichment.models import ApiAllowance
from enrichment.throttle import shared_now_sql

#: The cache that keeps DRF's count when configured (settings.CACHES: Redis with REDIS_URL).
SHARED_CACHE = "api_throttle"
#: The wait a refusal names at least (DRF rounds it up to whole seconds for Retry-After).
SHORTEST_WAIT = 0.001


class UserThrottle(UserRateThrottle):
    """API_THROTTLE_RATE per user, shared by every web process. Beyond it: 429 with
    Retry-After."""

    num_requests: int  # parsed from the rate by DRF
    duration: int
    seconds_to_wait: float | None = None

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE  # read when asked: a deployment or a test may change it

    def allow_request(self, request, view) -> bool:
        if SHARED_CACHE in settings.CACHES:
            self.cache = caches[SHARED_CACHE]
            return super().allow_request(request, view)
        key = self.get_cache_key(request, view)
        if self.rate is None or key is None:
            return True
        self.seconds_to_wait = request_taken_or_wait(
            allowance_key(key), requests=self.num_requests, seconds=self.duration
        )
        return not self.seconds_to_wait

    def wait(self) -> float | None:
        if SHARED_CACHE in settings.CACHES:
            return super().wait()
        return self.seconds_to_wait


def allowance_key(key: str) -> str:
    """The throttle's key as a row's key: a key too long for the column (an anonymous caller's
    X-Forwarded-For, which the client writes) is hashed."""
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return "throttle_sha256_" + hashlib.sha256(key.encode()).hexdigest()


def request_taken_or_wait(key: str, *, requests: int, seconds: float) -> float:
    """Take one request from `key`'s allowance of `requests` every `seconds`: 0 when taken, else
    the seconds until one can be (and nothing taken)."""
    if requests < 1:
        return float(seconds)  # a rate of "0/min" lets nothing through
    step = seconds / requests
    most_ahead = seconds - step  # full_at further ahead: no token left
    table = connection.ops.quote_name(ApiAllowance._meta.db_table)
    key_column, full_at = (connection.ops.quote_name(name) for name in ("key", "full_at"))
    now = shared_now_sql()
    # A new caller's bucket was full: their row starts one step after now.
    take = f"""
        INSERT INTO {table} ({key_column}, {full_at}) VALUES (%s, {now} + %s)
        ON CONFLICT ({key_column}) DO UPDATE
        SET {full_at} = CASE WHEN {table}.{full_at} > {now}
                             THEN {table}.{full_at} ELSE {now} END + %s
        WHERE {table}.{full_at} <= {now} + %s
    """
    with connection.cursor() as cursor:
        cursor.execute(take, [key, step, step, most_ahead])
        if cursor.rowcount:
            return 0.0
        cursor.execute(f"SELECT {full_at} - {now} FROM {table} WHERE {key_column} = %s", [key])
        row = cursor.fetchone()
    ahead = row[0] if row is not None else most_ahead  # None: the housekeeping deleted it
    return max(ahead - most_ahead, SHORTEST_WAIT)
