import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Files written by a test land in its own temp dir, never in the project's media/ or
    private/ (uploaded exports)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
        "imports": {
            "BACKEND": "catalog.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-imports")},
        },
    }
