"""A worker killed between writing a cover's files and saving the row that shows them: the
cover sweep deletes the files no row points to once the write is older than a cover step may
take (its claim stale, and longer than django-q2 lets a task run). A real process, SIGKILLed
inside the cover step's transaction."""

import json
import sys
from pathlib import Path

import pytest

from tests.enrichment import processes
from tests.enrichment.covers_s3_support import FIXTURE_COVER

KILLED_WHILE_SAVING = """
import os, signal, sys
import django
django.setup()
from catalog.models import Edition, Work
from enrichment import cover_apply
from enrichment.covers import choose
from enrichment.models import EnrichmentRequest

image = open(sys.argv[1], "rb").read()
choose.fetch_cover_bytes = lambda url, **kwargs: image  # no network
work = Work.objects.create(title="Coraline")
Edition.objects.create(work=work)
url = "https://covers.openlibrary.org/b/id/1-L.jpg"
proposal = {"cover": {"proposed": [
    {"provider": "openlibrary", "url": url, "cover_id": "1", "size_label": "L"}
]}}
request = EnrichmentRequest.objects.create(
    work=work, trigger="command", status="completed", confidence="high",
    cover_status="pending", proposal=proposal,
)

def killed(*args, **kwargs):  # the files are written; the row is not saved yet
    os.kill(os.getpid(), signal.SIGKILL)

cover_apply.assign_cover = killed
cover_apply.requests_fetch_covers(request_ids=[request.pk])
"""

SWEEP_LATER = """
import json
from datetime import timedelta
import django
django.setup()
from django.utils import timezone
from enrichment import cover_apply

later = timezone.now() + timedelta(seconds=cover_apply.cover_write_abandoned_seconds() + 60)
print(json.dumps(cover_apply.covers_dispatch_due(now=later)))
"""


def media_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.slow  # real processes, one killed
@pytest.mark.django_db(transaction=True)
def test_files_a_killed_worker_wrote_for_no_row_are_deleted_by_the_sweep(tmp_path):
    media = tmp_path / "media"
    env = processes.process_env(processes.shared_database_url(tmp_path), MEDIA_ROOT=media)
    worker = processes.start(
        [sys.executable, "-c", KILLED_WHILE_SAVING, FIXTURE_COVER], env, stderr=-1
    )
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == -9, err
    written = media_files(media)
    assert len(written) == 3  # the original and two thumbnails, shown by no book

    sweep = processes.start([sys.executable, "-c", SWEEP_LATER], env, stdout=-1, stderr=-1)
    out, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 0, err
    assert json.loads(out) == 1  # the cover is queued again, as any stale claim is

    assert media_files(media) == []
