"""Cover files nothing uses any more are deleted (enrichment/covers/cleanup.py), and never a
file another book shows or a revert could put back: on the filesystem and on S3 (moto's
emulator, tests/s3_emulator.py)."""

from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import transaction

from catalog.models import Edition, Work
from enrichment import revert
from enrichment.covers import cleanup
from enrichment.models import AuditLogEntry
from tests.enrichment.covers_s3_support import (
    cover_host,  # noqa: F401 (a fixture, used by name)
    proposal_with_cover,
    reviewer_replaces_cover,
)
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["filesystem", "s3"])
def stored_names(request, settings):
    """Where covers go for this run, and a function listing every file stored there."""
    if request.param == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        return bucket.keys
    root = Path(settings.MEDIA_ROOT)
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def files_of(edition: Edition) -> list[str]:
    edition.refresh_from_db()
    sha = edition.cover_sha256
    stem = f"covers/{sha[:2]}/{sha}"
    return sorted([f"{stem}.jpg", f"{stem}-m.webp", f"{stem}-s.webp"])


def coraline(isbn13: str = "9780060557812") -> Edition:
    return make_edition(make_work("Coraline", authors=["Neil Gaiman"]), isbn13=isbn13)


@pytest.mark.usefixtures("cover_host")
def test_a_replaced_cover_is_kept_for_its_revert_and_the_reverted_one_is_deleted(
    stored_names, reviewer, django_capture_on_commit_callbacks
):
    edition = coraline()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_with_cover(edition, 1)
    first = files_of(edition)
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_replaces_cover(edition, 2, reviewer=reviewer)
    second = files_of(edition)
    assert first != second
    # "Revert these changes" puts the first cover back by name: its files must stay.
    assert stored_names() == sorted(first + second)

    entry = AuditLogEntry.objects.filter(action="cover").latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        result = revert.audit_revert(entry=entry, actor=reviewer)
    assert "cover" in result.reverted
    assert files_of(edition) == first
    assert stored_names() == first  # the cover taken off was used by nothing else


@pytest.mark.usefixtures("cover_host")
def test_a_file_another_book_shows_is_never_deleted(
    stored_names, reviewer, django_capture_on_commit_callbacks
):
    shown_twice, other = coraline("9780060557812"), coraline("9780380807345")
    with django_capture_on_commit_callbacks(execute=True):
        proposal_with_cover(shown_twice, 1)
        proposal_with_cover(other, 1)  # the same image: one set of files for both books
    shared = files_of(shown_twice)
    assert files_of(other) == shared and stored_names() == shared

    entry = AuditLogEntry.objects.filter(action="cover", edition=shown_twice).get()
    with django_capture_on_commit_callbacks(execute=True):
        revert.audit_revert(entry=entry, actor=reviewer)
    shown_twice.refresh_from_db()
    assert not shown_twice.cover
    assert stored_names() == shared  # the other book still shows it

    with django_capture_on_commit_callbacks(execute=True):
        other.work.delete()
    assert stored_names() == []


@pytest.mark.usefixtures("cover_host")
def test_deleting_a_work_deletes_its_covers_files_on_commit_only(
    stored_names, django_capture_on_commit_callbacks
):
    edition = coraline()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_with_cover(edition, 3)
    kept = files_of(edition)
    # Deleted, then rolled back: the callbacks go with the change, nothing is deleted.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Work.objects.filter(pk=edition.work_id).delete()
        raise RuntimeError("synthetic: the change is rolled back")
    assert callbacks == [] and Work.objects.filter(pk=edition.work_id).exists()
    assert stored_names() == kept
    # Committed: the work, its edition and their audit entries are gone, and so are the files.
    with django_capture_on_commit_callbacks(execute=True):
        Work.objects.filter(pk=edition.work_id).delete()
    assert stored_names() == []


@pytest.mark.usefixtures("cover_host")
def test_the_cover_a_replacement_took_off_stays_while_its_entry_can_be_reverted(
    stored_names, reviewer, django_capture_on_commit_callbacks
):
    """The cover a reviewer's replacement took off is still used: its entry can be reverted."""
    edition = coraline()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_with_cover(edition, 1)
        old_sha = Edition.objects.get(pk=edition.pk).cover_sha256
        reviewer_replaces_cover(edition, 2, reviewer=reviewer)
    assert cleanup.cover_sha256s_in_use([old_sha]) == {old_sha}
    assert cleanup.cover_files_delete_unused(sha256s=[old_sha]) == set()
    assert len(stored_names()) == 6


@pytest.mark.usefixtures("cover_host")
def test_a_storage_that_fails_to_delete_leaves_the_revert_done(
    reviewer, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    edition = coraline()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_with_cover(edition, 1)
    entry = AuditLogEntry.objects.filter(action="cover").get()

    def storage_down(name):
        raise OSError("synthetic: the storage is unreachable")

    monkeypatch.setattr(storages["default"], "delete", storage_down)
    with django_capture_on_commit_callbacks(execute=True):
        result = revert.audit_revert(entry=entry, actor=reviewer)
    assert "cover" in result.reverted
    edition.refresh_from_db()
    assert not edition.cover
    assert "Could not delete the files of 1 unused covers" in caplog.text
