"""An S3 **emulator** for the storage tests: moto's server mode (`python -m moto.server`), a
real HTTP server on a free 127.0.0.1 port that answers the S3 API. It is not Amazon S3: it
proves that django-storages' requests, names, headers and URLs work against the S3 protocol.

The server is started once per test session (a subprocess, stopped at the end); each test gets
a bucket of its own, and the `default` / `imports` storages are built from environment values
through bookstore/storage_settings.py, the same code path as bookstore/settings.py.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
import environ
import pytest
import requests

from bookstore.storage_settings import (
    S3_BACKEND,
    private_s3_storage_options,
    s3_storage_options,
)

REGION = "us-east-1"
#: moto accepts any key pair; these are visibly not credentials.
ACCESS_KEY = "emulator-access-key"
SECRET_KEY = "emulator-secret-key"
START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Emulator:
    """A running moto server: its endpoint, and a client to inspect what it holds."""

    endpoint: str
    process: subprocess.Popen

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        name = f"synthetic-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_emulator() -> S3Emulator:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the S3 emulator (moto server) exited with {process.returncode}")
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            return S3Emulator(endpoint=endpoint, process=process)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the S3 emulator did not answer within {START_SECONDS} s")


def emulator_environment(emulator: S3Emulator, bucket: str, **extra: str) -> environ.Env:
    """The environment a deployment would set to use this bucket (STORAGE_BACKEND=s3)."""
    env = environ.Env()
    env.ENVIRON = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": emulator.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        **extra,
    }
    return env


def emulator_storages(env: environ.Env) -> dict[str, dict[str, Any]]:
    """The `default` and `imports` STORAGES entries, built as bookstore/settings.py builds them."""
    covers = s3_storage_options(env)
    return {
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": covers},
        "imports": {"BACKEND": S3_BACKEND, "OPTIONS": private_s3_storage_options(env, covers)},
    }


@dataclass
class S3Calls:
    """The S3 operations a storage's client sent (PutObject, HeadObject, …), counted."""

    counts: Counter = field(default_factory=Counter)

    def record(self, *, model, **kwargs) -> None:
        self.counts[model.name] += 1


def count_calls(storage) -> S3Calls:
    """Count every S3 operation `storage` (django-storages' S3Storage) sends from now on."""
    calls = S3Calls()
    storage.connection.meta.client.meta.events.register("before-call.s3", calls.record)
    return calls


@dataclass
class S3Bucket:
    """A test's own bucket in the emulator, with the storages pointed at it."""

    emulator: S3Emulator
    name: str
    settings: Any  # pytest-django's settings fixture: restored after the test

    def use(self, **environment: str) -> environ.Env:
        """Point STORAGES' `default` and `imports` at this bucket, with these extra variables
        (AWS_QUERYSTRING_AUTH, AWS_DEFAULT_ACL, IMPORT_STORAGE_PREFIX, …)."""
        env = emulator_environment(self.emulator, self.name, **environment)
        self.settings.STORAGES = {**self.settings.STORAGES, **emulator_storages(env)}
        return env

    def keys(self, prefix: str = "") -> list[str]:
        return self.emulator.keys(self.name, prefix)

    def head(self, key: str) -> dict[str, Any]:
        return self.emulator.client().head_object(Bucket=self.name, Key=key)


@pytest.fixture(scope="session")
def s3_emulator():
    """moto's S3 server, started once for the session on a free loopback port."""
    emulator = start_emulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def s3_bucket(s3_emulator, settings) -> S3Bucket:
    """A fresh bucket, and the `default` (covers) and `imports` storages on it, built by
    bookstore/storage_settings.py from the environment a deployment would set."""
    bucket = S3Bucket(emulator=s3_emulator, name=s3_emulator.new_bucket(), settings=settings)
    bucket.use()
    return bucket
