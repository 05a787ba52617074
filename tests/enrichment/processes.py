"""Real processes on the test's database: the environment they run with, and how to stop them.

On PostgreSQL they share the test database (a `transaction=True` test, so they see committed
rows); on SQLite the test database lives in memory, so they share a migrated file instead.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def shared_database_url(tmp_path: Path) -> str:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=process_env(url),
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    return url


def process_env(database_url: str, **settings) -> dict[str, str]:
    """The environment of a project process on that database (SECRET_KEY comes from the
    test settings, which put a strong one in os.environ)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookstore.settings"}
    env["DATABASE_URL"] = database_url
    env.update({name: str(value) for name, value in settings.items()})
    return env


def start(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    """A process in its own process group, so that it can be killed with its children."""
    return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, text=True, **kwargs)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and every child it forked (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition, timeout: float, what: str):
    """`condition()`'s first true value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def last_json_of(script: str, argument: str, env: dict[str, str], timeout: float = 120):
    """The last line a Python `script` run in a fresh process (with `argument`) prints, read as
    JSON: what a new worker found after another was killed."""
    process = start(
        [sys.executable, "-c", script, argument],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        return last_json_when_done(process, timeout)
    finally:
        if process.poll() is None:
            kill_group(process)


def last_json_when_done(process: subprocess.Popen, timeout: float = 120):
    """The last line a started process prints, read as JSON once it has exited with status 0:
    what a worker found after what the test did to it."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def read_status(path: Path):
    """The JSON a child process writes to report itself; None until it is whole."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
