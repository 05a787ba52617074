"""A full disk under the filesystem storage (bookstore.file_storage): a save that fails part-way
leaves no half file, so a cover tried again once there is room is stored whole, and a refused
upload leaves nothing of the export behind.

The full disk is the operating system's answer past a number of free bytes (ENOSPC from a
write, as a full tmpfs gives it: a real one needs root to mount)."""

import errno
import os
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image

from bookstore.file_storage import AtomicFileSystemStorage
from catalog import services
from catalog.models import ImportJob
from catalog.services.import_stops import ImportStorageFailed
from enrichment.covers import store_cover, verify_cover
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
REAL_FDOPEN = os.fdopen


class FullDisk:
    """A disk with `free` bytes left for the files the storage writes; past them a write fails
    with ENOSPC after writing what fitted, as the kernel's does."""

    def __init__(self, monkeypatch, free: int):
        self.free = free
        monkeypatch.setattr(os, "fdopen", self.fdopen)

    def fdopen(self, fd, *args, **kwargs):
        return _Limited(REAL_FDOPEN(fd, *args, **kwargs), self)


class _Limited:
    def __init__(self, file, disk: FullDisk):
        self.file, self.disk = file, disk

    def write(self, data):
        fits = data[: max(self.disk.free, 0)]
        self.file.write(fits)
        self.disk.free -= len(fits)
        if len(fits) < len(data):
            self.file.flush()  # what fitted is on the disk, as a real full disk leaves it
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return len(data)

    def __getattr__(self, name):
        return getattr(self.file, name)


def files_under(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in root.rglob("*")
        if path.is_file()
    }


def cover_sizes(tmp_path) -> tuple[int, int, int]:
    """The sizes of the three files of the test's cover (original, small, medium), as stored."""
    scratch = AtomicFileSystemStorage(location=str(tmp_path / "scratch"))
    stored = store_cover(verify_cover(JPEG), storage=scratch)
    names = (stored.original_name, stored.small_name, stored.medium_name)
    return tuple(scratch.size(name) for name in names)  # type: ignore[return-value]


def open_image(name: str) -> Image.Image:
    with storages["default"].open(name) as stored:
        image = Image.open(BytesIO(stored.read()))
        image.load()
    return image


@pytest.mark.parametrize("fills_in", ["original", "medium thumbnail"])
def test_a_cover_the_full_disk_cut_short_is_stored_whole_once_there_is_room(
    monkeypatch, tmp_path, fills_in
):
    original, small, medium = cover_sizes(tmp_path)
    free = original // 2 if fills_in == "original" else original + small + medium // 2
    disk = FullDisk(monkeypatch, free)
    image = verify_cover(JPEG)
    with pytest.raises(OSError) as failed:
        store_cover(image)
    assert failed.value.errno == errno.ENOSPC
    media = tmp_path / "media"
    assert files_under(media) == {}  # nothing half-written is left under a cover's name

    disk.free = 10**9  # room again: the next try
    stored = store_cover(image)
    assert set(stored.written) == {
        stored.original_name,
        stored.small_name,
        stored.medium_name,
    }
    assert open_image(stored.original_name).size == (400, 600)
    assert open_image(stored.small_name).size == (80, 120)
    assert open_image(stored.medium_name).size == (300, 450)
    assert sorted(files_under(media).values()) == sorted([original, small, medium])


@pytest.mark.django_db
def test_an_upload_the_full_disk_refused_leaves_nothing_of_the_export_behind(monkeypatch, tmp_path):
    FullDisk(monkeypatch, free=100)
    with pytest.raises(ImportStorageFailed):
        services.import_job_create(
            data=synthetic_goodreads_file(50), filename="synthetic-export.csv", enrich=False
        )
    assert not ImportJob.objects.exists()
    # Not even the first 100 bytes of a reading list, under a name no job knows (never purged).
    assert files_under(tmp_path / "private-imports") == {}


def test_a_whole_file_keeps_its_name_its_mode_and_never_replaces_another(tmp_path):
    storage = AtomicFileSystemStorage(location=str(tmp_path), file_permissions_mode=0o640)
    first = storage.save("covers/ab/one.jpg", ContentFile(b"first"))
    second = storage.save("covers/ab/one.jpg", ContentFile(b"second"))
    assert first == "covers/ab/one.jpg"
    assert second != first and second.startswith("covers/ab/one")
    with storage.open(first) as kept:
        assert kept.read() == b"first"
    assert (tmp_path / first).stat().st_mode & 0o777 == 0o640
    assert sorted(files_under(tmp_path)) == sorted([first, second])  # no hidden file left


def test_a_filesystem_without_hard_links_still_stores_the_file(monkeypatch, tmp_path):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    storage = AtomicFileSystemStorage(location=str(tmp_path))
    assert storage.save("a/b.txt", ContentFile(b"whole")) == "a/b.txt"
    assert storage.save("a/b.txt", ContentFile(b"other")) != "a/b.txt"
    with storage.open("a/b.txt") as kept:
        assert kept.read() == b"whole"
    assert len(files_under(tmp_path)) == 2


def test_a_storage_allowed_to_overwrite_replaces_the_file_whole(tmp_path):
    storage = AtomicFileSystemStorage(location=str(tmp_path), allow_overwrite=True)
    storage.save("a.txt", ContentFile(b"first"))
    assert storage.save("a.txt", ContentFile(b"second")) == "a.txt"
    with storage.open("a.txt") as kept:
        assert kept.read() == b"second"
    assert list(files_under(tmp_path)) == ["a.txt"]
