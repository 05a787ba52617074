"""Covers and thumbnails on S3-compatible storage, against moto's S3 **emulator** (a real HTTP
server on a loopback port: tests/s3_emulator.py), with the storages built from the environment
by the code bookstore/settings.py uses."""

import html
import re
import time
from io import BytesIO

import pytest
import requests
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image

from enrichment import cover_apply
from enrichment.covers import assign_cover, medium_thumbnail_url, store_cover, verify_cover
from enrichment.models import AuditLogEntry
from tests.bookstore.test_storage_timeouts import silent_server
from tests.enrichment.covers_s3_support import (
    cover_host,  # noqa: F401 (a fixture, used by name)
    cover_proposed,
    proposal_with_cover,
    reviewer_replaces_cover,
)
from tests.factories import make_edition, make_work
from tests.fixtures.covers import synthetic
from tests.s3_emulator import count_calls

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
PNG = synthetic.read("synthetic-cover-320x480.png")
OL_URL = "https://covers.openlibrary.org/b/id/240727-L.jpg"


def fetched(url: str) -> requests.Response:
    return requests.get(url, timeout=5)


def test_a_verified_cover_is_stored_in_the_bucket_under_its_hash_with_its_content_types(
    s3_bucket,
):
    stored = store_cover(verify_cover(JPEG))
    sha = stored.sha256
    stem = f"covers/{sha[:2]}/{sha}"
    assert s3_bucket.keys() == sorted([f"{stem}.jpg", f"{stem}-m.webp", f"{stem}-s.webp"])
    assert s3_bucket.head(f"{stem}.jpg")["ContentType"] == "image/jpeg"
    assert s3_bucket.head(f"{stem}-s.webp")["ContentType"] == "image/webp"
    assert s3_bucket.head(f"{stem}-m.webp")["ContentType"] == "image/webp"
    with storages["default"].open(stored.medium_name) as medium:
        image = Image.open(BytesIO(medium.read()))
        assert (image.format, image.size) == ("WEBP", (300, 450))

    png = store_cover(verify_cover(PNG))
    assert s3_bucket.head(png.original_name)["ContentType"] == "image/png"


@pytest.mark.django_db
def test_the_same_image_for_two_works_is_one_set_of_objects_uploaded_once(s3_bucket):
    calls = count_calls(storages["default"])
    first_work, second_work = make_work("Coraline"), make_work("Neverwhere")
    first = store_cover(verify_cover(JPEG))
    assign_cover(first_work, first, source="openlibrary", source_url=OL_URL)
    assert calls.counts["PutObject"] == 3
    # An image stored before costs one HEAD and uploads nothing.
    calls.counts.clear()
    second = store_cover(verify_cover(JPEG))
    assign_cover(second_work, second, source="google_books", source_url="https://x.test/c")
    assert dict(calls.counts) == {"HeadObject": 1}
    assert second.written == () and len(first.written) == 3
    assert len(s3_bucket.keys()) == 3
    first_work.refresh_from_db()
    second_work.refresh_from_db()
    assert first_work.cover.name == second_work.cover.name == first.original_name


@pytest.mark.django_db
def test_signed_cover_urls_of_the_emulator_return_the_image(s3_bucket):
    work = make_work()
    stored = store_cover(verify_cover(JPEG))
    assign_cover(work, stored, source="openlibrary", source_url=OL_URL)
    url = medium_thumbnail_url(work)
    assert url.startswith(f"{s3_bucket.emulator.endpoint}/{s3_bucket.name}/covers/")
    assert "Signature=" in url  # AWS_QUERYSTRING_AUTH is on by default
    thumbnail = fetched(url)
    assert thumbnail.status_code == 200
    assert Image.open(BytesIO(thumbnail.content)).size == (300, 450)
    original = fetched(work.cover.url)
    assert original.status_code == 200
    assert original.headers["Content-Type"] == "image/jpeg"
    with storages["default"].open(stored.original_name) as file:
        assert original.content == file.read()
    # The objects are private: without its signature the same URL is refused.
    assert fetched(url.split("?", 1)[0]).status_code == 403


@pytest.mark.django_db
def test_plain_cover_urls_need_public_objects_and_then_return_the_image(s3_bucket):
    s3_bucket.use(AWS_QUERYSTRING_AUTH="0", AWS_DEFAULT_ACL="public-read")
    work = make_work()
    assign_cover(work, store_cover(verify_cover(JPEG)), source="openlibrary", source_url=OL_URL)
    url = medium_thumbnail_url(work)
    assert "?" not in url and url.endswith("-m.webp")
    response = fetched(url)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/webp"


@pytest.mark.django_db
def test_with_a_key_prefix_and_a_cdn_domain_urls_name_the_cdn(s3_bucket):
    s3_bucket.use(AWS_LOCATION="bookstore", AWS_S3_CUSTOM_DOMAIN="covers.cdn.example")
    work = make_work()
    stored = store_cover(verify_cover(JPEG))
    assign_cover(work, stored, source="openlibrary", source_url=OL_URL)
    sha = stored.sha256
    assert s3_bucket.keys() == sorted(
        f"bookstore/{name}"
        for name in (stored.original_name, stored.small_name, stored.medium_name)
    )
    # The CDN serves the bucket's objects: the URL names it, unsigned (CloudFront-style).
    assert medium_thumbnail_url(work) == (
        f"https://covers.cdn.example/bookstore/covers/{sha[:2]}/{sha}-m.webp"
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("cover_host")
def test_the_review_pages_current_and_replacing_covers_are_served_by_the_emulator(
    s3_bucket, client
):
    reviewer = User.objects.create_superuser("reviewer", password="pw")
    work = make_work("Coraline", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812")
    first = proposal_with_cover(edition, 1)
    assert first.cover_status == "applied"
    # A second lookup proposes another cover: the review page shows the current one beside it.
    request = proposal_with_cover(edition, 2)
    client.force_login(reviewer)
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    assert page.status_code == 200
    current = re.search(r'<a href="([^"]+)"><img src="([^"]+)" alt="Current cover"', page.text)
    assert current, "the review page shows no current cover"
    original_url, thumbnail_url = map(html.unescape, current.groups())
    for url in (original_url, thumbnail_url):
        assert url.startswith(s3_bucket.emulator.endpoint)
        assert fetched(url).status_code == 200
    edition.refresh_from_db()
    assert Image.open(BytesIO(fetched(thumbnail_url).content)).format == "WEBP"

    # Replaced by the reviewer's choice: the audit log shows the old and new covers, both
    # still in the bucket (a revert would put the old one back).
    reviewer_replaces_cover(edition, 2, reviewer=reviewer)
    entry = AuditLogEntry.objects.filter(action="cover").latest("pk")
    log_page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    shown = [html.unescape(src) for src in re.findall(r'<img src="([^"]+)"', log_page.text)]
    from_bucket = [url for url in shown if url.startswith(s3_bucket.emulator.endpoint)]
    assert len(from_bucket) >= 2
    assert all(fetched(url).status_code == 200 for url in from_bucket)


STORE_FAILED = (
    "The storage failed to store this cover (the server's log has its error): it is tried "
    "again later."
)


@pytest.mark.django_db
@pytest.mark.usefixtures("cover_host")
def test_a_silent_bucket_fails_each_cover_alone_says_so_and_the_covers_apply_once_it_answers(
    s3_bucket, admin_client, caplog
):
    """A bucket that takes the connection and never answers (AWS_S3_READ_TIMEOUT 0.5 s, one
    attempt): each cover of the task gives up within its timeout, its request's page says the
    storage failed, and the next try, once the bucket answers, applies it."""
    editions = [
        make_edition(make_work(title, authors=["Neil Gaiman"]))
        for title in ("Coraline", "Neverwhere")
    ]
    requests_ = [cover_proposed(edition, i) for i, edition in enumerate(editions, start=1)]
    ids = [request.pk for request in requests_]
    with silent_server() as silent:
        s3_bucket.use(
            AWS_S3_ENDPOINT_URL=silent.url, AWS_S3_READ_TIMEOUT="0.5", AWS_S3_MAX_ATTEMPTS="1"
        )
        started = time.monotonic()
        outcomes = cover_apply.requests_fetch_covers(request_ids=ids)
        seconds = time.monotonic() - started

    assert outcomes == {"retry_later": 2}  # the first cover's failure did not stop the second
    # Two read timeouts and the covers' own work on a loaded machine, well under the silent
    # server's HOLD_SECONDS: without a timeout, the first cover alone would wait for its hang-up.
    assert seconds < 2 * 0.5 + 3.0, f"two covers took {seconds:.1f} s"
    assert "Read timeout" in caplog.text
    for request in requests_:
        request.refresh_from_db()
        assert (request.cover_status, request.cover_claim_token) == ("pending", "")
        assert request.match_details.cover_note == STORE_FAILED
    page = admin_client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[ids[0]]))
    assert STORE_FAILED in html.unescape(page.content.decode())
    for edition in editions:
        edition.refresh_from_db()
        assert not edition.cover

    s3_bucket.use()  # the bucket answers again
    assert cover_apply.requests_fetch_covers(request_ids=ids) == {"applied": 2}
    stored = s3_bucket.keys("covers/")
    for edition in editions:
        edition.refresh_from_db()
        assert edition.cover.name in stored


@pytest.mark.django_db
@pytest.mark.usefixtures("cover_host")
def test_a_cover_the_storage_fails_on_every_claim_is_given_up_in_words(s3_bucket):
    request = cover_proposed(make_edition(make_work("Coraline", authors=["Neil Gaiman"])), 1)
    with silent_server() as silent:
        s3_bucket.use(
            AWS_S3_ENDPOINT_URL=silent.url, AWS_S3_READ_TIMEOUT="0.5", AWS_S3_MAX_ATTEMPTS="1"
        )
        tries = [
            cover_apply.requests_fetch_covers(request_ids=[request.pk])
            for _ in range(cover_apply.MAX_COVER_ATTEMPTS)
        ]

    assert tries[-1] == {"rejected": 1} and tries[0] == {"retry_later": 1}
    request.refresh_from_db()
    assert request.cover_status == "rejected"
    assert request.match_details.cover_note == (
        f"The storage failed to store this cover {cover_apply.MAX_COVER_ATTEMPTS} times (the "
        "server's log has its errors): given up."
    )
