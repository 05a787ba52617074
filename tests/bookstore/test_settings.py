"""The environment switches in settings.py, each read in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # each test starts a fresh interpreter

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "port": str(db.get("PORT", "")), "options": db.get("OPTIONS", {}),
    "storage": type(storage).__name__,
    "storage_bucket": getattr(storage, "bucket_name", None),
    "storage_class": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"].get("OPTIONS", {}),
    "debug": settings.DEBUG, "secret_key": settings.SECRET_KEY,
    "q_cluster": settings.Q_CLUSTER, "allowed_hosts": settings.ALLOWED_HOSTS,
}, default=str))
"""


def read_settings(**environ):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "STORAGE_BACKEND", "AWS_", "REDIS_URL", "Q_"))
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "bookstore.settings", "SECRET_KEY": os.environ["SECRET_KEY"]}
    )
    env.update(environ)
    env = {k: v for k, v in env.items() if v is not None}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result


def settings_with(**environ) -> dict:
    result = read_settings(**environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_database_is_sqlite_tuned_for_a_web_server_and_a_worker():
    probe = settings_with()
    assert probe["engine"] == "bookstore.sqlite_backend"  # Django's, waiting in finer steps
    assert probe["name"].endswith("db.sqlite3")
    assert probe["options"]["transaction_mode"] == "IMMEDIATE"
    assert probe["options"]["timeout"] == 20
    assert "journal_mode=WAL" in probe["options"]["init_command"]


def test_database_url_switches_to_postgresql():
    probe = settings_with(DATABASE_URL="postgres://lib:secret@db.example:5433/books")
    assert probe["engine"] == "django.db.backends.postgresql"
    assert (probe["name"], probe["host"], probe["port"]) == ("books", "db.example", "5433")
    assert "transaction_mode" not in probe["options"]
    assert probe["options"]["connect_timeout"] == 10  # a silent server fails, not hangs


def test_a_database_connect_timeout_comes_from_the_url_or_the_environment():
    url = "postgres://lib:secret@db.example:5433/books"
    assert settings_with(DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="3")["options"] == {
        "connect_timeout": 3,
        "options": "-c jit=off",
    }
    from_url = settings_with(DATABASE_URL=f"{url}?connect_timeout=4")["options"]
    assert int(from_url["connect_timeout"]) == 4


def test_postgresql_connections_compile_no_plan_unless_the_url_says_so():
    # JIT spent 354 ms compiling an admin list's 35 ms query at a million rows (bench/admin.py).
    url = "postgres://lib:secret@db.example:5433/books"
    assert settings_with(DATABASE_URL=url)["options"]["options"] == "-c jit=off"
    from_url = settings_with(DATABASE_URL=f"{url}?options=-c%20jit%3Don")["options"]
    assert from_url["options"] == "-c jit=on"


@pytest.mark.django_db
def test_the_postgresql_server_is_asked_with_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_storage_defaults_to_the_filesystem():
    probe = settings_with(MEDIA_ROOT="/srv/covers")
    assert probe["storage_class"] == "bookstore.file_storage.AtomicFileSystemStorage"
    assert probe["storage_options"]["location"] == "/srv/covers"


def test_storage_backend_s3_builds_an_s3_storage_from_aws_settings():
    probe = settings_with(
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="covers-bucket",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_S3_ENDPOINT_URL="https://s3.example.test",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert probe["storage_class"] == "storages.backends.s3.S3Storage"
    assert probe["storage"] == "S3Storage"
    assert probe["storage_bucket"] == "covers-bucket"
    options = probe["storage_options"]
    assert options["bucket_name"] == "covers-bucket"
    assert options["region_name"] == "eu-west-1"
    assert options["endpoint_url"] == "https://s3.example.test"
    assert options["access_key"] == "AKIAEXAMPLE"


def test_s3_without_a_bucket_is_refused_with_a_clear_message():
    result = read_settings(STORAGE_BACKEND="s3")
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_unknown_storage_backend_is_refused():
    result = read_settings(STORAGE_BACKEND="ftp")
    assert result.returncode != 0
    assert "STORAGE_BACKEND must be" in result.stderr


def test_secret_key_has_a_dev_default_only_while_debug_is_on():
    assert settings_with(SECRET_KEY=None, DEBUG="1")["secret_key"].startswith("django-insecure")
    refused = read_settings(SECRET_KEY=None, DEBUG="0")
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr


def test_q_cluster_uses_the_orm_broker_with_retry_above_timeout():
    cluster = settings_with()["q_cluster"]
    assert cluster["orm"] == "default"
    assert cluster["retry"] > cluster["timeout"]
    assert cluster["sync"] is False
    assert settings_with(Q_SYNC="1")["q_cluster"]["sync"] is True


def test_redis_url_switches_the_broker_to_redis_with_receipts():
    cluster = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")["q_cluster"]
    assert cluster["redis"] == "redis://127.0.0.1:6379/0"
    assert "orm" not in cluster
    # A killed cluster's tasks are kept, not lost with it (tests/bookstore/test_receipt_broker.py).
    assert cluster["broker_class"] == "bookstore.receipt_broker.ReceiptRedis"
    assert cluster["ack_failures"] is True  # so a failed task's receipt is cleared too


@pytest.mark.parametrize(("timeout", "retry", "ok"), [("300", "360", True), ("300", "300", False)])
def test_startup_check_refuses_retry_not_above_timeout(timeout, retry, ok):
    env = {**os.environ, "Q_TIMEOUT": timeout, "Q_RETRY": retry}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert (result.returncode == 0) is ok, result.stderr
    if not ok:
        assert "bookstore.E001" in result.stderr


@pytest.mark.parametrize(
    "weak",
    [
        "short-key",  # under 50 characters
        "ab" * 40,  # long, but two distinct characters
        "django-insecure-" + "k3y!" * 20,  # Django's generated development prefix
    ],
)
def test_a_weak_secret_key_is_refused_when_debug_is_off(weak):
    refused = read_settings(SECRET_KEY=weak, DEBUG="0")
    assert refused.returncode != 0
    assert "too weak" in refused.stderr
    assert settings_with(SECRET_KEY=weak, DEBUG="1")["secret_key"] == weak


def test_a_weak_key_among_the_fallbacks_is_refused_too():
    refused = read_settings(SECRET_KEY_FALLBACKS="old-short-key", DEBUG="0")
    assert refused.returncode != 0
    assert "too weak" in refused.stderr


def readme_production_environment() -> dict[str, str]:
    """The variables of the README's production example, read from the README itself."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- production-env -->", 2)[1]
    pairs = [line.split("=", 1) for line in block.splitlines() if "=" in line and "`" not in line]
    return {name.strip(): value.strip() for name, value in pairs}


def test_check_deploy_passes_with_the_production_environment_of_the_readme(tmp_path):
    production = readme_production_environment()
    assert {"SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER"} <= set(
        production
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "STORAGE_BACKEND", "AWS_", "REDIS_URL", "SECURE_"))
    }
    env.update(production)
    env.update(
        DJANGO_SETTINGS_MODULE="bookstore.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # The README's example key is a placeholder; any strong key stands in for it.
        SECRET_KEY=os.environ["SECRET_KEY"],
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_tls_settings_come_from_the_environment():
    probe = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT,
    settings.SECURE_PROXY_SSL_HEADER, settings.CSRF_TRUSTED_ORIGINS]))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookstore.settings"}
    env.update(
        SECURE_HSTS_SECONDS="600",
        SECURE_SSL_REDIRECT="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        CSRF_TRUSTED_ORIGINS="https://books.example.org,https://admin.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        600,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        ["https://books.example.org", "https://admin.example.org"],
    ]
    env["SECURE_PROXY_SSL_HEADER"] = "HTTP_X_FORWARDED_PROTO"
    refused = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "SECURE_PROXY_SSL_HEADER" in refused.stderr


@pytest.mark.parametrize("value", ["0", "-1", "40000"])
def test_enrichment_max_attempts_below_one_try_or_past_the_column_is_refused(value):
    # 0 would fail a book at its first fault, unasked; past 32766 the queue's rows refuse it.
    refused = read_settings(ENRICHMENT_MAX_ATTEMPTS=value)
    assert refused.returncode != 0
    assert "ENRICHMENT_MAX_ATTEMPTS must be between 1 and 32766" in refused.stderr
