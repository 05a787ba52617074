"""Shared by test_covers_s3.py and test_covers_cleanup.py: covers applied through the real
cover step (engine, review, cover task), from images built here, never from the network."""

import io

import pytest
from PIL import Image

from catalog.models import Edition
from enrichment import cover_apply, engine, queue, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.covers import choose
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate

FIXTURE_COVER = "tests/fixtures/covers/synthetic-cover-400x600.jpg"
TRANSPOSES = (
    None,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.ROTATE_180,
)


def cover_bytes(variant: int) -> bytes:
    """The synthetic fixture cover, turned one of four ways: four covers with different bytes."""
    image = Image.open(FIXTURE_COVER).convert("RGB")
    transpose = TRANSPOSES[variant % len(TRANSPOSES)]
    if transpose is not None:
        image = image.transpose(transpose)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def cover_url(variant: int) -> str:
    return f"https://covers.openlibrary.org/b/id/{variant}-L.jpg"


@pytest.fixture
def cover_host(monkeypatch, sent_tasks):
    """No network: each cover URL answers with its own synthetic image (cover_bytes)."""

    def fetch(url, **kwargs):
        return cover_bytes(int(url.rsplit("/", 1)[1].split("-")[0]))

    monkeypatch.setattr(choose, "fetch_cover_bytes", fetch)


def proposal_with_cover(edition: Edition, variant: int) -> EnrichmentRequest:
    """A request for the edition's work, looked up by the engine: its record offers this cover
    (applied by the cover step when the book has none)."""
    request = cover_proposed(edition, variant)
    cover_apply.requests_fetch_covers(request_ids=[request.pk])
    request.refresh_from_db()
    return request


def cover_proposed(edition: Edition, variant: int) -> EnrichmentRequest:
    """The same request before its cover step: the cover queued, not yet downloaded."""
    record = candidate(
        title=edition.work.title,
        authors=[Contributor("Neil Gaiman")],
        isbn13=[edition.isbn13],
        covers=[CoverRef("openlibrary", cover_url(variant), str(variant))],
        queried_isbn=edition.isbn13,
    )
    request = EnrichmentRequest.objects.create(work=edition.work, trigger="command")
    claimed = queue.requests_claim(request_ids=[request.pk])
    engine.process_requests(claimed, providers=[FakeProvider(answers={edition.isbn13: [record]})])
    request.refresh_from_db()
    return request


def reviewer_replaces_cover(edition: Edition, variant: int, *, reviewer) -> EnrichmentRequest:
    """A reviewer ticks another cover on the review page; the cover task replaces the book's."""
    request = proposal_with_cover(edition, variant)
    review.request_approve(request=request, actor=reviewer, fields=["cover"])
    cover_apply.requests_fetch_covers(request_ids=[request.pk], actor=reviewer)
    request.refresh_from_db()
    return request
