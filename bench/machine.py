"""The machine baseline every bench prints beside its figures, so that runs on a noisy, shared
2-core machine can be compared by ratio."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_baseline() -> float:
    """A fixed pure-Python loop, in millions of iterations per second."""
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i % 7
    return 3.0 / (time.perf_counter() - start)


#: Settings refuse a weak SECRET_KEY with DEBUG off, as the benches run; this one is only for them.
BENCH_SECRET_KEY = "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def machine_line(label: str) -> str:
    """The CPU baseline and the load average, for a bench that prints them before and after."""
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{label}: CPU baseline {cpu_baseline():.1f} M loop iterations/s, "
        f"load average {load} (1/5/15 min) on {os.cpu_count()} CPUs"
    )


def bench_env(**extra: str) -> dict[str, str]:
    """The environment a bench's child process runs Django in (DEBUG off, as in production)."""
    env = {
        **os.environ,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        **extra,
    }
    env.pop("DEBUG", None)
    return env


def collected_static_root() -> str:
    """A temp STATIC_ROOT filled by `collectstatic`, as a deployment does: with DEBUG off the
    pages name static files through WhiteNoise's manifest, which only collectstatic writes."""
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput"],
        env=bench_env(STATIC_ROOT=static_root),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return static_root


def run_on_databases(command: list[str], env: dict[str, str], which: str) -> bool:
    """Run `command` against a throwaway SQLite file and/or a throwaway PostgreSQL cluster
    (scripts/with_postgres.sh), as `which` ("both", "sqlite", "postgres") says; True when every
    run succeeded. A machine without PostgreSQL skips it and says so."""
    ok = True
    if which in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
            sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
            ok &= subprocess.run(command, env=sqlite_env).returncode == 0
    if which in ("both", "postgres"):
        postgres_env = {key: value for key, value in env.items() if key != "DATABASE_URL"}
        result = subprocess.run(
            [str(ROOT / "scripts/with_postgres.sh"), *command], env=postgres_env
        )
        if result.returncode == 97:
            print("PostgreSQL is not installed: skipped.")
        else:
            ok &= result.returncode == 0
    return ok
