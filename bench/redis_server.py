"""A throwaway Redis server for the benches and their tests: Debian's `redis-server` started in a
temp dir on a free loopback port, with nothing saved to disk, and stopped at the end.

    with redis_server() as redis:   # raises RedisNotInstalled without the binary
        redis.url                   # redis://127.0.0.1:PORT/0
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Where Debian's package puts the server, when PATH does not hold it (cron, sudo).
DEBIAN_REDIS_SERVER = "/usr/bin/redis-server"


class RedisNotInstalled(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str | None:
    """The `redis-server` executable, or None when it is not installed."""
    found = shutil.which("redis-server")
    if found:
        return found
    return DEBIAN_REDIS_SERVER if os.access(DEBIAN_REDIS_SERVER, os.X_OK) else None


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int
    pid: int
    log: Path


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(*, start_timeout: float = 20.0) -> Iterator[RedisServer]:
    """Start redis-server on a free loopback port in a temp dir (no RDB snapshots, no AOF: a
    broker's contents are meant to be lost with it), yield it, then stop it and remove the dir."""
    binary = redis_server_binary()
    if binary is None:
        raise RedisNotInstalled(
            "redis-server is not installed (Debian: apt-get install redis-server)"
        )
    work_dir = Path(tempfile.mkdtemp(prefix="bookstore-redis-"))
    port = free_port()
    log = work_dir / "redis.log"
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(work_dir),
        "--daemonize",
        "no",
        "--logfile",
        str(log),
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers_ping(port):
            if server.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"redis-server did not start on port {port}: {text[-800:]}")
            time.sleep(0.05)
        yield RedisServer(url=f"redis://127.0.0.1:{port}/0", port=port, pid=server.pid, log=log)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # with --save "" it exits without writing
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work_dir, ignore_errors=True)
