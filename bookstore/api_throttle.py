"""The JSON API's per-user throttle. Its own module: DRF imports it while importing its views
(the DEFAULT_THROTTLE_CLASSES setting), so it must not import them itself.

The count holds for the whole site, never for one process (gunicorn's workers would each allow
the whole rate): with a shared cache named `api_throttle` (Redis, when REDIS_URL is set) it is
kept there; without one, in the database every web process already shares. The rule is the same
either way, for API_THROTTLE_RATE = N a period: a caller may send N requests at once, then one
every period / N (a bucket of N tokens that refills at N a period), and a refused request is told
how long until the next one may go (Retry-After).

Each caller has one value saying when its bucket is full again, `full_at` (epoch seconds): a
request goes when the bucket holds a token (`full_at` at most a period less one step ahead of
now) and moves `full_at` one step later (from now, if it had passed). That arithmetic is written
once (GOES, FULL_AT_AFTER, WAIT: infix expressions that read the same in SQL and in Lua) and
checked and moved in one step that nothing else can come between, so two processes never both
take the last token:

- in the database, a row (`ApiAllowance`) and one statement, an upsert whose update has a
  condition (PostgreSQL locks the row and checks it again; SQLite has one writer): one query a
  request that goes, its first included; two for one refused (its wait is read). The time is the
  one every process shares (enrichment.throttle.shared_now_sql: PostgreSQL's clock).
- in Redis, a key and one Lua script (EVALSHA; Redis runs a script alone), on Redis's own clock
  (TIME), with no query; the key expires when its bucket is full again.

The providers' token bucket (enrichment.throttle) is not reused: it holds one token and decides
in a locked transaction of three to five queries, which every API call would pay.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework.throttling import UserRateThrottle

from enrichment.api_allowance_models import KEY_MAX_LENGTH
from enrichment.models import ApiAllowance
from enrichment.throttle import shared_now_sql

#: The cache whose Redis keeps the count when configured (settings.CACHES: with REDIS_URL).
SHARED_CACHE = "api_throttle"
#: The wait a refusal names at least (DRF rounds it up to whole seconds for Retry-After).
SHORTEST_WAIT = 0.001

# The bucket's rule, once for both stores: each is rendered into the SQL statement and into the
# Lua script with that language's names for the caller's `full_at`, `now`, the bucket's `step`
# and `most_ahead`, and the larger of two numbers (`larger`).
#: A request goes: the bucket holds a token.
GOES = "{full_at} <= {now} + {most_ahead}"
#: Where a request that goes moves `full_at`: one step later, from now if it had passed.
FULL_AT_AFTER = "{larger}({full_at}, {now}) + {step}"
#: A refused request's wait (seconds) until the bucket holds a token.
WAIT = "{full_at} - {now} - {most_ahead}"


@dataclass(frozen=True)
class Bucket:
    """API_THROTTLE_RATE's `requests` every `seconds` as a bucket: each request moves `full_at`
    `step` seconds later; one goes while `full_at` is at most `most_ahead` seconds ahead."""

    step: float
    most_ahead: float

    @classmethod
    def of_rate(cls, *, requests: int, seconds: float) -> "Bucket":
        step = seconds / requests
        return cls(step=step, most_ahead=seconds - step)


class UserThrottle(UserRateThrottle):
    """API_THROTTLE_RATE per user, shared by every web process. Beyond it: 429 with
    Retry-After."""

    num_requests: int  # parsed from the rate by DRF
    duration: int
    seconds_to_wait: float | None = None

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE  # read when asked: a deployment or a test may change it

    def allow_request(self, request, view) -> bool:
        key = self.get_cache_key(request, view)
        if self.rate is None or key is None:
            return True
        self.seconds_to_wait = request_taken_or_wait(
            allowance_key(key), requests=self.num_requests, seconds=self.duration
        )
        return not self.seconds_to_wait

    def wait(self) -> float | None:
        return self.seconds_to_wait


def allowance_key(key: str) -> str:
    """The throttle's key as a row's (or Redis's) key: a key too long for the column (an
    anonymous caller's X-Forwarded-For, which the client writes) is hashed."""
    if len(key) <= KEY_MAX_LENGTH:
        return key
    return "throttle_sha256_" + hashlib.sha256(key.encode()).hexdigest()


def request_taken_or_wait(key: str, *, requests: int, seconds: float) -> float:
    """Take one request from `key`'s allowance of `requests` every `seconds`, where the site
    counts them (Redis, else the database): 0 when taken, else the seconds until one can be (and
    nothing taken)."""
    if requests < 1:
        return float(seconds)  # a rate of "0/min" lets nothing through
    bucket = Bucket.of_rate(requests=requests, seconds=seconds)
    if SHARED_CACHE in settings.CACHES:
        return _taken_in_redis_or_wait(key, bucket)
    return _taken_in_database_or_wait(key, bucket)


def _taken_in_database_or_wait(key: str, bucket: Bucket) -> float:
    """One statement takes the request, or a second reads the wait."""
    table = connection.ops.quote_name(ApiAllowance._meta.db_table)
    key_column, full_at = (connection.ops.quote_name(name) for name in ("key", "full_at"))
    now = shared_now_sql()
    names = {
        "full_at": f"{table}.{full_at}",
        "now": now,
        "step": "%(step)s",
        "most_ahead": "%(most_ahead)s",
        "larger": "GREATEST" if connection.vendor == "postgresql" else "MAX",
    }
    # A new caller's bucket was full: their row starts one step after now.
    take = f"""
        INSERT INTO {table} ({key_column}, {full_at}) VALUES (%(key)s, {now} + %(step)s)
        ON CONFLICT ({key_column}) DO UPDATE SET {full_at} = {FULL_AT_AFTER.format(**names)}
        WHERE {GOES.format(**names)}
    """
    params: dict[str, str | float] = {
        "key": key,
        "step": bucket.step,
        "most_ahead": bucket.most_ahead,
    }
    with connection.cursor() as cursor:
        cursor.execute(take, params)
        if cursor.rowcount:
            return 0.0
        wait = f"SELECT {WAIT.format(**names)} FROM {table} WHERE {key_column} = %(key)s"
        cursor.execute(wait, params)
        row = cursor.fetchone()
    # No row: the housekeeping deleted it, as whole again, since the statement above.
    return max(row[0], SHORTEST_WAIT) if row is not None else SHORTEST_WAIT


_LUA_NAMES = {
    "full_at": "full_at",
    "now": "now",
    "step": "step",
    "most_ahead": "most_ahead",
    "larger": "math.max",
}
#: KEYS[1]: the caller's `full_at`; ARGV: the bucket's step and most_ahead. Returns nothing when
#: the request is taken, else its wait as text (Redis would cut a Lua number to an integer).
REDIS_TAKE_SCRIPT = f"""
local step, most_ahead = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local full_at = tonumber(redis.call('GET', KEYS[1])) or now
if not ({GOES.format(**_LUA_NAMES)}) then
    return string.format('%.6f', {WAIT.format(**_LUA_NAMES)})
end
full_at = {FULL_AT_AFTER.format(**_LUA_NAMES)}
redis.call('SET', KEYS[1], string.format('%.6f', full_at), 'PX', math.ceil((full_at - now) * 1000))
return false
"""


def _taken_in_redis_or_wait(key: str, bucket: Bucket) -> float:
    """One script (one round trip) takes the request or says the wait."""
    cache = caches[SHARED_CACHE]
    if not isinstance(cache, RedisCache):
        raise ImproperlyConfigured(
            f"The {SHARED_CACHE!r} cache must be Django's RedisCache: the API throttle counts "
            "with a Lua script there."
        )
    cache_key = cache.make_key(key)  # the cache's KEY_PREFIX and version, so clear() forgets it
    # The cache's own connection pool (Django's RedisCache has no public way to its client).
    client = cache._cache.get_client(cache_key, write=True)  # type: ignore[attr-defined]
    take = client.register_script(REDIS_TAKE_SCRIPT)  # EVALSHA, loading it once per server
    wait = take(keys=[cache_key], args=[bucket.step, bucket.most_ahead])
    return 0.0 if wait is None else max(float(wait), SHORTEST_WAIT)
