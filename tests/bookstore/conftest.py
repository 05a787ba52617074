"""Fixtures of the receipt broker's tests: a real `redis-server` and the clusters' broker on it."""

import os

import pytest
from django_q.conf import Conf

from bench.redis_server import redis_server, redis_server_binary
from bookstore.receipt_broker import ReceiptRedis

TTL = 2  # CLUSTER_HEARTBEAT_STALE_SECONDS of the clusters played here


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
