from typing import Any, NamedTuple

import pytest
from django.contrib.auth.models import Group, User

from tests.s3_emulator import s3_bucket, s3_emulator  # noqa: F401 (fixtures: the S3 emulator)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Files written by a test land in its own temp dir, never in the project's media/ or
    private/ (uploaded exports)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "bookstore.file_storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
        "imports": {
            "BACKEND": "catalog.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-imports")},
        },
    }


class SentTask(NamedTuple):
    """One task handed to bookstore.task_queue.enqueue: its dotted path and arguments."""

    func: str
    args: tuple
    kwargs: dict[str, Any]


@pytest.fixture
def sent_tasks(monkeypatch) -> list[SentTask]:
    """Record what would be queued for django-q2 instead of queuing it: the test plays the
    worker. The one seam every caller goes through, so this is the one name to replace."""
    sent: list[SentTask] = []
    monkeypatch.setattr(
        "bookstore.task_queue.enqueue",
        lambda func, *args, **kwargs: sent.append(SentTask(func, args, kwargs)),
    )
    return sent


@pytest.fixture
def stored_upload_bytes(monkeypatch) -> list[int]:
    """The size of each chunk of an upload that Django's own handlers kept (in memory or in a
    temporary file): a test of a size stop sees what was received past it."""
    from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

    stored: list[int] = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):

        def receive(self, raw, start, keep=handler.receive_data_chunk):
            # The memory handler passes a file it does not keep (a large one) to the next.
            if getattr(self, "activated", True):
                stored.append(len(raw))
            return keep(self, raw, start)

        monkeypatch.setattr(handler, "receive_data_chunk", receive)
    return stored


@pytest.fixture
def librarian(client):
    """A staff user in the Librarian group (the migrations' permissions), logged in on
    `client`. Modules that build librarians of their own name theirs otherwise or call it."""
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    client.force_login(user)
    return user
