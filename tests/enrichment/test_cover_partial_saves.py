"""A cover saved in part leaves no file behind that no row points to, and the next try stores
it whole: the storage failing on the second of a cover's three files (the original written, a
thumbnail refused), or the database refusing the cover's row once all three are written."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.db import OperationalError
from django.utils import timezone

from enrichment import cover_apply
from enrichment.covers import store_cover, verify_cover
from enrichment.models import CoverWrite
from tests.enrichment.covers_s3_support import (
    cover_bytes,
    cover_host,  # noqa: F401 (a fixture, used by name)
    cover_proposed,
)
from tests.factories import make_edition, make_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cover_host")]


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def cover_files(edition) -> list[str]:
    edition.refresh_from_db()
    sha = edition.cover_sha256
    return sorted(f"covers/{sha[:2]}/{sha}{end}" for end in (".jpg", "-m.webp", "-s.webp"))


@pytest.fixture
def storage_failing_on_second_write(monkeypatch):
    """The default storage writes the first file it is given, then refuses the next (a disk
    filling up, a bucket starting to refuse): `heal()` makes it write again."""
    storage = storages["default"]
    real_save = storage._save
    writes = []

    def save(name, content):
        writes.append(name)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        return real_save(name, content)

    monkeypatch.setattr(storage, "_save", save)
    return lambda: monkeypatch.setattr(storage, "_save", real_save)


def test_a_thumbnail_the_storage_refuses_leaves_no_original_behind_and_the_retry_stores_all(
    storage_failing_on_second_write,
):
    edition = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    request = cover_proposed(edition, 1)

    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"retry_later": 1}
    edition.refresh_from_db()
    assert not edition.cover
    assert media_files() == []  # the original written before the refusal is gone

    storage_failing_on_second_write()  # the storage writes again
    request.refresh_from_db()
    assert cover_apply.request_fetch_cover(request=request) == "applied"
    assert media_files() == cover_files(edition)


def test_a_cover_row_the_database_refuses_leaves_no_file_behind_and_the_retry_stores_all(
    monkeypatch,
):
    edition = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    request = cover_proposed(edition, 1)
    real_assign = cover_apply.assign_cover

    def database_locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(cover_apply, "assign_cover", database_locked)

    with pytest.raises(OperationalError):  # the task fails; django-q2 tries it again
        cover_apply.requests_fetch_covers(request_ids=[request.pk])
    edition.refresh_from_db()
    assert not edition.cover
    assert media_files() == []  # the three files written before the refusal are gone

    monkeypatch.setattr(cover_apply, "assign_cover", real_assign)
    request.refresh_from_db()
    assert cover_apply.request_fetch_cover(request=request) == "applied"
    assert media_files() == cover_files(edition)


def test_files_another_book_shows_stay_when_a_second_book_fails_to_take_them(monkeypatch):
    shown = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    cover_apply.request_fetch_cover(request=cover_proposed(shown, 1))
    other = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780380807345")
    request = cover_proposed(other, 1)  # the same image

    def database_locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(cover_apply, "assign_cover", database_locked)
    with pytest.raises(OperationalError):
        cover_apply.request_fetch_cover(request=request)
    assert media_files() == cover_files(shown)


def test_the_sweep_keeps_files_a_book_shows_or_a_live_write_is_storing():
    shown = make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13="9780060557812")
    cover_apply.request_fetch_cover(request=cover_proposed(shown, 1))
    long_ago = timezone.now() - timedelta(days=1)
    # A worker killed once its row was saved, before it cleared its record: the book shows them.
    CoverWrite.objects.create(sha256=shown.cover_sha256, started_at=long_ago)
    # A worker writing an image now, which a worker killed long ago wrote too.
    writing = store_cover(verify_cover(cover_bytes(2)))
    CoverWrite.objects.create(sha256=writing.sha256, started_at=long_ago)
    CoverWrite.objects.create(sha256=writing.sha256)
    before = media_files()

    cover_apply.covers_dispatch_due()

    assert media_files() == before and len(before) == 6
    assert list(CoverWrite.objects.values_list("sha256", flat=True)) == [writing.sha256]
