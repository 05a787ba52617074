"""The API throttle's count, in the database (no REDIS_URL) and in Redis (the `api_throttle`
cache): the same rule on both, API_THROTTLE_RATE's N requests go at once, then one every
period / N, a refusal names its wait (Retry-After), and requests at the same moment never take
more than the rate; what it costs in queries. Time passing is played by moving a caller's
`full_at` back, as the store's clock would have moved forward. The Redis cases run on a real
`redis-server` (skipped without it, unless REQUIRE_REDIS=1). Shared by several processes:
test_api_throttle_processes.py."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory

from bookstore.api_throttle import SHARED_CACHE, UserThrottle, request_taken_or_wait
from enrichment.models import ApiAllowance

pytestmark = pytest.mark.django_db
KEY = "throttle_user_synthetic"
QUEUE_URL = reverse("api:enrichment-queue")


class Database:
    def time_passes(self, seconds: float) -> None:
        ApiAllowance.objects.update(full_at=F("full_at") - seconds)


class Redis:
    def __init__(self, client: redis.Redis):
        self.client = client

    def time_passes(self, seconds: float) -> None:
        for key in self.client.scan_iter():
            self.client.set(key, float(self.client.get(key)) - seconds, keepttl=True)


@pytest.fixture(params=["database", "redis"])
def store(request, settings) -> Database | Redis:
    """Where the count is kept, as settings.py configures it with or without REDIS_URL."""
    if request.param == "database":
        settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != SHARED_CACHE}
        return Database()
    url = request.getfixturevalue("redis_url")  # skips without redis-server
    client = redis.Redis.from_url(url)
    client.flushdb()
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    settings.CACHES = {**settings.CACHES, SHARED_CACHE: shared}
    return Redis(client)


def take(requests: int = 3, seconds: float = 60.0, key: str = KEY) -> float:
    return request_taken_or_wait(key, requests=requests, seconds=seconds)


def test_the_rate_s_requests_go_at_once_and_the_next_waits_one_step(store):
    assert [take(), take(), take()] == [0, 0, 0]

    wait = take()  # 3 a minute: a request's place comes back every 20 s

    assert 19 < wait <= 20
    assert 19 < take() <= 20  # a refused request takes nothing: the wait did not grow


def test_once_a_step_has_passed_one_request_goes_and_the_next_waits_again(store):
    for _ in range(3):
        take()
    store.time_passes(20)

    assert take() == 0
    assert 19 < take() <= 20


def test_a_caller_idle_for_an_hour_has_the_rate_again_not_an_hour_of_it(store):
    for _ in range(3):
        take()
    store.time_passes(3600)

    assert [take(), take(), take()] == [0, 0, 0]
    assert take() > 0


def test_callers_count_apart(store):
    for _ in range(3):
        take()

    assert take(key="throttle_user_other") == 0
    assert take() > 0


def test_a_rate_of_zero_lets_nothing_through(store):
    assert take(requests=0) == 60


def test_the_request_past_the_rate_is_429_with_retry_after_the_next_place(store, settings):
    settings.API_THROTTLE_RATE = "3/min"
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("synthetic-caller"))

    answers = [client.get(QUEUE_URL) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "20"  # one place back every 20 s, not the whole minute


@pytest.mark.django_db(transaction=True)  # the threads' connections see the committed user
def test_requests_at_the_same_moment_take_the_rate_and_no_more(store, settings):
    """Twelve requests released at once by a barrier, five times over (one caller each time):
    exactly the rate goes each time, the others are refused."""
    if isinstance(store, Database) and connection.vendor == "sqlite":
        # Its table locks in the shared in-memory test database fail at once where a file's
        # wait: test_api_throttle_processes.py takes SQLite at once through real processes.
        pytest.skip("SQLite's in-memory test database; PostgreSQL runs it")
    settings.API_THROTTLE_RATE = "4/min"
    users = [User.objects.create_user(f"synthetic-caller-{n}") for n in range(5)]

    def allowed(user, barrier: threading.Barrier) -> bool:
        request = APIRequestFactory().get(QUEUE_URL)
        request.user = user
        throttle = UserThrottle()
        barrier.wait()
        try:
            return throttle.allow_request(request, None)
        finally:
            connection.close()  # this thread's own

    went = []
    with ThreadPoolExecutor(max_workers=12) as pool:
        for user in users:
            barrier = threading.Barrier(12)
            went.append(sum(pool.map(allowed, [user] * 12, [barrier] * 12)))

    assert went == [4] * 5


def test_a_request_that_goes_costs_one_query_and_a_refused_one_two(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert take(requests=2) == 0  # the caller's first
    with django_assert_num_queries(1):
        assert take(requests=2) == 0
    with django_assert_num_queries(2):
        assert take(requests=2) > 0  # its wait is read


@pytest.mark.parametrize("store", ["redis"], indirect=True)
def test_with_a_shared_cache_the_count_is_kept_there_not_in_the_database(
    store, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert [take(requests=2), take(requests=2)] == [0, 0]
        assert take(requests=2) > 0

    assert not ApiAllowance.objects.exists()
    assert 59_000 < store.client.pttl(store.client.keys()[0]) <= 60_000  # gone when full again


def test_an_anonymous_caller_s_long_forwarded_for_is_counted_by_a_key_the_column_holds(settings):
    """The API refuses anonymous requests before the throttle; should a view let them in, DRF
    counts them by X-Forwarded-For, which the client writes as long as it likes."""
    settings.API_THROTTLE_RATE = "1/min"
    request = APIRequestFactory().get(QUEUE_URL, HTTP_X_FORWARDED_FOR="10.0.0.1, " * 100)
    request.user = AnonymousUser()

    assert UserThrottle().allow_request(request, None) is True
    assert UserThrottle().allow_request(request, None) is False
    assert len(ApiAllowance.objects.get().key) <= 100
