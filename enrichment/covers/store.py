"""Write verified covers through the default storage and put them on an edition or work.

Files are named by the SHA-256 of the fetched bytes, so the same image is stored once whichever
book uses it: covers/ab/<sha256>.jpg (or .png), <sha256>-s.webp and <sha256>-m.webp.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone
from django.utils.translation import gettext_lazy

from enrichment.covers.render import render_original, render_thumbnails, stored_format
from enrichment.covers.verify import VerifiedImage

logger = logging.getLogger(__name__)

#: `cover_source` of an image a librarian uploaded (unless they named its source), and its label.
UPLOADED_BY_HAND = "upload"
UPLOADED_BY_HAND_LABEL = gettext_lazy("Uploaded by hand")

COVER_DIRECTORY = "covers"
#: The Content-Type of each stored format (the original is JPEG or PNG, thumbnails WebP).
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: The fields an image slot is stored in: "cover" (works, editions) or "photo" (authors).
IMAGE_FIELD_SUFFIXES = (
    "",
    "_thumbnail",
    "_source",
    "_source_url",
    "_sha256",
    "_width",
    "_height",
    "_verified_at",
)


def image_fields(slot: str = "cover") -> list[str]:
    return [f"{slot}{suffix}" for suffix in IMAGE_FIELD_SUFFIXES]


ASSIGNED_FIELDS = tuple(image_fields("cover"))
#: What an author's photo records beside the image: the licence its source states.
PHOTO_LICENCE_FIELDS = ("photo_licence", "photo_licence_url", "photo_artist")


def photo_licence_values(target, *, licence: str, licence_url: str, artist: str) -> dict:
    """The photo licence fields of `target` for these values: text cut to its column, a URL
    too long for it dropped (a cut URL would point elsewhere)."""
    values = dict(zip(PHOTO_LICENCE_FIELDS, (licence, licence_url, artist), strict=True))
    for name, value in values.items():
        max_length = target._meta.get_field(name).max_length
        if len(value) > max_length:
            values[name] = "" if name.endswith("_url") else value[:max_length]
    return values


@dataclass(frozen=True, slots=True)
class CoverNames:
    original: str
    small: str
    medium: str


@dataclass(frozen=True, slots=True)
class StoredCover:
    original_name: str
    small_name: str  # WebP, about 80 px wide
    medium_name: str  # WebP, about 300 px wide
    sha256: str  # of the fetched bytes
    width: int  # as displayed
    height: int
    stored_format: str  # of the stored original: "JPEG" or "PNG"
    source_format: str  # of the fetched bytes: "JPEG", "PNG", "WEBP" or "GIF"
    source_byte_size: int
    written: tuple[str, ...] = ()  # the names this call wrote (empty: all were stored before)


def cover_names(sha256: str, *, original_extension: str = ".jpg") -> CoverNames:
    stem = f"{COVER_DIRECTORY}/{sha256[:2]}/{sha256}"
    return CoverNames(
        original=f"{stem}{original_extension}", small=f"{stem}-s.webp", medium=f"{stem}-m.webp"
    )


def stored_sha256(name: str) -> str:
    """The hash a stored cover's name carries ("" for a file not named by its hash, such as a
    librarian's own upload)."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem if len(stem) == 64 and all(c in "0123456789abcdef" for c in stem) else ""


def small_thumbnail_name(name: str) -> str:
    """The small WebP stored beside a cover named by its hash ("" for any other file)."""
    return f"{name.rsplit('.', 1)[0]}-s.webp" if stored_sha256(name) else ""


def store_cover(image: VerifiedImage, *, storage: Storage | None = None) -> StoredCover:
    """Store the cleaned original and its thumbnails, unless this image was stored before.

    The three files are written in order, the medium thumbnail last: when it is there, all of
    them are, so an image stored before costs one existence check (one HEAD request on S3).
    """
    storage = storages["default"] if storage is None else storage
    image_format, extension = stored_format(image)
    names = cover_names(image.sha256, original_extension=extension)
    written: list[str] = []
    if not storage.exists(names.medium):
        thumbnails = render_thumbnails(image)
        files = (
            (names.original, render_original(image), CONTENT_TYPES[image_format]),
            (names.small, thumbnails.small, CONTENT_TYPES["WEBP"]),
            (names.medium, thumbnails.medium, CONTENT_TYPES["WEBP"]),
        )
        try:
            for name, data, kind in files:
                if _save_once(storage, name, data, kind):
                    written.append(name)
        except Exception:
            # A partial save: no row can hold an image without its medium thumbnail (written
            # last), so what this call wrote would be left to no one; the next try writes all.
            stored_files_delete(written, storage=storage)
            raise
    return StoredCover(
        original_name=names.original,
        small_name=names.small,
        medium_name=names.medium,
        sha256=image.sha256,
        width=image.width,
        height=image.height,
        stored_format=image_format,
        source_format=image.format,
        source_byte_size=image.byte_size,
        written=tuple(written),
    )


def assign_cover(
    target,
    stored: StoredCover,
    *,
    source: str,
    source_url: str,
    slot: str = "cover",
    extra: dict[str, str] | None = None,
) -> None:
    """Make a stored image the cover of an Edition or Work (or, `slot="photo"`, the portrait of
    an Author), saving only its fields (and `extra` ones, e.g. a photo's licence)."""
    values = set_stored_image(target, stored, source=source, source_url=source_url, slot=slot)
    for name, value in (extra or {}).items():
        setattr(target, name, value)
    target.save(update_fields=[*values, *(extra or {}), "updated_at"])


def set_stored_image(
    target, stored: StoredCover, *, source: str, source_url: str, slot: str = "cover"
) -> dict:
    """Set the fields that make a stored image the target's cover (or photo), checked now,
    without saving (the caller saves); returns them."""
    max_url = target._meta.get_field(f"{slot}_source_url").max_length
    values = {
        slot: stored.original_name,
        f"{slot}_thumbnail": stored.small_name,
        f"{slot}_source": source,
        # A cut URL would point elsewhere: keep none rather than a wrong one.
        f"{slot}_source_url": source_url if len(source_url) <= max_url else "",
        f"{slot}_sha256": stored.sha256,
        f"{slot}_width": stored.width,
        f"{slot}_height": stored.height,
        f"{slot}_verified_at": timezone.now(),
    }
    for name, value in values.items():
        setattr(target, name, value)
    return values


def medium_thumbnail_url(target, *, storage: Storage | None = None, slot: str = "cover") -> str:
    """The medium thumbnail's URL, derived from the image's hash ("" without one)."""
    sha256 = getattr(target, f"{slot}_sha256")
    if not sha256:
        return ""
    storage = storages["default"] if storage is None else storage
    return storage.url(cover_names(sha256).medium)


def stored_files_delete(names: Iterable[str], *, storage: Storage | None = None) -> None:
    """Delete these stored files, as far as the storage lets us: called after a failure, whose
    error is the one to report (a file left is unused, never missing)."""
    storage = storages["default"] if storage is None else storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete the unused cover file %s", name, exc_info=True)


def _save_once(storage: Storage, name: str, data: bytes, content_type: str) -> bool:
    """Save under exactly `name`; False when another worker stored it first."""
    content = ContentFile(data)
    # Read by S3 storages as the object's Content-Type, whatever the platform's mimetypes say.
    content.content_type = content_type  # type: ignore[attr-defined]
    saved = storage.save(name, content)
    if saved != name:
        # The name appeared between exists() and save() and the storage picked another one:
        # same hash, same bytes, so keep the first and drop ours.
        storage.delete(saved)
        return False
    return True
