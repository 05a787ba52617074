"""A PostgreSQL cluster kept between bench runs: building a million-row catalog takes minutes,
measuring it again seconds. The throwaway clusters (scripts/with_postgres.sh) are removed after
each run; this one keeps its data directory, started for a run and stopped after it."""

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path


def run_on_kept_postgres(command: list[str], env: dict[str, str], data: Path) -> int:
    """Run `command` on a PostgreSQL cluster kept in `data` (created on the first run, with the
    throwaway clusters' settings: scripts/with_postgres.sh), started on a free loopback port and
    stopped afterwards; the data stay for the next run."""
    found = shutil.which("pg_ctl") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))), ""
    )
    if not found:
        print("PostgreSQL server binaries (initdb, pg_ctl) not found.")
        return 97
    bin_dir = Path(os.path.realpath(found)).parent
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fresh = not (data / "PG_VERSION").exists()
    data.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:
        shutil.chown(data, "postgres")
    if fresh:
        subprocess.run([*as_pg, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {data} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
    pg_ctl = [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-l", str(data / "server.log"), "-w", "-t", "60", "start",
                    "-o", options], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        if fresh:
            subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                            "-U", "postgres", "bookstore"], check=True)  # fmt: skip
        url = f"postgres://postgres@127.0.0.1:{port}/bookstore"
        print(f"PostgreSQL kept in {data}, on 127.0.0.1:{port}")
        return subprocess.run(command, env={**env, "DATABASE_URL": url}).returncode
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
