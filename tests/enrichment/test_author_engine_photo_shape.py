"""An author's photo, once downloaded and verified, must be shaped as a portrait (enrichment.
author_photos.unfit_photo_shape): Open Library says nothing of its photos' sizes, and a group
photo or a banner was stored as the author's photo. The real task against the loopback sources
server of test_author_engine, with the real Open Library record of George Orwell (its photos
9160343 and 6388323) and synthetic images."""

import pytest

from enrichment.models import EnrichmentRequest
from tests.enrichment.test_author_engine import (  # noqa: F401
    ORWELL_KEY,
    fresh,
    serve_orwell,
    sources,
    work_queue,
)
from tests.factories import make_author
from tests.fixtures.covers.synthetic import cover_jpeg

pytestmark = pytest.mark.django_db
CoverStatus = EnrichmentRequest.CoverStatus


def _serve_photos(sources, shapes: dict[str, tuple[int, int]]) -> None:  # noqa: F811
    for photo_id, (width, height) in shapes.items():
        for size in ("L", "M"):
            sources.image(f"/covers/a/id/{photo_id}-{size}.jpg", cover_jpeg(width, height, seed=7))


def test_a_banner_is_refused_and_the_next_photo_that_is_a_portrait_is_stored(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
    settings,
):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    serve_orwell(sources)
    _serve_photos(sources, {"9160343": (900, 300), "6388323": (300, 400)})
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    [request] = work_queue(orwell)

    request.refresh_from_db()
    assert request.cover_status == CoverStatus.APPLIED
    orwell = fresh(orwell)
    assert (orwell.photo_width, orwell.photo_height) == (300, 400)
    assert "/a/id/6388323-" in orwell.photo_source_url
    refused = [r for r in request.match_details.cover_rejections if "9160343" in r.url]
    assert refused and {r.reason for r in refused} == {"not_a_portrait"}
    assert refused[0].message == "900x300: a group photo or a banner (too wide), not a portrait"


def test_only_photos_shaped_as_no_portrait_leave_the_author_without_one(
    sources,  # noqa: F811
    work_queue,  # noqa: F811
    settings,
):
    settings.ENRICHMENT_PROVIDERS = ["openlibrary"]
    serve_orwell(sources)
    _serve_photos(sources, {"9160343": (900, 300), "6388323": (200, 600)})
    orwell = make_author("George Orwell", openlibrary_key=ORWELL_KEY)

    [request] = work_queue(orwell)

    request.refresh_from_db()
    assert request.cover_status == CoverStatus.REJECTED
    assert not fresh(orwell).photo
    assert {r.reason for r in request.match_details.cover_rejections} == {"not_a_portrait"}
    assert fresh(orwell).birth_year == 1903  # the metadata was applied all the same
