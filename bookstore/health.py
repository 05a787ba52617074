"""What `/healthz` answers: is the database, the task broker and the file storage reachable
from this web process, each within `HEALTHZ_TIMEOUT` seconds.

Each check runs in a small thread pool so that a hung dependency costs the probe a timeout,
not a worker; a check never raises and never reports a secret (its kind and the exception's
class and first line, with URLs' credentials and known secrets masked).
"""

import contextlib
import errno
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections

from bookstore import task_queue

#: The name the storage check asks about: `exists()` only, nothing is ever written.
STORAGE_PROBE_NAME = "healthz/probe"
# Enough for the three checks of two concurrent probes; a hung dependency holds one thread
# each, and when all are held a probe answers "timed out" instead of starting more threads.
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="healthz")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)
_MAX_ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class CheckResult:
    kind: str
    ok: bool
    ms: float
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"kind": self.kind, "ok": self.ok, "ms": self.ms}
        if not self.ok:
            answer["error"] = self.error
        return answer


def health_report() -> dict[str, Any]:
    """`{"status": "ok"|"error", "checks": {name: {kind, ok, ms[, error]}}}`."""
    checks = {
        "database": (database_kind(), check_database),
        "broker": (task_queue.broker_kind(), check_broker),
        "storage": (storage_kind(), check_storage),
    }
    timeout = settings.HEALTHZ_TIMEOUT
    deadline = time.monotonic() + timeout
    futures = {
        name: _POOL.submit(run_check, kind=kind, check=check)
        for name, (kind, check) in checks.items()
    }
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = CheckResult(
                kind=checks[name][0],
                ok=False,
                ms=round(timeout * 1000, 1),
                error=f"timed out after {timeout:g} s",
            )
    return {
        "status": "ok" if all(r.ok for r in results.values()) else "error",
        "checks": {name: result.as_json() for name, result in results.items()},
    }


def run_check(*, kind: str, check: Callable[[], None]) -> CheckResult:
    """One check, timed, in a pool thread: its result, never an exception. The thread's
    database connections are closed after it, so that none stays open between probes."""
    began = time.monotonic()
    try:
        check()
        error = ""
    except Exception as exc:
        error = describe_error(exc)
    finally:
        # A dead database's connection may fail to close: the check has reported it already.
        with contextlib.suppress(Exception):
            connections.close_all()
    return CheckResult(
        kind=kind, ok=not error, ms=round((time.monotonic() - began) * 1000, 1), error=error
    )


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    if task_queue.broker_kind() == "redis":
        import redis  # only when the broker is Redis

        timeout = settings.HEALTHZ_TIMEOUT
        client = redis.Redis.from_url(
            settings.Q_CLUSTER["redis"], socket_timeout=timeout, socket_connect_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()
    else:
        from django_q.models import OrmQ  # the ORM broker's queue table

        list(OrmQ.objects.using(settings.Q_CLUSTER["orm"]).values_list("pk")[:1])


def check_storage() -> None:
    storage = storages["default"]
    storage.exists(STORAGE_PROBE_NAME)
    if isinstance(storage, FileSystemStorage):
        check_media_directory(Path(storage.location))


def check_media_directory(root: Path) -> None:
    """`exists()` is merely False when MEDIA_ROOT is missing or not a directory, and every
    cover stored would then fail: the directory (or, before the first cover, the nearest
    existing folder above it, where it will be made) must be a writable directory, with room
    for one cover at its largest (a full disk fails every cover while all else answers)."""
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = f"the media directory {root}" + ("" if existing == root else f" (at {existing})")
    if not existing.is_dir():
        raise NotADirectoryError(f"{where} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{where} is not writable")
    free, needed = shutil.disk_usage(existing).free, settings.COVER_MAX_BYTES
    if free < needed:
        raise OSError(
            errno.ENOSPC,
            f"No space left: {free:,} bytes free, under one cover at its largest "
            f"(COVER_MAX_BYTES, {needed:,}), in {where}",
        )


def database_kind() -> str:
    return connections["default"].vendor


def storage_kind() -> str:
    return settings.STORAGE_BACKEND


def describe_error(exc: BaseException) -> str:
    """The exception's class and the first line of its message, with no secret in it."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return redact(text)[:_MAX_ERROR_CHARS]


def redact(text: str) -> str:
    """`text` with URL credentials (`scheme://user:password@`) and the configured secrets
    masked."""
    text = _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
    for secret in _configured_secrets():
        text = text.replace(secret, "***")
    return text


def _configured_secrets() -> list[str]:
    secrets = [settings.DATABASES["default"].get("PASSWORD") or ""]
    if settings.REDIS_URL:
        secrets.append(urlsplit(settings.REDIS_URL).password or "")
    default_storage = cast(dict[str, Any], settings.STORAGES["default"])
    options = default_storage.get("OPTIONS") or {}
    secrets += [options.get("secret_key") or "", options.get("access_key") or ""]
    return [s for s in secrets if len(s) >= 4]  # a tiny "secret" would mask ordinary words
