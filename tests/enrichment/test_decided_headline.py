"""A decided request's headline says what is true of it now, on the review page and in the API's
request detail: what was applied (and by whom), who dismissed it, what replaced it, why it
failed or was skipped; never the match's advice to a reviewer ("…: check the edition.")."""

import re

import pytest
from django.urls import reverse

from catalog.models import Edition
from enrichment import cover_apply, engine, queue, revert, review
from enrichment.covers import choose
from enrichment.match_summary import request_headline
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import MatchDetails
from tests.enrichment.api.conftest import token_client, user_with
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_apply_path import cover_bytes
from tests.enrichment.test_review import needs_review, ol_record
from tests.enrichment.test_review_admin import change_url, librarian
from tests.enrichment.test_review_labels import visible_text
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
ADVICE = "check the edition"


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    """What would be handed to django-q2 is recorded (sent_tasks), never queued."""
    return sent_tasks


def shown(client, request: EnrichmentRequest) -> tuple[str, str]:
    """-> (the review page's text, the API detail's headline)."""
    api = token_client(user_with("api-reader", "view_enrichmentrequest", "view_work"))
    body = api.get(reverse("api:enrichment-request", args=[request.pk])).json()
    client.force_login(librarian())
    return visible_text(client, change_url(request)), body["headline"]


def test_a_request_waiting_for_review_keeps_the_matchs_advice(client):
    request = needs_review()
    page, headline = shown(client, request)
    assert headline.endswith(f"{ADVICE}.") and headline in page


def test_an_approved_request_says_who_approved_it_and_what_was_applied(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    request.refresh_from_db()
    assert request.status == Status.COMPLETED

    page, headline = shown(client, request)
    assert headline == "Approved by reviewer: Publisher and Pages applied."
    assert headline in page and ADVICE not in page


def test_an_approval_whose_reviewer_was_removed_since_is_still_an_approval(client, reviewer):
    """The reviewer's account deleted: the request was still approved by a person, never
    "Applied automatically"."""
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    reviewer.delete()
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline == "Approved by a reviewer: Publisher applied."
    assert headline in page


@pytest.fixture
def cover_host(monkeypatch):
    """No network: every cover URL answers with the fixture cover."""
    monkeypatch.setattr(choose, "fetch_cover_bytes", lambda url, **kwargs: cover_bytes(0))


def test_a_cover_the_worker_applied_before_the_review_is_not_credited_to_the_reviewer(
    client, reviewer, cover_host
):
    """A medium match: the worker applies the cover alone, the rest waits for the reviewer."""
    request = needs_review()
    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"applied": 1}
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline == (
        "Approved by reviewer: Publisher and Pages applied. Cover applied automatically."
    )
    assert headline in page


def test_a_cover_reverted_since_is_said_so_on_the_cover_line_too(client, reviewer, cover_host):
    """The Cover line said "–" once a revert had cleared the cover's step, under a headline of
    "Cover reverted since."."""
    request = needs_review()
    assert cover_apply.requests_fetch_covers(request_ids=[request.pk]) == {"applied": 1}
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    revert.audit_revert(entry=AuditLogEntry.objects.get(action="cover"), actor=reviewer)
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline.endswith("Cover reverted since.")
    assert re.search(r"Cover: Reverted since Decision:", page)


def test_fields_reverted_since_the_approval_are_said_so(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="")  # no cover to wait
    edition = Edition.objects.get(work=request.work_id)
    Edition.objects.filter(pk=edition.pk).update(publisher="Headline")  # changed since: stays
    revert.audit_revert(entry=entry, actor=reviewer)
    request.refresh_from_db()

    page, headline = shown(client, request)
    # The publisher, edited by hand since, stayed as it was: it says so (it read as if applied).
    assert headline == (
        "Approved by reviewer: Publisher applied. Pages reverted since. Publisher changed since."
    )
    assert headline in page


def test_the_decision_line_says_what_of_the_decision_was_reverted_since(client, reviewer):
    """The Decision line records the decision ("Applied Publisher, Pages.") and kept saying so
    under a headline of "Pages reverted since.": it now says it too, by the headline's rule."""
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="")
    revert.audit_revert(entry=AuditLogEntry.objects.get(action="review_apply"), actor=reviewer)
    request.refresh_from_db()

    page, headline = shown(client, request)
    decision = re.search(r"Decision: (.*?) Last error:", page).group(1)
    assert decision.endswith(
        "by reviewer — Applied Publisher, Pages. Publisher and Pages reverted since."
    )
    assert headline.endswith("Publisher and Pages reverted since.")


def test_a_decision_nothing_was_reverted_of_says_only_the_decision(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    request.refresh_from_db()
    page, _headline = shown(client, request)
    decision = re.search(r"Decision: (.*?) Last error:", page).group(1)
    assert decision.endswith("by reviewer — Applied Publisher.") and "since" not in decision


def test_an_approval_reverted_whole_says_nothing_of_it_stands(client, reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["page_count"])
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="")
    revert.audit_revert(entry=AuditLogEntry.objects.get(action="review_apply"), actor=reviewer)
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline == "Approved by reviewer: nothing of it stands now. Pages reverted since."
    assert headline in page


def test_a_field_reverted_then_chosen_again_stands(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["page_count"])
    revert.audit_revert(entry=AuditLogEntry.objects.get(action="review_apply"), actor=reviewer)
    review.request_approve(request=request, actor=reviewer, fields=["page_count"])
    request.refresh_from_db()
    assert request_headline(request) == "Approved by reviewer: Pages applied."


def test_a_dismissed_request_says_who_dismissed_it(client, reviewer):
    request = needs_review()
    review.request_dismiss(request=request, actor=reviewer, reason="another edition")
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline == "Dismissed by reviewer: nothing of its proposal was applied."
    assert headline in page and ADVICE not in page


def test_a_request_a_rerun_replaced_names_the_new_one(client, reviewer):
    request = needs_review()
    rerun = review.request_rerun(request=request, actor=reviewer)
    request.refresh_from_db()
    assert request.superseded_by_id

    page, headline = shown(client, request)
    assert headline == (
        f"Superseded by request #{request.superseded_by_id} (enrichment was run again): nothing "
        "of this proposal was applied."
    )
    assert headline in page and ADVICE not in page and rerun


def test_a_request_applied_by_the_engine_says_what_it_applied():
    """Open Library's record lists our ISBN: a high match, applied to the empty fields."""
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work, publisher="Harper")
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    answer = ol_record(edition.isbn13, isbn13=[edition.isbn13], covers=[])
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [answer]})],
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == Status.COMPLETED and request.confidence == "high"
    assert Edition.objects.get(pk=edition.pk).page_count == 370

    applied, why = request_headline(request).split(". ", 1)
    assert applied.startswith("Applied automatically: ") and "Pages" in applied
    assert why.endswith("the same book.")  # what made it safe to apply stays true


def test_an_automatic_apply_reverted_since_says_what_was_put_back(reviewer):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work, publisher="Harper")
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    answer = ol_record(edition.isbn13, isbn13=[edition.isbn13], covers=[], subjects=[])
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [answer]})],
    )
    entry = AuditLogEntry.objects.get(action="auto_apply")
    revert.audit_revert(entry=entry, actor=reviewer)
    request = EnrichmentRequest.objects.get(pk=ids[0])

    applied, reverted, why = request_headline(request).split(". ", 2)
    assert applied == "Applied automatically: nothing of it stands now"
    assert "Pages" in reverted and reverted.endswith("reverted since")
    assert why.endswith("the same book.")


def test_a_failed_request_says_why(client):
    request = needs_review()
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        status=Status.FAILED,
        confidence="none",
        attempts=3,
        last_error="Open Library: openlibrary.org could not be found (DNS lookup failed)",
    )
    request.refresh_from_db()

    page, headline = shown(client, request)
    assert headline == (
        "Failed after 3 attempts: Open Library: openlibrary.org could not be found (DNS lookup "
        "failed)."
    )
    assert headline in page


def test_a_request_skipped_without_a_lookup_says_why():
    """An author merged into another: its waiting request is skipped, never looked up."""
    request = needs_review()
    request.status, request.review_note = Status.SKIPPED, "The author was merged into Neil Gaiman."
    assert request_headline(request) == "The author was merged into Neil Gaiman."


def test_a_request_skipped_because_nothing_matched_still_says_why():
    request = EnrichmentRequest(
        work_id=1,
        status=Status.SKIPPED,
        confidence="none",
        attempts=1,
        match_details=MatchDetails(answered=["openlibrary"]),
    )
    assert request_headline(request) == "Nothing was found: no provider knows this book."
