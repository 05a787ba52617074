"""A field a request applied that no longer holds what it set (a librarian edited it since, or
another proposal wrote it) says so on the request's page beside "applied", with what it holds
now: "applied" alone read as if the catalog still held the proposal's value."""

import re
from html import unescape

import pytest

from catalog.models import Edition, Work
from enrichment import cover_apply, review
from enrichment.covers import choose
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_apply_path import cover_bytes
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import change_url, librarian

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


@pytest.fixture(autouse=True)
def logged_in(client):
    client.force_login(librarian())


def row_text(client, request: EnrichmentRequest, name: str) -> str:
    """The visible text of the proposal table's row of one field."""
    html = client.get(change_url(request)).content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*?for="field-{name}".*?</tr>', html, re.S)
    assert row, name
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row.group(0)))).strip()


def test_a_field_edited_since_it_was_applied_says_it_was_changed_since(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    Edition.objects.filter(work=request.work_id).update(publisher="Headline")  # a librarian
    request.refresh_from_db()

    publisher = row_text(client, request, "publisher")
    assert "applied" in publisher and "changed since" in publisher
    assert "it now holds “Headline”" in publisher
    pages = row_text(client, request, "page_count")
    assert "applied" in pages and "changed since" not in pages


def test_a_field_that_still_holds_what_was_applied_says_only_applied(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    request.refresh_from_db()
    assert "changed since" not in row_text(client, request, "publisher")


def test_a_cover_replaced_since_it_was_applied_says_it_was_changed_since(client, monkeypatch):
    monkeypatch.setattr(choose, "fetch_cover_bytes", lambda url, **kwargs: cover_bytes(0))
    request = needs_review()
    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"applied": 1}
    entry = AuditLogEntry.objects.get(action="cover")
    holder = Edition if entry.changes["cover"].get("target") == "edition" else Work
    holder.objects.filter(cover=entry.changes["cover"]["new"]).update(cover="covers/by-hand.jpg")
    request.refresh_from_db()

    cover = row_text(client, request, "cover")
    assert "applied" in cover and "The cover was changed since" in cover


def test_the_headline_of_a_proposal_applied_and_changed_since_says_so(client, reviewer):
    """The headline said "Approved by reviewer: Publisher and Pages applied." of a publisher a
    librarian had edited since: the page's first sentence read as if the catalog held it."""
    from enrichment.match_summary import request_headline

    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    Edition.objects.filter(work=request.work_id).update(publisher="Headline")  # a librarian
    request.refresh_from_db()

    headline = request_headline(request)
    assert headline.startswith("Approved by reviewer: Publisher and Pages applied.")
    assert "Publisher changed since." in headline
    assert "Pages changed since" not in headline
    page = re.sub(r"\s+", " ", unescape(client.get(change_url(request)).content.decode()))
    assert "Publisher changed since." in page


def test_the_headline_of_a_proposal_that_still_stands_adds_nothing(reviewer):
    from enrichment.match_summary import request_headline

    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    request.refresh_from_db()
    assert "changed since" not in request_headline(request)
