"""/healthz: what a load balancer sees when the database, the broker or the storage is down,
how fast it sees it, and that the answer never carries a secret."""

import shutil
import socket
import threading
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.db import connections as django_connections
from django.urls import reverse

from bookstore import health

pytestmark = pytest.mark.django_db
HEALTHZ = "/healthz"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_url_is_exactly_healthz():
    assert reverse("healthz") == HEALTHZ


def test_all_checks_pass_answers_200_ok_without_login(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], float)
        assert "error" not in check
    assert body["checks"]["broker"]["kind"] == "orm"
    assert body["checks"]["storage"]["kind"] == "filesystem"
    assert "no-cache" in response["Cache-Control"]  # a cached "ok" would hide an outage


def test_head_is_answered_and_a_post_is_refused(client):
    assert client.head(HEALTHZ).status_code == 200
    assert client.post(HEALTHZ).status_code == 405


class _RefusingDatabase:
    """The default connection as a database that refuses the login sees it."""

    vendor = "postgresql"

    def cursor(self):
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5), port 5432 failed: FATAL:  '
            'password authentication failed for user "bookstore"\nDETAIL: more lines'
        )


class _Connections:
    def __getitem__(self, alias):
        return _RefusingDatabase()

    def close_all(self):
        django_connections.close_all()  # the pool thread's real connections (the ORM broker's)


def test_a_database_that_refuses_answers_503_naming_the_database(client, monkeypatch):
    monkeypatch.setattr(health, "connections", _Connections())

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    database = body["checks"]["database"]
    assert database["ok"] is False
    assert database["error"].startswith("OperationalError: connection to server at")
    assert "DETAIL" not in database["error"]  # its first line only
    assert body["checks"]["storage"]["ok"] is True


def test_an_unreachable_redis_answers_503_quickly_without_its_password(client, settings):
    settings.REDIS_URL = f"redis://:synthetic-redis-password@127.0.0.1:{closed_port()}/0"
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": settings.REDIS_URL}
    settings.HEALTHZ_TIMEOUT = 1.0

    started = time.monotonic()
    response = client.get(HEALTHZ)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker == {"kind": "redis", "ok": False, "ms": broker["ms"], "error": broker["error"]}
    assert broker["error"].startswith("ConnectionError")
    assert "synthetic-redis-password" not in response.content.decode()
    assert elapsed < 1.5


def test_a_redis_that_never_answers_fails_within_the_timeout(client, settings):
    silent = socket.socket()  # accepts connections (the kernel does) and never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": settings.REDIS_URL}
    settings.HEALTHZ_TIMEOUT = 0.3
    try:
        started = time.monotonic()
        response = client.get(HEALTHZ)
        elapsed = time.monotonic() - started
    finally:
        silent.close()

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert "imeout" in broker["error"] or "timed out" in broker["error"]
    assert elapsed < 1.0


def test_a_storage_that_fails_answers_503(client, monkeypatch):
    def unreachable(self, name):
        raise OSError(5, "Input/output error", "/mnt/covers")

    monkeypatch.setattr(FileSystemStorage, "exists", unreachable)

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["error"] == "OSError: [Errno 5] Input/output error: '/mnt/covers'"
    assert response.json()["checks"]["database"]["ok"] is True


def test_a_media_root_that_is_a_file_answers_503(client, settings, tmp_path):
    media = tmp_path / "covers"
    media.write_text("not a directory: a mount that failed left a file here")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["error"].startswith("NotADirectoryError: the media directory")


def test_a_media_root_not_made_yet_under_a_writable_folder_is_healthy(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "not-yet" / "media")},
        },
    }

    response = client.get(HEALTHZ)

    assert response.status_code == 200  # the first cover stored makes it
    assert response.json()["checks"]["storage"]["ok"] is True


def test_a_full_disk_under_the_media_directory_answers_503_saying_so(
    client, settings, monkeypatch, tmp_path
):
    """Every cover stored fails with ENOSPC while the directory exists and is writable: the
    probe said "ok" (the real case: a full tmpfs, which a test cannot mount without root)."""
    real_disk_usage = shutil.disk_usage
    media = settings.STORAGES["default"]["OPTIONS"]["location"]

    def full(path):
        usage = real_disk_usage(path)
        return usage._replace(used=usage.total, free=4096) if str(path) == media else usage

    (tmp_path / "media").mkdir()
    monkeypatch.setattr(shutil, "disk_usage", full)
    settings.COVER_MAX_BYTES = 10 * 1024 * 1024

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["error"].startswith(
        "OSError: [Errno 28] No space left: 4,096 bytes free, under one cover at its largest "
        "(COVER_MAX_BYTES, 10,485,760), in the media directory /"
    )

    settings.COVER_MAX_BYTES = 4096  # room for one cover at its largest: healthy
    assert client.get(HEALTHZ).status_code == 200


def test_a_hung_check_costs_the_probe_its_timeout_not_more(client, settings, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(health, "check_storage", lambda: release.wait(10))
    settings.HEALTHZ_TIMEOUT = 0.2
    try:
        started = time.monotonic()
        response = client.get(HEALTHZ)
        elapsed = time.monotonic() - started
    finally:
        release.set()

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["error"] == "timed out after 0.2 s"
    assert elapsed < 1.0


def test_healthz_is_never_redirected_to_https(client, settings):
    """A load balancer probes over plain http, straight to gunicorn."""
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("admin:login")).status_code == 301
    assert client.get(HEALTHZ).status_code == 200


def test_errors_are_told_without_url_credentials_or_configured_secrets(settings):
    settings.REDIS_URL = "redis://worker:synthetic-secret-42@redis.internal:6379/0"

    told = health.describe_error(
        ConnectionError("redis://worker:synthetic-secret-42@redis.internal:6379/0 refused")
    )
    assert told == "ConnectionError: redis://***@redis.internal:6379/0 refused"
    assert health.describe_error(ValueError("auth synthetic-secret-42 rejected")) == (
        "ValueError: auth *** rejected"
    )
    assert health.describe_error(TimeoutError()) == "TimeoutError"
    assert len(health.describe_error(ValueError("x" * 5000))) == 200
