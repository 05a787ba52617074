"""One rule for approving a request's safe proposal in one click (enrichment.safe_approval): on
low confidence the record may be another book's, so the review page offers no "Approve safe
proposal" (nor its key), says why, and refuses one posted anyway; the reviewer ticks the fields
they have checked. The bulk action and the API agree (tests/enrichment/api/test_review_actions)."""

import re

import pytest

from catalog.models import Edition
from enrichment import engine, queue, review
from enrichment.candidates import Contributor
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_author_requests import decide
from tests.enrichment.test_review import needs_review, ol_record
from tests.enrichment.test_review_admin import (  # noqa: F401 (no_task_queue: an autouse fixture)
    change_url,
    decision_url,
    librarian,
    no_task_queue,
)
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
REFUSAL = "Its confidence is low: the record's title or author does not agree with the book's"


def another_authors_book(title: str = "Les Enchanteurs") -> EnrichmentRequest:
    """The demo's case: our "Les Enchanteurs" is credited to James Ellroy; the provider's
    record for our ISBN and title is Romain Gary's (author 0/5): low confidence, waiting."""
    work = make_work(title, authors=["James Ellroy"])
    edition = make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    answer = ol_record(
        edition.isbn13,
        title=title,
        authors=[Contributor("Romain Gary")],
        isbn13=[edition.isbn13],
        publisher="Gallimard",
    )
    provider = FakeProvider(answers={edition.isbn13: [answer]})
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[provider])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert (request.status, request.confidence) == ("needs_review", "low")
    assert request.proposal.scores.author == 0
    return request


def catalog_untouched(request: EnrichmentRequest) -> bool:
    request.refresh_from_db()
    edition = Edition.objects.get(work=request.work_id)
    return (
        request.status == "needs_review"
        and request.reviewed_by_id is None
        and not request.fields_applied
        and request.cover_status == ""  # no cover download queued
        and (edition.publisher, edition.page_count) == ("", None)
        and not AuditLogEntry.objects.filter(request=request).exists()
    )


def test_a_low_confidence_page_offers_no_one_click_approval_and_says_why(client):
    medium, low = needs_review(), another_authors_book()
    client.force_login(librarian())

    page = client.get(change_url(medium)).content.decode()
    assert 'name="_safe"' in page and 'data-review-key="s"' in page
    assert "<kbd>s</kbd> approve safe" in page

    page = client.get(change_url(low)).content.decode()
    assert 'name="_safe"' not in page and "Approve safe proposal" not in page
    assert 'data-review-key="s"' not in page  # the key does nothing here
    assert "<kbd>s</kbd>" not in page  # nor does the help list it
    assert "Low confidence: no one-click approval." in page
    assert "it may be another book" in page
    # What the reviewer can do is all there: tick and approve, dismiss, the keys that do so.
    assert 'data-review-key="a"' in page and 'data-review-key="d"' in page
    assert "<kbd>d</kbd> dismiss" in page and "<kbd>r</kbd> reason" in page
    assert 'name="fields" value="publisher"' in page
    assert not re.search(r'name="fields" value="\w+" id="[\w-]+" checked', page)


def test_a_safe_approval_posted_on_a_low_confidence_request_is_refused_and_applies_nothing(
    client,
):
    """A forged (or stale page's) "Approve safe proposal": the server's rule, not the page's
    button, decides. Nothing of Romain Gary's record lands on James Ellroy's book."""
    request = another_authors_book()
    client.force_login(librarian())

    response = client.post(decision_url(request, "approve"), {"_safe": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == change_url(request)  # back on its page
    page = response.content.decode()
    assert "Not approved: " + REFUSAL.replace("'", "&#x27;") in page
    assert catalog_untouched(request)

    # The reviewer ticks what they checked: that alone is applied.
    response = client.post(
        decision_url(request, "approve"), {"_chosen": "1", "fields": ["page_count"]}
    )
    edition = Edition.objects.get(work=request.work_id)
    assert (edition.publisher, edition.page_count) == ("", 370)


def test_approving_nothing_ticked_on_a_low_confidence_page_does_not_point_to_a_safe_approval(
    client,
):
    request = another_authors_book()
    client.force_login(librarian())

    response = client.post(decision_url(request, "approve"), {"_chosen": "1"}, follow=True)

    page = response.content.decode()
    assert "Tick the fields to apply." in page and "approve the safe proposal" not in page
    assert catalog_untouched(request)


def test_an_authors_low_confidence_proposal_is_not_approved_in_one_click_either():
    """The same rule for an author's request: a record that may be another person's."""
    author = make_author("Sergei Lukyanenko")
    request = decide(author, Tier.LOW, birth_year=1968)

    with pytest.raises(review.ReviewError, match=re.escape(REFUSAL)):
        review.request_approve(request=request, actor=None)

    author.refresh_from_db()
    request.refresh_from_db()
    assert author.birth_year is None and request.status == "needs_review"
