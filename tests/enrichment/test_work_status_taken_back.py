"""A work's enrichment status once a person took back what enrichment offered it: a revert of
all or part of what it applied, a dismissal (targets.RequestTargets.status_once_taken_back, the
one rule). The works list, its filter, the dashboard and the API all read that one field."""

import pytest
from django.urls import reverse

from catalog.models import Work
from enrichment import engine, queue, revert, review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_review import cover_applied_with_its_entry, needs_review, ol_record
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def auto_applied(title="Neverwhere") -> tuple[Work, AuditLogEntry]:
    """A work the engine enriched by itself on a high match: (the work, its auto-apply entry)."""
    work = make_work(title, authors=["Neil Gaiman"])
    edition = make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    record = ol_record(edition.isbn13, title=title, isbn13=[edition.isbn13], covers=[])
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [record]})],
    )
    work.refresh_from_db()
    assert work.enrichment_status == "enriched"
    return work, AuditLogEntry.objects.get(work=work, action="auto_apply")


def status_of(work: Work) -> str:
    return Work.objects.get(pk=work.pk).enrichment_status


def test_a_fully_reverted_work_no_longer_says_enriched(reviewer, admin_client):
    work, entry = auto_applied()
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert result.reverted and not result.refused

    assert status_of(work) == "dismissed"  # a person turned it down: nothing of it remains
    works = reverse("admin:catalog_work_changelist")
    listed = admin_client.get(works, {"enrichment_status": "enriched"})
    assert work.title not in listed.content.decode()
    listed = admin_client.get(works, {"enrichment_status": "dismissed"})
    assert work.title in listed.content.decode()


def test_a_work_reverted_in_part_says_enriched_until_the_rest_is_reverted(reviewer):
    work, entry = auto_applied()
    description = entry.changes["description"]["new"]
    Work.objects.filter(pk=work.pk).update(description="Typed by a librarian since.")
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert "description" in result.refused and result.reverted  # the rest was put back
    assert status_of(work) == "enriched"  # what it set in the description still stands

    Work.objects.filter(pk=work.pk).update(description=description)
    assert set(revert.audit_revert(entry=entry, actor=reviewer).reverted) == {"description"}
    assert status_of(work) == "dismissed"


def test_a_revert_leaves_the_state_of_a_later_try(reviewer):
    work, entry = auto_applied()
    Work.objects.filter(pk=work.pk).update(enrichment_status="queued")  # a new request waits
    revert.audit_revert(entry=entry, actor=reviewer)
    assert status_of(work) == "queued"
    # …and a revert of everything the enrichment applied says so once nothing is under way.
    Work.objects.filter(pk=work.pk).update(enrichment_status="enriched")
    second, entry = auto_applied("Stardust")
    revert.audit_revert(entry=entry, actor=reviewer)
    assert status_of(second) == "dismissed"


def test_a_dismissed_proposal_whose_cover_was_then_reverted_says_dismissed(reviewer):
    request = needs_review()  # a medium match: its cover is applied, the rest waits
    edition = request.work.editions.get()
    _stored, cover_entry = cover_applied_with_its_entry(request, edition)
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="applied")
    review.request_dismiss(request=request, actor=reviewer)
    assert status_of(request.work) == "enriched"  # the cover it applied stands

    revert.audit_revert(entry=cover_entry, actor=reviewer)
    assert status_of(request.work) == "dismissed"  # nothing the enrichment applied is left


def test_dismissing_a_new_proposal_keeps_enriched_what_an_earlier_one_enriched(reviewer):
    work, _entry = auto_applied()
    Work.objects.filter(pk=work.pk).update(enrichment_status="needs_review")
    later = EnrichmentRequest.objects.create(
        work=work, trigger="manual_bulk", status=Status.NEEDS_REVIEW, confidence="low"
    )
    review.request_dismiss(request=later, actor=reviewer)
    assert status_of(work) == "enriched"  # the earlier request's values are in the catalog
