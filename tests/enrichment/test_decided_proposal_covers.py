"""A proposed cover is drawn as what a decision can still do with it: dashed ("applied if you
approve") only while a decision may apply it (presenters.proposal_decidable, the rule that
offers fields to tick); a dismissed or superseded proposal's cover says it was not applied, on
its page and in the queue's list, and an applied one says it is in.

The issue this guards: a dismissed request's page drew its proposed cover with the dashed
border of a cover still to approve, beside no checkbox and no button, and the queue drew it so
too; the page's Cover field read "–" for a cover the dismissal had withheld."""

import dataclasses
import re

import pytest
from django.urls import reverse

from enrichment import review
from enrichment.models import EnrichmentRequest
from tests.enrichment.test_review import COVER_URL, needs_review
from tests.enrichment.test_review_admin import (  # noqa: F401 (no_task_queue: an autouse fixture)
    change_url,
    librarian,
    no_task_queue,
    viewer,
)

pytestmark = pytest.mark.django_db
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def proposed_figures(page: str) -> list[tuple[str, str]]:
    """Each proposed cover the review page draws: (its figure's classes, its caption's text)."""
    figures = re.findall(r'<figure class="(review-cover proposed[^"]*)">(.*?)</figure>', page, re.S)
    captions = [re.search(r"<figcaption>(.*?)</figcaption>", body, re.S) for _c, body in figures]
    return [
        (classes, text_of(caption.group(1) if caption else ""))
        for (classes, _body), caption in zip(figures, captions, strict=True)
    ]


def cover_field(page: str) -> str:
    """The page's "Cover" field (the cover step's state), as text."""
    field = re.search(
        r'fieldBox field-cover_state">.*?<div class="readonly">(.*?)</div>', page, re.S
    )
    assert field, page
    return text_of(field.group(1))


def queue_row(client, request: EnrichmentRequest) -> str:
    """The queue's row of this request (every request listed: all history)."""
    listed = client.get(QUEUE_URL, {"show": "all"}).content.decode()
    link = change_url(request)
    rows = [row for row in re.findall(r"<tr>.*?</tr>", listed, re.S) if f'href="{link}' in row]
    assert len(rows) == 1, listed
    return rows[0]


def proposed_thumb(row: str) -> str:
    thumb = re.search(r'<img [^>]*class="cover-thumb proposed[^"]*"[^>]*>', row)
    assert thumb, row
    return thumb.group(0)


def test_a_waiting_proposals_cover_is_drawn_as_one_still_to_decide(client):
    request = needs_review()
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()

    [(classes, caption)] = proposed_figures(page)
    assert "undecided" in classes.split() and "not applied" not in caption
    assert 'id="field-cover" checked' in page  # the cover a reviewer's approval applies
    assert "undecided" in proposed_thumb(queue_row(client, request)).split('class="')[-1]
    assert "not applied" not in text_of(queue_row(client, request))


def test_a_dismissed_proposals_cover_says_it_was_not_applied(client):
    user = librarian()
    request = needs_review()
    review.request_dismiss(request=request, actor=user, reason="wrong edition")
    client.force_login(user)
    page = client.get(change_url(request)).content.decode()

    [(classes, caption)] = proposed_figures(page)
    assert "decided" in classes.split() and "undecided" not in classes.split()
    assert "not applied: dismissed by libby" in caption, caption
    assert 'name="fields"' not in page  # nothing to tick, as the figure now says
    # The cover the dismissal withheld: the Cover field says so, where it read "–".
    assert cover_field(page) == "Not applied: dismissed by libby"

    row = queue_row(client, request)
    thumb = proposed_thumb(row)
    assert re.search(r'class="cover-thumb proposed decided"', thumb), thumb
    assert "not applied: dismissed by libby" in thumb  # its title
    assert "not applied" in text_of(row)  # and a word under it


def test_a_superseded_proposals_cover_names_the_request_that_replaced_it(client):
    user = librarian()
    request = needs_review()
    rerun = review.request_rerun(request=request, actor=user)
    client.force_login(user)
    page = client.get(change_url(request)).content.decode()

    [(classes, caption)] = proposed_figures(page)
    assert "decided" in classes.split()
    assert f"not applied: superseded by request #{rerun.new_request_id}" in caption, caption
    assert f"not applied: superseded by request #{rerun.new_request_id}" in proposed_thumb(
        queue_row(client, request)
    )


def test_a_viewer_sees_a_waiting_cover_drawn_as_a_reviewer_does(client):
    """Who may tick it is no part of what the cover is: still to decide, for anyone."""
    request = needs_review()
    client.force_login(viewer())
    page = client.get(change_url(request)).content.decode()
    [(classes, _caption)] = proposed_figures(page)
    assert "undecided" in classes.split()
    assert 'name="fields"' not in page


def test_an_applied_cover_is_drawn_as_applied_not_as_one_to_approve(client):
    request = needs_review()
    request.proposal.mark_cover_applied(COVER_URL)
    request.cover_status = EnrichmentRequest.CoverStatus.APPLIED
    request.save(update_fields=["proposal", "cover_status"])
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()

    [(classes, caption)] = proposed_figures(page)
    assert "applied" in classes.split() and "undecided" not in classes.split()
    assert "applied" in caption and "not applied" not in caption
    assert 'id="field-cover"' not in page  # nothing left to tick for it
    thumb = proposed_thumb(queue_row(client, request))
    assert re.search(r'class="cover-thumb proposed applied"', thumb), thumb


def test_an_applied_cover_on_a_host_the_list_does_not_draw_still_says_it_is_applied(client):
    """A proposed cover whose host is not on the allowlist is not drawn (the browser would fetch
    it): its "?" said only that, of a cover applied, in the demo of every one, as if nothing
    had come of it."""
    request = needs_review()
    elsewhere = "https://images.example.net/covers/1.jpg"  # on no allowlist
    cover = request.proposal.cover
    cover.proposed = [dataclasses.replace(ref, url=elsewhere) for ref in cover.proposed]
    request.proposal.mark_cover_applied(elsewhere)
    request.cover_status = EnrichmentRequest.CoverStatus.APPLIED
    request.save(update_fields=["proposal", "cover_status"])
    client.force_login(librarian())

    row = queue_row(client, request)
    unseen = re.search(r'<span class="cover-thumb cover-missing ([^"]*)" title="([^"]*)">\?<', row)
    assert unseen, row
    assert unseen.group(1) == "applied"
    assert unseen.group(2) == "Proposed cover on a host not on the allowlist — applied"


def match_tags(page: str) -> list[str]:
    """The review table's Match column: each row's first tag, as text."""
    table = re.search(r'<table class="review-fields proposal">(.*?)</table>', page, re.S)
    assert table, page
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]  # the head aside
    tags = [re.search(r'<span class="tag[^"]*"[^>]*>(.*?)</span>', row, re.S) for row in rows]
    return [text_of(tag.group(1)) if tag else "" for tag in tags]


def test_a_dismissed_proposals_fields_say_they_were_not_applied(client):
    """Each field the dismissal turned down said "fills an empty field", as if it had."""
    user = librarian()
    request = needs_review()
    client.force_login(user)
    waiting = match_tags(client.get(change_url(request)).content.decode())
    assert "fills an empty field" in waiting and "replaces a value" in waiting  # Publisher

    review.request_dismiss(request=request, actor=user, reason="wrong edition")
    tags = match_tags(client.get(change_url(request)).content.decode())
    assert len(tags) == len(waiting)
    assert set(tags) == {"not applied: dismissed by libby"}, tags
