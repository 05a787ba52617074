"""A real `redis-server` that a test stops and starts again on the same port, empty (as the
broker's Redis runs: nothing saved to disk), as a restart, a crash or a failover leaves it."""

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from bench.redis_server import _answers_ping, free_port, redis_server_binary


class RestartableRedis:
    def __init__(self) -> None:
        binary = redis_server_binary()
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary, self.port = binary, free_port()
        self.work_dir = Path(tempfile.mkdtemp(prefix="bookstore-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.work_dir)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not _answers_ping(self.port):
            assert self.process.poll() is None and time.monotonic() < deadline, "no redis-server"
            time.sleep(0.05)

    def stop(self) -> None:
        """Down, and all it held gone with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # with --save "" it writes nothing
            self.process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.work_dir, ignore_errors=True)
