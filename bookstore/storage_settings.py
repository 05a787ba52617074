"""The S3 storages' options, built from the environment (pure: no Django settings read).

bookstore/settings.py builds STORAGES with these functions, and so do the tests that run the
storages against an S3 emulator: one path from the environment to the options, so the tests
prove what production uses.
"""

from typing import Any

import environ
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
DEFAULT_IMPORT_PREFIX = "private-imports"
#: botocore's own defaults are 60 s to connect, 60 s per read and up to 5 attempts (legacy
#: retries): a hung endpoint held a cover task, an upload or an admin page for minutes.
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_MAX_ATTEMPTS = 2


def s3_client_config(env: environ.Env) -> Config:
    """botocore's client settings for every S3 request: each connect and each socket read
    gives up after its timeout, and a request is sent at most AWS_S3_MAX_ATTEMPTS times (the
    first included; standard retries, with backoff) before the storage call raises."""
    connect = env.float("AWS_S3_CONNECT_TIMEOUT", default=DEFAULT_CONNECT_TIMEOUT)
    read = env.float("AWS_S3_READ_TIMEOUT", default=DEFAULT_READ_TIMEOUT)
    attempts = env.int("AWS_S3_MAX_ATTEMPTS", default=DEFAULT_MAX_ATTEMPTS)
    if connect <= 0 or read <= 0:
        raise ImproperlyConfigured(
            "AWS_S3_CONNECT_TIMEOUT and AWS_S3_READ_TIMEOUT must be seconds above 0."
        )
    if attempts < 1:
        raise ImproperlyConfigured("AWS_S3_MAX_ATTEMPTS must be at least 1 (the first request).")
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"mode": "standard", "total_max_attempts": attempts},
    )


def s3_storage_options(env: environ.Env) -> dict[str, Any]:
    """The covers' S3Storage options. Credentials may also come from boto3's own chain
    (instance role, ~/.aws) when AWS_ACCESS_KEY_ID is not set."""
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "location": env.str("AWS_LOCATION", default=""),
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
        "default_acl": env.str("AWS_DEFAULT_ACL", default="") or None,
        # Covers are stored under content-hash names: the same name always means the same bytes,
        # so a save never asks whether the name is taken (a HEAD request per file).
        "file_overwrite": True,
        # Bytes and time are capped on every outside read: the storage's too.
        "client_config": s3_client_config(env),
    }
    if env.str("AWS_ACCESS_KEY_ID", default=""):
        options["access_key"] = env.str("AWS_ACCESS_KEY_ID")
        options["secret_key"] = env.str("AWS_SECRET_ACCESS_KEY", default="")
    return options


def import_storage_prefix(env: environ.Env) -> str:
    return env.str("IMPORT_STORAGE_PREFIX", default=DEFAULT_IMPORT_PREFIX).strip("/")


def private_s3_storage_options(env: environ.Env, covers: dict[str, Any]) -> dict[str, Any]:
    """The uploaded exports' S3Storage options: the covers' connection, but their own prefix
    (and bucket, if set), always a private ACL, signed URLs and no CDN domain."""
    return {
        **covers,
        "bucket_name": env.str("IMPORT_STORAGE_BUCKET_NAME", default="") or covers["bucket_name"],
        "location": import_storage_prefix(env),
        "default_acl": "private",
        "querystring_auth": True,
        "custom_domain": None,
        # Random names, never overwritten: a clash must not replace someone's upload.
        "file_overwrite": False,
    }
