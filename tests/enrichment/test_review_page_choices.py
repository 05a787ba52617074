"""The review page's choices: which fields come ticked, approving some of them, dismissing, and
what a value changed or reverted meanwhile does to them."""

import re

import pytest

from catalog.models import Edition
from enrichment import revert, review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import (
    COVER_URL,
    cover_applied_with_its_entry,
    needs_review,
)
from tests.enrichment.test_review_admin import (  # noqa: F401 (no_task_queue: an autouse fixture)
    change_url,
    decision_url,
    librarian,
    no_task_queue,
)

pytestmark = pytest.mark.django_db


def test_approving_chosen_fields_from_the_review_page(client):
    request = needs_review()
    other = needs_review("Stardust")
    user = librarian()
    client.force_login(user)
    response = client.post(
        decision_url(request, "approve"), {"_chosen": "1", "fields": ["publisher", "page_count"]}
    )
    assert response.status_code == 302 and response.url == change_url(other)  # the next one
    edition = Edition.objects.get(work=request.work_id)
    assert (edition.publisher, edition.page_count) == ("HarperTorch", 370)
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert entry.actor == user and set(entry.changes) == {"publisher", "page_count"}
    page = client.get(response.url).content.decode()
    assert "approved: applied publisher, pages" in page


def _review_form(page: str) -> dict[str, list[str]]:
    """The review form as a browser posts it: the ticked fields and the hidden inputs."""
    data: dict[str, list[str]] = {"_chosen": ["1"], "fields": []}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or not value:
            continue
        if name[1] == "fields" and " checked" in tag:
            data["fields"].append(value[1])
        elif 'type="hidden"' in tag and name[1] != "csrfmiddlewaretoken":
            data.setdefault(name[1], []).append(value[1])
    return data


def test_a_field_edited_while_the_review_page_was_open_is_not_replaced_unseen(client):
    """The page showed Pages empty and ticked; a colleague then typed the page count: the
    reviewer's approval must not replace it with the provider's without them seeing it."""
    request = needs_review()
    client.force_login(librarian())
    form = _review_form(client.get(change_url(request)).content.decode())
    assert "page_count" in form["fields"]  # empty when shown: ticked
    Edition.objects.filter(work=request.work_id).update(page_count=412)

    response = client.post(decision_url(request, "approve"), form, follow=True)

    edition = Edition.objects.get(work=request.work_id)
    assert edition.page_count == 412 and edition.language == ""  # nothing applied
    request.refresh_from_db()
    assert request.status == "needs_review"
    assert not AuditLogEntry.objects.filter(action="review_apply").exists()
    page = response.content.decode()
    assert "Not approved: Pages changed since the page was shown" in page
    assert response.redirect_chain[-1][0] == change_url(request)  # the page again, values now
    # Chosen again from the page as it is now, the fields are applied.
    client.post(decision_url(request, "approve"), _review_form(page))
    assert Edition.objects.get(work=request.work_id).language == "en"


def test_a_reverted_cover_is_called_reverted_on_the_review_page(client):
    """As a reverted field is: the page must not offer the cover as if it was never applied."""
    request = needs_review()
    edition = Edition.objects.get(work=request.work_id)
    _stored, entry = cover_applied_with_its_entry(request, edition)
    request.proposal.mark_cover_applied(COVER_URL)
    request.cover_status = "applied"
    request.save()
    user = librarian()
    assert revert.audit_revert(entry=entry, actor=user).reverted
    client.force_login(user)
    page = client.get(change_url(request)).content.decode()
    cover_row = page[
        page.index('id="field-cover"') : page.index("</tr>", page.index('id="field-cover"'))
    ]
    assert "reverted" in cover_row
    assert " checked" not in cover_row  # turned down by the revert: not offered ticked again


def test_a_reverted_field_is_not_offered_ticked_again(client):
    request = needs_review()
    user = librarian()
    review.request_approve(request=request, actor=user, fields=["page_count", "language"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert revert.audit_revert(entry=entry, actor=user).reverted
    client.force_login(user)
    page = client.get(change_url(request)).content.decode()
    assert re.search(r'value="page_count" id="field-page_count"(?! checked)>', page)
    # Applying another field from the page as shown leaves the reverted ones out.
    form = _review_form(page)
    assert "page_count" not in form["fields"] and "language" not in form["fields"]


def test_fields_a_reviewer_left_out_are_not_ticked_again(client):
    """Approved with some fields ticked, the request offers the rest unticked: approving the
    page as shown later applies only what is ticked then, never what was left out on purpose."""
    request = needs_review()
    user = librarian()
    client.force_login(user)
    client.post(decision_url(request, "approve"), {"_chosen": "1", "fields": ["description"]})
    form = _review_form(client.get(change_url(request)).content.decode())
    assert form["fields"] == []
    assert "page_count" in [name[len("shown-") :] for name in form if name.startswith("shown-")]


def test_approving_nothing_ticked_asks_for_fields(client):
    request = needs_review()
    client.force_login(librarian())
    response = client.post(decision_url(request, "approve"), {"_chosen": "1"}, follow=True)
    assert "Tick the fields to apply" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "needs_review"


def test_dismissing_with_a_reason_from_the_review_page(client):
    request = needs_review()
    client.force_login(librarian())
    response = client.post(decision_url(request, "dismiss"), {"reason": "wrong edition"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "skipped" and request.review_note == "Dismissed: wrong edition"


def test_the_review_page_shows_current_and_proposed_values_and_the_reasons(client):
    request = needs_review()
    client.force_login(librarian())
    page = client.get(change_url(request)).content.decode()
    assert "Harper" in page and "HarperTorch" in page and "replaces a value" in page
    assert "the provider answered for" in page.lower()  # the match reasons, in words
    assert "https://openlibrary.org/books/OL1M" in page  # the provider's record
    # The proposed cover is on the allowlist over https: shown, without a referrer.
    assert 'src="https://covers.openlibrary.org/b/id/1-L.jpg"' in page
    assert 'referrerpolicy="no-referrer"' in page
    assert 'data-review-key="a"' in page and "bookstore/review.js" in page


def test_a_low_confidence_proposal_is_offered_with_nothing_ticked(client):
    """The title or the author does not agree: the record may be another book's. The reviewer
    ticks what they have checked; a medium match's empty fields come ticked."""
    medium, low = needs_review(), needs_review("Lake of the Long Sun", "Gene Wolfe")
    EnrichmentRequest.objects.filter(pk=low.pk).update(confidence="low")
    client.force_login(librarian())
    ticked = re.compile(r'<input type="checkbox" name="fields" value="[\w]+" id="[\w-]+" checked>')
    assert ticked.search(client.get(change_url(medium)).content.decode())
    page = client.get(change_url(low)).content.decode()
    assert 'name="fields" value="page_count"' in page and not ticked.search(page)


def test_a_decided_request_offers_only_what_is_left_to_choose(client):
    request = needs_review()
    user = librarian()
    client.force_login(user)
    client.post(decision_url(request, "approve"), {"_safe": "1"})
    request.refresh_from_db()
    assert request.status == "completed"
    page = client.get(change_url(request)).content.decode()
    # The safe part is in; the publisher (it would replace "Harper") can still be chosen.
    assert "Approve safe proposal" not in page and "Approve selected fields" in page
    # The fields by their names, not their keys.
    assert "Approved the safe proposal: applied Description, Subjects, Open Library work" in page
    assert "page_count" not in re.sub(r'(name|value|id|for)="[^"]*"', "", page)


def test_a_request_nothing_matched_is_not_called_a_proposal_or_a_match(client):
    """A book no provider knew opened on "Review an enrichment proposal" and "Why this match"
    above "No provider record matched."."""
    waiting = needs_review()
    unknown = needs_review("Piranesi", "Susanna Clarke")
    EnrichmentRequest.objects.filter(pk=unknown.pk).update(
        status="skipped", confidence="none", proposal={}, match_details={}
    )
    client.force_login(librarian())

    def headings(request) -> list[str]:
        page = client.get(change_url(request)).content.decode()
        return re.findall(r"<h1>([^<]*)</h1>", page) + re.findall(r"<h2>([^<]*)</h2>", page)

    assert "Review an enrichment proposal" in headings(waiting)
    assert "Why this match" in headings(waiting)
    shown = headings(unknown)
    assert "Enrichment request" in shown and "What the providers answered" in shown
    assert "Review an enrichment proposal" not in shown and "Why this match" not in shown
