"""The machine baseline every bench prints beside its figures, so that runs on a noisy, shared
2-core machine can be compared by ratio."""

import time


def cpu_baseline() -> float:
    """A fixed pure-Python loop, in millions of iterations per second."""
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i % 7
    return 3.0 / (time.perf_counter() - start)


#: Settings refuse a weak SECRET_KEY with DEBUG off, as the benches run; this one is only for them.
BENCH_SECRET_KEY = "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
