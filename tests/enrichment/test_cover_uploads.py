"""A cover a librarian uploads on a work or an edition page is checked as a downloaded one is
and stored the same way (by its hash, with thumbnails); a refused image is a form error that
says why, and nothing is saved; the files of a cover it replaces go once nothing uses them.
Through the admin pages, as a librarian uses them. The images are SYNTHETIC (Pillow-drawn,
tests/fixtures/covers/synthetic.py)."""

import hashlib
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from catalog.models import Edition, Work
from enrichment.covers.store import cover_names
from enrichment.models import AuditLogEntry, CoverWrite
from tests.catalog.test_import_files_s3 import refusing_s3
from tests.enrichment.test_covers_verify import animated_png
from tests.enrichment.test_work_page import change_form_data
from tests.factories import make_edition, make_work
from tests.fixtures.covers import synthetic

pytestmark = pytest.mark.django_db


def upload(client, obj, data: bytes, *, name="my-scan.jpg", **fields):
    """Post the object's change form as the browser would, with this file as its cover."""
    kind = "work" if isinstance(obj, Work) else "edition"
    url = reverse(f"admin:catalog_{kind}_change", args=[obj.pk])
    form = change_form_data(client.get(url))
    form.update(fields)
    form["cover"] = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(url, form)


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize("kind", ["work", "edition"])
def test_an_uploaded_cover_is_checked_and_stored_by_its_hash_with_thumbnails(
    client, librarian, kind
):
    work = make_work("Hand made")
    obj = work if kind == "work" else make_edition(work)
    image = synthetic.cover_jpeg(360, 540, seed=3)
    assert upload(client, obj, image).status_code == 302
    obj.refresh_from_db()

    sha256 = hashlib.sha256(image).hexdigest()
    names = cover_names(sha256)
    assert (obj.cover.name, obj.cover_thumbnail.name) == (names.original, names.small)
    assert (obj.cover_sha256, obj.cover_width, obj.cover_height) == (sha256, 360, 540)
    assert obj.cover_verified_at is not None and obj.cover_source == "upload"
    storage = storages["default"]
    assert all(storage.exists(name) for name in (names.original, names.small, names.medium))
    assert not [name for name in media_files() if "my-scan" in name]  # the upload itself: not kept
    # The works list shows the small thumbnail, never the full image.
    listed = client.get(reverse("admin:catalog_work_changelist")).content.decode()
    assert storage.url(names.small) in listed and storage.url(names.original) not in listed


def test_a_source_the_librarian_names_is_kept(client, librarian):
    work = make_work("Scanned")
    upload(client, work, synthetic.cover_jpeg(seed=4), cover_source="my scanner")
    work.refresh_from_db()
    assert work.cover_source == "my scanner" and work.cover_verified_at is not None


@pytest.mark.parametrize(
    ("image", "says"),
    [
        (synthetic.cover_jpeg(30, 45, seed=5), "it is too small (30x45, under 50 px a side)"),
        (synthetic.uniform_jpeg(), "it is one flat colour"),
        (synthetic.cover_jpeg(seed=6)[:-4000], "the file is cut short"),
        (synthetic.decompression_bomb_png(8_000, 8_000), "it has too many pixels"),
        (
            animated_png(6_000),
            "it is an animation of thousands of frames (an animated PNG of at least 5,000 "
            "frames: a cover is one still picture",
        ),
    ],
    ids=["tiny", "uniform", "truncated", "decompression-bomb", "animation"],
)
def test_an_image_that_cannot_be_a_cover_is_refused_with_the_reason(client, librarian, image, says):
    work = make_work("Refused")
    response = upload(client, work, image)
    assert response.status_code == 200  # the form again, with its error
    assert f"This image cannot be a cover: {says}" in response.content.decode()
    work.refresh_from_db()
    assert not work.cover and not work.cover_sha256
    assert media_files() == set()


def test_an_image_over_the_byte_cap_is_refused(client, librarian, settings):
    settings.COVER_MAX_BYTES = 10_000
    work = make_work("Heavy")
    response = upload(client, work, synthetic.cover_jpeg(seed=7, quality=95))
    assert "This image is larger than" in response.content.decode()
    work.refresh_from_db()
    assert not work.cover


def test_a_huge_upload_stops_being_read_at_the_upload_ceiling(
    client, librarian, settings, stored_upload_bytes
):
    """A file far over any cap was received whole into a temporary file (gigabytes of disk)
    before the form refused it; reading now stops past the largest upload the product takes."""
    settings.COVER_MAX_BYTES = 10_000
    settings.IMPORT_MAX_UPLOAD_BYTES = 20_000
    work = make_work("Heavy")
    huge = synthetic.cover_jpeg(seed=8) + b"\0" * 3_000_000

    response = upload(client, work, huge, title="Changed meanwhile")

    assert response.status_code == 400  # Django's answer to a request over its limits
    assert sum(stored_upload_bytes) <= 20_000  # not the 3 MB
    work.refresh_from_db()
    assert (work.title, work.cover.name) == ("Heavy", "")
    assert media_files() == set()


def test_the_files_of_a_replaced_upload_go_unless_another_book_shows_them(
    client, librarian, django_capture_on_commit_callbacks
):
    first, second = synthetic.cover_jpeg(seed=8), synthetic.cover_jpeg(seed=9)
    work, other = make_work("Replaced"), make_work("Shares the first")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, work, first)
        upload(client, other, first)  # the same bytes: the same files
    first_files = set(media_files())
    assert len(first_files) == 3

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, work, second)
    assert first_files <= media_files()  # still shown by the other work

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, other, second)
    assert not first_files & media_files()  # nothing shows them any more: deleted
    assert Edition.objects.count() == 0 and len(media_files()) == 3


def test_clearing_an_uploaded_cover_deletes_its_files(
    client, librarian, django_capture_on_commit_callbacks
):
    work = make_work("Cleared")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, work, synthetic.cover_jpeg(seed=10))
    assert len(media_files()) == 3
    url = reverse("admin:catalog_work_change", args=[work.pk])
    form = change_form_data(client.get(url))
    form["cover-clear"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    work.refresh_from_db()
    assert not work.cover and not work.cover_sha256 and work.cover_verified_at is None
    assert media_files() == set()


def test_the_dashboard_counts_uploaded_covers_under_their_own_name(client, librarian):
    from enrichment.dashboard import dashboard_snapshot_refresh

    upload(client, make_work("Uploaded"), synthetic.cover_jpeg(seed=11))
    dashboard_snapshot_refresh()
    html = client.get(reverse("admin:enrichment_dashboard")).content.decode()
    works_url = reverse("admin:catalog_work_changelist")
    assert f'<a href="{works_url}?cover_source=upload">Uploaded by hand</a>' in html


def cover_source_input(client, obj) -> tuple[str, list[str]]:
    """The value the page's Source input shows, and the sources it suggests."""
    kind = "work" if isinstance(obj, Work) else "edition"
    page = client.get(reverse(f"admin:catalog_{kind}_change", args=[obj.pk])).content.decode()
    tag = re.search(r'<input[^>]*name="cover_source"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    suggested = page.split('<datalist id="id_cover_source-options">', 1)[1].split("</datalist>")[0]
    return (
        html.unescape(value.group(1)) if value else "",
        [html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', suggested)],
    )


def test_a_covers_source_reads_as_its_label_and_is_stored_as_its_key(client, librarian):
    """The edition page showed "openlibrary", the key enrichment stores."""
    edition = make_edition(make_work("Fetched"), cover_source="openlibrary")
    value, suggested = cover_source_input(client, edition)
    assert value == "Open Library"
    assert {"Open Library", "Google Books", "Uploaded by hand"} <= set(suggested)
    assert not {"openlibrary", "google_books", "upload"} & set(suggested)

    # Saved as a browser posts it (the label): still the key, which the dashboard counts.
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    form = change_form_data(client.get(url))
    form["cover_source"] = "Open Library"
    assert client.post(url, form).status_code == 302
    edition.refresh_from_db()
    assert edition.cover_source == "openlibrary"
    form["cover_source"] = "google books"  # a label typed by hand, in any case
    client.post(url, form)
    edition.refresh_from_db()
    assert edition.cover_source == "google_books"

    # A source of the librarian's own, or a key the project no longer knows, reads as it is.
    uploaded = make_work("Scanned")
    upload(client, uploaded, synthetic.cover_jpeg(seed=7))
    assert cover_source_input(client, uploaded)[0] == "Uploaded by hand"
    Edition.objects.filter(pk=edition.pk).update(cover_source="my scanner")
    assert cover_source_input(client, edition)[0] == "my scanner"


@pytest.mark.parametrize("kind", ["work", "edition"])
def test_a_cover_the_storage_refuses_is_said_on_the_form_and_nothing_is_saved(
    client, librarian, s3_bucket, caplog, kind
):
    """S3 refusing every request: before, a 500 after the form was accepted. Now the form shows
    again with the reason on the cover and the other fields as typed; nothing is saved and the
    History says nothing changed."""
    work = make_work("Hand made")
    obj = work if kind == "work" else make_edition(work)
    title_before = obj.title
    url = reverse(f"admin:catalog_{kind}_change", args=[obj.pk])
    form = change_form_data(client.get(url))
    form["cover"] = SimpleUploadedFile("my-scan.jpg", synthetic.cover_jpeg(360, 540, seed=4))
    form["title"] = "Typed meanwhile"
    with refusing_s3() as refusing:
        s3_bucket.use(AWS_S3_ENDPOINT_URL=refusing.url)
        response = client.post(url, form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cover"] == [
        "The storage failed to store this cover (the server's log has its error): nothing was "
        "saved. Choose the image again and save, later."
    ]
    assert 'value="Typed meanwhile"' in response.content.decode()  # the typing is not lost
    assert "(403) when calling the HeadObject" in caplog.text  # the storage's words: the log
    obj.refresh_from_db()
    assert (obj.title, obj.cover.name, obj.cover_sha256) == (title_before, "", "")
    assert not LogEntry.objects.exists()
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("kind", ["work", "edition"])
def test_a_save_that_fails_after_the_cover_was_stored_leaves_no_files(
    client, librarian, monkeypatch, kind
):
    """The database refusing the row once the image is in storage: before, its three files
    stayed there for no row (nothing would ever delete them)."""
    work = make_work("Hand made")
    obj = work if kind == "work" else make_edition(work)
    image = synthetic.cover_jpeg(360, 540, seed=5)
    stored_before = media_files()

    def refused(*args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(type(obj), "save", refused)
    with pytest.raises(DatabaseError):
        upload(client, obj, image)

    assert media_files() == stored_before
    assert not CoverWrite.objects.exists()
    monkeypatch.undo()
    obj.refresh_from_db()
    assert (obj.cover.name, obj.cover_sha256) == ("", "")


def test_a_reader_reads_a_covers_source_by_its_label_not_its_key(client):
    """Staff who may only view an edition or a work read its cover's source as "openlibrary",
    the stored key, where the form (and every list) names it "Open Library"."""
    work = make_work("Neverwhere")
    edition = make_edition(work)
    Edition.objects.filter(pk=edition.pk).update(cover_source="openlibrary")
    Work.objects.filter(pk=work.pk).update(cover_source="google_books")
    reader = User.objects.create_user("vera", password="pw", is_staff=True)
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_edition", "view_work"])
    )
    client.force_login(reader)

    for obj, label, key in (
        (edition, "Open Library", "openlibrary"),
        (work, "Google Books", "google_books"),
    ):
        name = obj._meta.model_name
        page = client.get(reverse(f"admin:catalog_{name}_change", args=[obj.pk])).content.decode()
        source = re.search(
            r'field-cover_source_read">.*?<div class="readonly">(.*?)</div>', page, re.S
        )
        assert source and source.group(1).strip() == label, name
        assert f">{key}<" not in page
