"""The providers' shared limits hold across processes: several processes take permits for one
provider at once, and the send times granted never come closer than the rate allows, nor do
they pass the daily budget (enrichment/throttle.py locks the provider's row: FOR UPDATE on
PostgreSQL, the IMMEDIATE write lock on SQLite). The scale bench's 0 × 429 rests on this."""

import itertools
import json
import sys

import pytest

from tests.enrichment.processes import process_env, shared_database_url, start, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROVIDER = "synthetic-shared-limits"
PROCESSES = 4
PERMITS_EACH = 8
RATE = 40.0  # permits per second, for all processes together
BUDGET = 24  # fewer than PROCESSES * PERMITS_EACH: some must be refused
MICROSECOND = 1e-6

# One process: wait for the go file, then take PERMITS_EACH permits as fast as it may, and
# write down when each permit lets it send (its decision time plus its reserved wait).
TAKER = """
import json, pathlib, sys, time
import django
django.setup()
from enrichment.candidates import LookupStatus
from enrichment.throttle import Limits, acquire_permit, record_outcome
provider, rate, budget, count, folder, name = sys.argv[1:7]
folder = pathlib.Path(folder)
limits = Limits(rate=float(rate), daily_budget=int(budget))
acquire = dict(provider=provider, limits=limits, max_wait=30.0)
(folder / f"{name}.ready").write_text("")
while not (folder / "go").exists():
    time.sleep(0.005)
sends, refused = [], []
for _ in range(int(count)):
    permit = acquire_permit(**acquire)
    if not permit.granted:
        refused.append(str(permit.status))
        continue
    sends.append(permit.at + permit.waited)
    record_outcome(permit=permit, status=LookupStatus.FOUND, limits=limits)
(folder / f"{name}.json").write_text(json.dumps({"sends": sends, "refused": refused}))
"""


def test_processes_taking_permits_at_once_never_exceed_the_rate_or_the_budget(tmp_path):
    env = process_env(shared_database_url(tmp_path))
    args = [PROVIDER, str(RATE), str(BUDGET), str(PERMITS_EACH), str(tmp_path)]
    takers = [
        start([sys.executable, "-c", TAKER, *args, f"taker{i}"], env) for i in range(PROCESSES)
    ]
    try:
        wait_for(
            lambda: len(list(tmp_path.glob("*.ready"))) == PROCESSES, 60, "the takers to start"
        )
        (tmp_path / "go").write_text("")
        for taker in takers:
            taker.wait(timeout=60)
    finally:
        for taker in takers:
            if taker.poll() is None:
                taker.kill()
                taker.wait(timeout=30)
    assert [taker.returncode for taker in takers] == [0] * PROCESSES
    reports = tmp_path.glob("taker*.json")
    results = {path.stem: json.loads(path.read_text()) for path in reports}
    sends = sorted((at, name) for name, result in results.items() for at in result["sends"])
    refused = [status for result in results.values() for status in result["refused"]]

    # The budget is shared: exactly BUDGET permits in all, the rest refused as spent.
    assert len(sends) == BUDGET
    assert refused == ["quota_exhausted"] * (PROCESSES * PERMITS_EACH - BUDGET)
    # The rate is shared: no two sends, from any processes, closer than 1 / RATE (give or take
    # the microsecond the database rounds the bucket's time to).
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(sends)]
    assert min(gaps) >= 1 / RATE - MICROSECOND, min(gaps)
    # ...and the processes did contend: their permits interleave.
    switches = sum(a != b for (_, a), (_, b) in itertools.pairwise(sends))
    assert switches >= PROCESSES - 1
    # Taking them all took about as long as the rate says (the first send is immediate).
    assert sends[-1][0] - sends[0][0] >= (BUDGET - 1) * (1 / RATE - MICROSECOND)
