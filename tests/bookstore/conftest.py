"""Fixtures of tests/bookstore: the API's (a fresh throttle count, a superuser's client) and the
receipt broker's (a real `redis-server` and the clusters' broker on it)."""

import os

import pytest
from django.contrib.auth.models import User
from django_q.conf import Conf
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.redis_server import redis_server, redis_server_binary
from bookstore.receipt_broker import ReceiptRedis
from tests.api_throttle_counts import forget_api_throttle_counts

TTL = 2  # CLUSTER_HEARTBEAT_STALE_SECONDS of the clusters played here


@pytest.fixture
def fresh_throttle():
    """A fresh API throttle count (user ids are reused between tests): the API's test modules
    use it for each test (`pytest.mark.usefixtures`)."""
    forget_api_throttle_counts()


@pytest.fixture
def admin_api(db) -> APIClient:
    """A superuser's API client, by token: every endpoint is open to it."""
    user = User.objects.create_superuser("root", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture(scope="module")
def redis_installed():
    """Skip without `redis-server` (a failure under REQUIRE_REDIS=1, as in CI)."""
    if redis_server_binary() is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed; REQUIRE_REDIS=1 makes this a failure")


@pytest.fixture(scope="module")
def redis_url(redis_installed):
    with redis_server() as server:
        yield server.url


@pytest.fixture
def broker(redis_url, monkeypatch, settings):
    """This process's broker on a fresh Redis database, as the clusters' settings make it."""
    settings.CLUSTER_HEARTBEAT_STALE_SECONDS = TTL
    settings.Q_SYNC = False
    monkeypatch.setattr(Conf, "REDIS", redis_url)
    monkeypatch.setattr(Conf, "BROKER_CLASS", "bookstore.receipt_broker.ReceiptRedis")
    broker = ReceiptRedis("bookstore")
    broker.connection.flushdb()
    yield broker
    broker.stop_consuming()  # this process's renewal thread, when a test took a task here
    broker.connection.flushdb()
