"""Processes the benches start and watch: their descendants, their peak memory (Linux /proc),
a django-q2 cluster's start and stop."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory (VmHWM, MB), None when it is gone or /proc lacks it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def child_pids(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc), deepest last."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_rss_mb(pids: list[int], peaks: dict[int, float]) -> None:
    """Each process's peak resident memory so far (VmHWM, /proc), kept per pid in `peaks`: the
    cluster's workers may be recycled, so each is read while it lives."""
    for pid in pids:
        peak = vm_hwm_mb(pid)
        if peak is not None:
            peaks[pid] = max(peaks.get(pid, 0.0), peak)


def stop_cluster(cluster: subprocess.Popen, grace: float = 60.0) -> str:
    """SIGTERM to the main qcluster process only; its workers finish their task and exit."""
    if cluster.poll() is not None:
        return f"had already exited ({cluster.returncode})"
    started = time.monotonic()
    cluster.send_signal(signal.SIGTERM)
    try:
        cluster.wait(timeout=grace)
        return f"stopped by SIGTERM in {time.monotonic() - started:.1f} s"
    except subprocess.TimeoutExpired:
        leftovers = child_pids(cluster.pid)
        cluster.kill()
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        cluster.wait()
        return f"no exit {grace:.0f} s after SIGTERM: killed it and its {len(leftovers)} children"


def clusters_ready(log_paths: list[Path], timeout: float = 120.0) -> float:
    """Seconds until every cluster's log says it runs (django-q2's "Q Cluster ... running.")."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all("running." in path.read_text(errors="replace") for path in log_paths):
            break
        time.sleep(0.2)
    return time.monotonic() - started
