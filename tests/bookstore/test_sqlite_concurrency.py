"""SQLite must survive a web server and a worker writing at once (WAL + IMMEDIATE + timeout)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import django, sys
django.setup()
from django.db import transaction
from catalog.models import Author
for i in range(150):
    with transaction.atomic():
        author = Author.objects.create(name=f"{sys.argv[1]} {i}")
        # Read then write in one transaction: the pattern that deadlocks on lock upgrade
        # without IMMEDIATE.
        Author.objects.filter(pk=author.pk).update(bio=str(Author.objects.count()))
print("ok")
"""


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite-specific")
@pytest.mark.slow  # two processes
def test_two_processes_write_to_one_sqlite_file_without_locking_errors(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("web", "worker")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.strip() == "ok"
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from catalog.models import Author; print(Author.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert count.stdout.strip() == "300"
    journal = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection; "
            "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert journal.stdout.strip() == "wal"
