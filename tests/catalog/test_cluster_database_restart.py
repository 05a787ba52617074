"""A real qcluster (the database's broker, bookstore.orm_broker) whose PostgreSQL server
restarts under it: once the database is back, the cluster takes work again without anyone
restarting it (an import uploaded after the restart is imported), and its heartbeat says it
runs. On PostgreSQL (scripts/with_postgres.sh); skipped on SQLite."""

import json
import sys

import pytest

from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.enrichment import processes
from tests.postgres_restart import postgres_data_directory, postgres_restart

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # real processes

ROWS = 300

UPLOAD = """
import pathlib, sys
import django
django.setup()
from catalog import services
data = pathlib.Path(sys.argv[1]).read_bytes()
job = services.import_job_create(data=data, filename="synthetic-export.csv", enrich=False)
assert services.import_job_start(job=job) == services.ImportStart.QUEUED  # for the cluster
print(job.pk)
"""

REPORT = """
import json, sys
import django
django.setup()
from catalog.models import ImportJob
from enrichment.operations_panel import cluster_rows
job = ImportJob.objects.filter(pk=int(sys.argv[1])).first() if sys.argv[1] != "0" else None
print(json.dumps({
    "status": job.status if job else "",
    "rows": job.rows.count() if job else 0,
    "clusters": {row.pid: row.state for row in cluster_rows()},
}))
"""


def run(script: str, env, *args: str) -> str:
    process = processes.start([sys.executable, "-c", script, *args], env, stdout=-1, stderr=-1)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


def test_a_cluster_takes_work_again_once_its_restarted_database_is_back(tmp_path):
    data_directory = postgres_data_directory()
    export = tmp_path / "synthetic-export.csv"
    export.write_bytes(synthetic_goodreads_file(ROWS))
    env = processes.process_env(
        processes.shared_database_url(tmp_path),
        Q_WORKERS=1,
        Q_POLL=0.1,
        Q_TIMEOUT=60,
        Q_RETRY=120,
        IMPORT_INLINE_MAX_ROWS=10,
        CLUSTER_HEARTBEAT_SECONDS=1,
        CLUSTER_HEARTBEAT_STALE_SECONDS=3,
    )
    cluster = processes.start([sys.executable, "manage.py", "qcluster"], env, stderr=-1)
    try:

        def beating():
            clusters = json.loads(run(REPORT, env, "0"))["clusters"]
            return clusters.get(str(cluster.pid)) == "running"

        processes.wait_for(beating, 60, "the cluster's first heartbeat")
        postgres_restart(data_directory, down_for=3)
        job_id = run(UPLOAD, env, str(export)).strip()

        def imported():
            report = json.loads(run(REPORT, env, job_id))
            return report if report["status"] in ("completed", "failed") else None

        try:
            report = processes.wait_for(imported, 90, "the import run by the cluster")
        except AssertionError:
            processes.kill_group(cluster)
            raise AssertionError(cluster.stderr.read()[-3000:]) from None
        processes.wait_for(beating, 30, "the cluster's heartbeat after the restart")
    finally:
        processes.kill_group(cluster)
    assert (report["status"], report["rows"]) == ("completed", ROWS)
