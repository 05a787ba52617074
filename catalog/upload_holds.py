"""An upload waiting for its column map (the import form's mapping step).

Between the upload and the librarian's confirmation nothing is imported and no job exists: the
file waits in the private import storage (catalog/storage.py: never under MEDIA_ROOT, never
served) under a random name, and the mapping form carries only a signed token naming it, bound
to the uploader and valid for HOLD_MAX_AGE. Confirming, cancelling or the daily purge deletes it.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services.import_stops import ImportStorageFailed
from catalog.storage import import_storage

logger = logging.getLogger(__name__)

HOLD_DIRECTORY = "held"
HOLD_MAX_AGE = datetime.timedelta(hours=24)
_SALT = "catalog.upload_holds"


class UploadHoldGone(Exception):
    """The token is forged, someone else's, expired, or its file was deleted."""


@dataclass(frozen=True, slots=True)
class HeldUpload:
    token: str
    name: str  # in the import storage
    filename: str  # as the uploader named it (shown, never used as a path)
    enrich: bool


def upload_hold(*, data: bytes, filename: str, user, enrich: bool) -> HeldUpload:
    """Keep an upload privately until its columns are mapped; returns it with its token (raises
    ImportStorageFailed when the storage fails to keep it)."""
    try:
        name = import_storage().save(f"{HOLD_DIRECTORY}/{uuid.uuid4().hex}", ContentFile(data))
    except Exception as exc:  # whatever the storage raises (botocore, OSError)
        logger.error("The storage failed to hold an uploaded file: %s", exc, exc_info=True)
        raise ImportStorageFailed(storing=True) from exc
    payload = {"name": name, "filename": filename[:255], "user": user.pk, "enrich": enrich}
    token = signing.dumps(payload, salt=_SALT)
    return HeldUpload(token=token, name=name, filename=payload["filename"], enrich=enrich)


def upload_held(*, token: str, user) -> tuple[HeldUpload, bytes]:
    """The held upload a token names, and its bytes, for the user who uploaded it (raises
    UploadHoldGone, or ImportStorageFailed when the storage fails to open it)."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=HOLD_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise UploadHoldGone(_("This upload has expired; upload the file again.")) from exc
    name = payload.get("name", "")
    if payload.get("user") != user.pk or not name.startswith(f"{HOLD_DIRECTORY}/"):
        raise UploadHoldGone(_("This upload is not yours; upload the file again."))
    try:
        with import_storage().open(name, "rb") as held:
            data = held.read()
    except FileNotFoundError as exc:
        raise UploadHoldGone(_("This upload has expired; upload the file again.")) from exc
    except Exception as exc:  # whatever the storage raises (botocore, OSError)
        logger.error("The storage failed to open a held upload: %s", exc, exc_info=True)
        raise ImportStorageFailed(storing=False) from exc
    held_upload = HeldUpload(
        token=token, name=name, filename=payload["filename"], enrich=payload["enrich"]
    )
    return held_upload, data


def upload_release(*, held: HeldUpload) -> None:
    import_storage().delete(held.name)


def upload_holds_purge(*, max_age: datetime.timedelta = HOLD_MAX_AGE) -> int:
    """Delete the held uploads nobody confirmed in time (the daily schedule)."""
    storage = import_storage()
    try:
        _directories, names = storage.listdir(HOLD_DIRECTORY)
    except FileNotFoundError:
        return 0
    deadline = timezone.now() - max_age
    purged = 0
    for name in names:
        path = f"{HOLD_DIRECTORY}/{name}"
        try:
            modified = storage.get_modified_time(path)
        except Exception:
            # Confirmed or cancelled since the listing (a filesystem says FileNotFoundError, a
            # bucket its own error): gone, nothing to purge; any other failure stops the purge.
            if storage.exists(path):
                raise
            continue
        if modified < deadline:
            storage.delete(path)
            purged += 1
    return purged
