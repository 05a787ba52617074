"""Where uploaded exports are kept: a storage of their own that nothing serves.

An export is a person's reading list (personal data) and an upload we did not write: it must
never sit under MEDIA_URL, where covers are served to anyone. `settings.STORAGES["imports"]` is
a directory outside MEDIA_ROOT (a startup check refuses one inside it) or a private S3 prefix,
files get random names without the uploader's extension, and the only way back out is the
permission-checked download view, as an attachment.

No model imports here: the storage is built while catalog.models loads.
"""

import uuid
from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from bookstore.file_storage import AtomicFileSystemStorage

IMPORT_STORAGE_ALIAS = "imports"


class PrivateFileSystemStorage(AtomicFileSystemStorage):
    """A FileSystemStorage without URLs (Django's would fall back to MEDIA_URL), whose files
    only the application's own user can read (and, as the covers', whole or not at all)."""

    def __init__(
        self,
        *,
        file_permissions_mode: int = 0o600,
        directory_permissions_mode: int = 0o700,
        **kw: Any,
    ) -> None:
        # Keyword-only, as STORAGES passes its OPTIONS: a positional mode would be given twice.
        super().__init__(
            file_permissions_mode=file_permissions_mode,
            directory_permissions_mode=directory_permissions_mode,
            **kw,
        )

    def url(self, name):
        raise ValueError("Uploaded exports have no URL: they are served by the download view.")


class _ImportStorage(LazyObject):
    # Looked up on first use, not when the model loads, and again after STORAGES changes.
    _wrapped: Storage | object  # `empty` until then

    def _setup(self) -> None:
        self._wrapped = storages[IMPORT_STORAGE_ALIAS]


_import_storage = _ImportStorage()


def import_storage():
    """The storage of ImportJob.source_file (a callable, so migrations do not freeze it)."""
    return _import_storage


@receiver(setting_changed)
def _forget_import_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _import_storage._wrapped = empty


def import_file_name(instance, filename: str) -> str:
    """`YYYY/MM/<random hex>`: nothing of the uploader's name or extension reaches the disk."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
