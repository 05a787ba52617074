"""The test's own PostgreSQL server (scripts/with_postgres.sh's throwaway cluster) stopped and
started again, as an operator's restart or a failover does: every connection is cut."""

import glob
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection


def _pg_ctl() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.skip("pg_ctl is not installed")
    return found[-1]


def _as_server_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else args


def postgres_data_directory() -> Path:
    """The running server's data directory; skips unless the tests run on a PostgreSQL this
    process may stop (the throwaway cluster)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL restart needs the tests on PostgreSQL (scripts/with_postgres.sh)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        return Path(cursor.fetchone()[0])


def postgres_restart(data_directory: Path, *, down_for: float) -> None:
    """Stop the server (fast: sessions are cut, transactions rolled back), keep it down for
    `down_for` seconds, start it again with its options of before (postmaster.opts)."""
    pg_ctl, log = _pg_ctl(), str(data_directory.parent / "server.log")
    stop = [pg_ctl, "-D", str(data_directory), "-m", "fast", "-w", "stop"]
    subprocess.run(_as_server_owner(stop), check=True, capture_output=True, timeout=60)
    time.sleep(down_for)
    options = (data_directory / "postmaster.opts").read_text().split(None, 1)[1].strip()
    start = [pg_ctl, "-D", str(data_directory), "-l", log, "-w", "-t", "60", "-o", options, "start"]
    subprocess.run(_as_server_owner(start), check=True, capture_output=True, timeout=90)
    connection.close()  # this process's connection was cut too
