"""A cover stored on a filesystem that is really full (a small tmpfs mounted as the media
directory: the kernel's own ENOSPC, not a storage told to raise it): the download is kept for
later rather than lost or half written, no file is left behind, and once space is freed the
retry stores the cover whole (tests/enrichment/test_cover_partial_saves.py plays the same with
a storage that raises). Needs the right to mount (root, as in the project's CI container):
skipped otherwise."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from enrichment import cover_apply
from enrichment.models import EnrichmentRequest
from tests.enrichment.covers_s3_support import (
    cover_host,  # noqa: F401 (a fixture, used by name)
    cover_proposed,
)
from tests.enrichment.test_cover_partial_saves import cover_files, media_files
from tests.factories import make_edition, make_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cover_host")]

FREE_BYTES = 8 * 1024  # less than any of the cover's files needs, with the storage's overhead


@pytest.fixture
def full_media_disk():
    """MEDIA_ROOT on a tmpfs of its own, filled but for FREE_BYTES; yields the filler, whose
    removal frees the space."""
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)],
        capture_output=True,
        text=True,
    )
    if os.geteuid() != 0 or mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        filler = media / "filler"
        free = os.statvfs(media).f_bavail * os.statvfs(media).f_frsize
        filler.write_bytes(b"\0" * (free - FREE_BYTES))
        yield filler
    finally:
        subprocess.run(["umount", str(media)], check=True)


def test_a_cover_stored_on_a_full_disk_waits_and_is_stored_whole_once_space_is_freed(
    full_media_disk,
):
    edition = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    request = cover_proposed(edition, 1)

    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"retry_later": 1}
    edition.refresh_from_db()
    request.refresh_from_db()
    assert not edition.cover
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING
    assert media_files() == ["filler"]  # no half file, no original without its thumbnails

    full_media_disk.unlink()  # space freed
    assert cover_apply.request_fetch_cover(request=request) == "applied"
    assert media_files() == cover_files(edition)
