"""store_cover / assign_cover: content-hash files through the default storage, cover fields set."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone
from PIL import Image

from enrichment.covers import (
    assign_cover,
    medium_thumbnail_url,
    store_cover,
    verify_cover,
)
from tests.factories import make_edition, make_work
from tests.fixtures.covers import synthetic
from tests.s3_emulator import ACCESS_KEY, REGION
from tests.s3_emulator import SECRET_KEY as EMULATOR_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
JPEG = synthetic.read("synthetic-cover-400x600.jpg")
OL_URL = "https://covers.openlibrary.org/b/id/240727-L.jpg"


def open_stored(name: str, storage=None) -> Image.Image:
    storage = storage or storages["default"]
    with storage.open(name) as stored:
        image = Image.open(BytesIO(stored.read()))
        image.load()
    return image


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_stores_the_original_and_two_webp_thumbnails_under_content_hash_names():
    image = verify_cover(JPEG)
    stored = store_cover(image)
    sha = image.sha256
    assert stored.original_name == f"covers/{sha[:2]}/{sha}.jpg"
    assert stored.small_name == f"covers/{sha[:2]}/{sha}-s.webp"
    assert stored.medium_name == f"covers/{sha[:2]}/{sha}-m.webp"
    assert (stored.width, stored.height, stored.sha256) == (400, 600, sha)
    assert (stored.stored_format, stored.source_format) == ("JPEG", "JPEG")
    assert stored.source_byte_size == len(JPEG)
    original = open_stored(stored.original_name)
    assert (original.format, original.size) == ("JPEG", (400, 600))
    small, medium = open_stored(stored.small_name), open_stored(stored.medium_name)
    assert (small.format, small.size) == ("WEBP", (80, 120))
    assert (medium.format, medium.size) == ("WEBP", (300, 450))


def test_the_stored_original_is_upright_and_carries_no_metadata():
    source = synthetic.read("synthetic-exif-orientation-6.jpg")
    assert b"Synthetic Camera" in source
    stored = store_cover(verify_cover(source))
    original = open_stored(stored.original_name)
    assert original.size == (200, 300)
    red, green, blue = original.getpixel((100, 5))  # the band that is on top when displayed
    assert red > 200 and green < 60 and blue < 60
    assert not original.getexif() and "icc_profile" not in original.info
    with storages["default"].open(stored.original_name) as file:
        assert b"Synthetic Camera" not in file.read()
    assert open_stored(stored.medium_name).size == (200, 300)


def test_a_png_saved_as_jpg_is_stored_as_a_png():
    stored = store_cover(verify_cover(synthetic.read("synthetic-png-named-as.jpg")))
    assert stored.original_name.endswith(".png") and stored.stored_format == "PNG"
    assert open_stored(stored.original_name).format == "PNG"


def test_a_transparent_png_keeps_its_transparency():
    picture = synthetic.cover_image(300, 450, noise=False).convert("RGBA")
    picture.putalpha(Image.linear_gradient("L").resize((300, 450)))
    stored = store_cover(verify_cover(synthetic.encode(picture, "PNG")))
    assert open_stored(stored.original_name).mode == "RGBA"
    assert open_stored(stored.medium_name).mode == "RGBA"


def test_a_gif_is_stored_as_a_png_of_its_first_frame():
    frames = [synthetic.cover_image(300, 450, seed=seed, noise=False) for seed in (1, 2)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    stored = store_cover(verify_cover(buffer.getvalue()))
    assert (stored.source_format, stored.stored_format) == ("GIF", "PNG")
    assert open_stored(stored.original_name).size == (300, 450)


@pytest.mark.django_db
def test_the_same_image_for_two_books_is_stored_once(settings):
    first_book, second_book = make_edition(), make_edition()
    first = store_cover(verify_cover(JPEG))
    assign_cover(first_book, first, source="openlibrary", source_url=OL_URL)
    second = store_cover(verify_cover(JPEG))
    assign_cover(
        second_book, second, source="google_books", source_url="https://books.google.com/x"
    )
    assert len(first.written) == 3 and second.written == ()
    first_book.refresh_from_db()
    second_book.refresh_from_db()
    assert first_book.cover.name == second_book.cover.name == first.original_name
    assert stored_files(Path(settings.MEDIA_ROOT)) == sorted(
        [first.original_name, first.small_name, first.medium_name]
    )


def test_a_name_stored_by_another_worker_meanwhile_is_not_duplicated(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "covers-store")
    image = verify_cover(JPEG)
    store_cover(image, storage=storage)
    # Another worker wrote the same names between our exists() check and our save().
    checked, really_exists = set(), storage.exists

    def exists_but_stale_at_first(name):
        if name not in checked:
            checked.add(name)
            return False
        return really_exists(name)

    monkeypatch.setattr(storage, "exists", exists_but_stale_at_first)
    again = store_cover(image, storage=storage)
    assert again.written == ()
    assert stored_files(tmp_path / "covers-store") == sorted(
        [again.original_name, again.small_name, again.medium_name]
    )


@pytest.mark.django_db
def test_assign_cover_sets_the_cover_fields_and_saves_only_them():
    edition = make_edition(title="The Dispossessed")
    stored = store_cover(verify_cover(JPEG))
    edition.title = "an unsaved edit"
    assign_cover(edition, stored, source="openlibrary", source_url=OL_URL)
    edition.refresh_from_db()
    assert edition.title == "The Dispossessed"
    assert edition.has_cover
    assert edition.cover.name == stored.original_name
    assert edition.cover_thumbnail.name == stored.small_name
    assert (edition.cover_source, edition.cover_source_url) == ("openlibrary", OL_URL)
    assert (edition.cover_sha256, edition.cover_width, edition.cover_height) == (
        stored.sha256,
        400,
        600,
    )
    assert timezone.now() - edition.cover_verified_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_a_work_gets_a_cover_and_its_list_thumbnail():
    work = make_work()
    stored = store_cover(verify_cover(JPEG))
    assign_cover(
        work, stored, source="archive_org", source_url="https://archive.org/services/img/x"
    )
    work.refresh_from_db()
    assert work.display_thumbnail.name == stored.small_name
    assert work.cover_source == "archive_org"


@pytest.mark.django_db
def test_medium_thumbnail_url_is_derived_from_the_cover_hash():
    work = make_work()
    assert medium_thumbnail_url(work) == ""
    stored = store_cover(verify_cover(JPEG))
    assign_cover(work, stored, source="openlibrary", source_url=OL_URL)
    sha = stored.sha256
    assert medium_thumbnail_url(work) == f"/media/covers/{sha[:2]}/{sha}-m.webp"


S3_PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
from enrichment.covers import store_cover, verify_cover
from tests.fixtures.covers import synthetic
stored = store_cover(verify_cover(synthetic.read("synthetic-cover-400x600.jpg")))
storage = storages["default"]
print(json.dumps({"class": type(storage).__name__, "bucket": storage.bucket_name,
                  "location": storage.location, "sha256": stored.sha256}))
"""


@pytest.mark.slow  # a fresh interpreter
def test_storage_backend_s3_from_the_environment_stores_covers_in_the_bucket(s3_emulator):
    """bookstore/settings.py itself, from the environment, against the S3 emulator."""
    bucket = s3_emulator.new_bucket()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "STORAGE_BACKEND", "AWS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bookstore.settings",
        SECRET_KEY=os.environ["SECRET_KEY"],
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=s3_emulator.endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_LOCATION="prod",
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=EMULATOR_SECRET_KEY,
    )
    result = subprocess.run(
        [sys.executable, "-c", S3_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    sha = probe["sha256"]
    assert (probe["class"], probe["bucket"], probe["location"]) == ("S3Storage", bucket, "prod")
    assert s3_emulator.keys(bucket) == sorted(
        [
            f"prod/covers/{sha[:2]}/{sha}.jpg",
            f"prod/covers/{sha[:2]}/{sha}-s.webp",
            f"prod/covers/{sha[:2]}/{sha}-m.webp",
        ]
    )
