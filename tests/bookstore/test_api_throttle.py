"""The API throttle's count in the database (no REDIS_URL): API_THROTTLE_RATE's N requests go at
once, then one every period / N; what it costs in queries; and with a shared cache (Redis) the
count is kept there instead. Time passing is played by moving a caller's `full_at` back, as the
database's clock would have moved forward. Shared by several processes:
test_api_throttle_processes.py."""

import pytest
import redis
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory

from bookstore.api_throttle import UserThrottle, request_taken_or_wait
from enrichment.models import ApiAllowance

pytestmark = pytest.mark.django_db
KEY = "throttle_user_synthetic"
QUEUE_URL = reverse("api:enrichment-queue")


def take(requests: int = 3, seconds: float = 60.0, key: str = KEY) -> float:
    return request_taken_or_wait(key, requests=requests, seconds=seconds)


def time_passes(seconds: float) -> None:
    ApiAllowance.objects.update(full_at=F("full_at") - seconds)


def test_the_rate_s_requests_go_at_once_and_the_next_waits_one_step():
    assert [take(), take(), take()] == [0, 0, 0]

    wait = take()  # 3 a minute: a request's place comes back every 20 s

    assert 19 < wait <= 20
    assert 19 < take() <= 20  # a refused request takes nothing: the wait did not grow


def test_once_a_step_has_passed_one_request_goes_and_the_next_waits_again():
    for _ in range(3):
        take()
    time_passes(20)

    assert take() == 0
    assert 19 < take() <= 20


def test_a_caller_idle_for_an_hour_has_the_rate_again_not_an_hour_of_it():
    for _ in range(3):
        take()
    time_passes(3600)

    assert [take(), take(), take()] == [0, 0, 0]
    assert take() > 0


def test_callers_count_apart():
    for _ in range(3):
        take()

    assert take(key="throttle_user_other") == 0
    assert take() > 0


def test_a_rate_of_zero_lets_nothing_through():
    assert take(requests=0) == 60


def test_a_request_that_goes_costs_one_query_and_a_refused_one_two(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert take(requests=2) == 0  # the caller's first
    with django_assert_num_queries(1):
        assert take(requests=2) == 0
    with django_assert_num_queries(2):
        assert take(requests=2) > 0  # its wait is read


def test_an_anonymous_caller_s_long_forwarded_for_is_counted_by_a_key_the_column_holds(settings):
    """The API refuses anonymous requests before the throttle; should a view let them in, DRF
    counts them by X-Forwarded-For, which the client writes as long as it likes."""
    settings.API_THROTTLE_RATE = "1/min"
    request = APIRequestFactory().get(QUEUE_URL, HTTP_X_FORWARDED_FOR="10.0.0.1, " * 100)
    request.user = AnonymousUser()

    assert UserThrottle().allow_request(request, None) is True
    assert UserThrottle().allow_request(request, None) is False
    assert len(ApiAllowance.objects.get().key) <= 100


def test_with_a_shared_cache_the_count_is_kept_there_not_in_the_database(settings, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    settings.CACHES = {**settings.CACHES, "api_throttle": shared}
    settings.API_THROTTLE_RATE = "2/min"
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("synthetic-caller"))

    statuses = [client.get(QUEUE_URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert not ApiAllowance.objects.exists()
