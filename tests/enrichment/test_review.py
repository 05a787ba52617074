"""Reviewers' decisions (enrichment/review.py): approve, dismiss, re-run, revert, bulk."""

import pytest

from catalog.models import Edition, Work
from enrichment import bulk_operations, engine, presenters, queue, revert, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.covers import assign_cover, store_cover, verify_cover
from enrichment.merge import merge_candidates
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from enrichment.proposals import Scores, build_proposal
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
COVER_URL = "https://covers.openlibrary.org/b/id/1-L.jpg"
FIXTURE_COVER = "tests/fixtures/covers/synthetic-cover-400x600.jpg"


@pytest.fixture(autouse=True)
def no_task_queue(monkeypatch, sent_tasks):
    """Record what would be handed to django-q2 instead of queuing it (sent_tasks)."""
    return sent_tasks


def ol_record(queried: str, **fields):
    """An Open Library answer for our ISBN that lists no ISBN itself: a medium match."""
    values = {
        "title": "Neverwhere",
        "authors": [Contributor("Neil Gaiman")],
        "publisher": "HarperTorch",
        "page_count": 370,
        "publication_date": "2003-09",
        "language": "eng",
        "description": "Richard Mayhew is a young businessman...",
        "subjects": ["London (England)", "Fantasy fiction"],
        "covers": [CoverRef("openlibrary", COVER_URL, "1", "L")],
        "provider_ids": {"openlibrary_edition": "OL1M", "openlibrary_work": "OL1W"},
        "queried_isbn": queried,
    }
    values.update(fields)
    return candidate(**values)


def needs_review(title="Neverwhere", author="Neil Gaiman", **record_fields) -> EnrichmentRequest:
    """A work with a publisher, enriched by the real engine to a medium match: waits."""
    work = make_work(title, authors=[author])
    edition = make_edition(work, publisher="Harper")
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    answer = ol_record(edition.isbn13, title=title, authors=[Contributor(author)], **record_fields)
    engine.process_requests(claimed, providers=[FakeProvider(answers={edition.isbn13: [answer]})])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == Status.NEEDS_REVIEW and request.confidence == "medium"
    return request


def edition_of(request) -> Edition:
    return Edition.objects.get(work=request.work_id)


# --- Approve ----------------------------------------------------------------------------------


def test_safe_approval_fills_empty_fields_only_and_records_who(reviewer, no_task_queue):
    request = needs_review()
    result = review.request_approve(request=request, actor=reviewer)

    edition, work = edition_of(request), Work.objects.get(pk=request.work_id)
    assert edition.publisher == "Harper"  # non-empty: never replaced without a tick
    assert edition.page_count == 370 and edition.language == "en"
    assert work.description.startswith("Richard Mayhew")
    assert "publisher" not in result.applied and "page_count" in result.applied
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.reviewed_by == reviewer and request.reviewed_at is not None
    assert request.proposal.fields["page_count"].applied is True
    assert not request.proposal.fields["publisher"].applied
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert entry.actor == reviewer and entry.request == request
    assert entry.changes["page_count"] == {"old": None, "new": 370, "target": "edition"}
    assert work.enrichment_status == "enriched" and work.completeness > 0
    # The cover (the work has none) is safe too: its download is queued for the reviewer.
    assert result.cover == "queued" and request.cover_status == "pending"


def test_safe_approval_queues_the_cover_download_on_commit(
    reviewer, no_task_queue, django_capture_on_commit_callbacks
):
    request = needs_review()
    with django_capture_on_commit_callbacks(execute=True):
        review.request_approve(request=request, actor=reviewer)
    assert ("enrichment.tasks.fetch_covers_for_requests", ([request.pk], reviewer.pk)) in [
        (task.func, task.args) for task in no_task_queue
    ]


def test_chosen_fields_are_applied_even_over_a_value(reviewer):
    request = needs_review()
    result = review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    edition = edition_of(request)
    assert edition.publisher == "HarperTorch"
    assert edition.page_count is None  # not ticked: not applied
    assert result.applied == {
        "publisher": {"old": "Harper", "new": "HarperTorch", "target": "edition"}
    }
    assert result.cover == ""


def test_approving_twice_changes_nothing_the_second_time(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    again = review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    safe_again = review.request_approve(request=request, actor=reviewer)
    assert again.already_done and safe_again.already_done
    assert AuditLogEntry.objects.filter(action="review_apply").count() == 1


def test_a_completed_request_still_takes_a_chosen_field(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer)  # safe: publisher stays
    result = review.request_approve(request=request, actor=reviewer, fields=["publisher"])
    assert result.applied["publisher"]["new"] == "HarperTorch"
    assert AuditLogEntry.objects.filter(action="review_apply").count() == 2


def test_choosing_the_cover_queues_it_to_replace_any_cover(
    reviewer, no_task_queue, django_capture_on_commit_callbacks
):
    request = needs_review()
    with django_capture_on_commit_callbacks(execute=True):
        result = review.request_approve(
            request=request, actor=reviewer, fields=["cover", "language"]
        )
    assert result.cover == "queued" and "language" in result.applied
    request.refresh_from_db()
    assert request.cover_status == "pending" and request.cover_replace
    assert ("enrichment.tasks.fetch_covers_for_requests", ([request.pk], reviewer.pk)) in [
        (task.func, task.args) for task in no_task_queue
    ]


def test_a_field_filled_since_the_proposal_is_refused_by_the_safe_approval(reviewer):
    request = needs_review()
    Edition.objects.filter(work=request.work_id).update(page_count=999)
    result = review.request_approve(request=request, actor=reviewer)
    assert result.refused["page_count"] == "the field already holds a value"
    assert edition_of(request).page_count == 999
    request.refresh_from_db()
    assert request.proposal.fields["page_count"].refused == "the field already holds a value"


def test_fields_that_were_not_proposed_are_refused(reviewer):
    request = needs_review()
    with pytest.raises(review.ReviewError, match="Not proposed"):
        review.request_approve(request=request, actor=reviewer, fields=["title"])


def test_requests_still_being_looked_up_cannot_be_approved(reviewer):
    work = make_work("Pending")
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    with pytest.raises(review.ReviewError, match="still being looked up"):
        review.request_approve(request=request, actor=reviewer)


def test_authors_are_credited_to_a_work_without_any(reviewer):
    request = needs_review()
    Work.objects.get(pk=request.work_id).credits.all().delete()
    result = review.request_approve(request=request, actor=reviewer)
    assert result.applied["authors"] == {"old": [], "new": ["Neil Gaiman"], "target": "work"}


# --- Dismiss ----------------------------------------------------------------------------------


def test_dismissing_takes_the_request_out_of_the_review_queue(reviewer):
    request = needs_review()
    result = review.request_dismiss(request=request, actor=reviewer, reason="another edition")
    assert result.dismissed
    request.refresh_from_db()
    assert request.status == Status.SKIPPED and not request.retry_when_available
    assert request.review_note == "Dismissed: another edition"
    assert not EnrichmentRequest.objects.filter(status=Status.NEEDS_REVIEW).exists()
    entry = AuditLogEntry.objects.get(action="dismiss")
    assert entry.actor == reviewer and entry.note == "another edition" and entry.changes == {}
    assert edition_of(request).publisher == "Harper"  # the catalog keeps what it holds
    assert Work.objects.get(pk=request.work_id).enrichment_status == "dismissed"
    assert not review.request_dismiss(request=request, actor=reviewer).dismissed  # idempotent
    with pytest.raises(review.ReviewError, match="dismissed"):
        review.request_approve(request=request, actor=reviewer)


def test_only_requests_waiting_for_review_can_be_dismissed(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer)
    with pytest.raises(review.ReviewError, match="waiting for review"):
        review.request_dismiss(request=request, actor=reviewer)


# --- Re-run -----------------------------------------------------------------------------------


def test_rerun_queues_a_new_request_and_supersedes_the_waiting_one(reviewer):
    request = needs_review()
    result = review.request_rerun(request=request, actor=reviewer)
    new = EnrichmentRequest.objects.get(pk=result.new_request_id)
    assert new.status == Status.PENDING and new.trigger == "manual_bulk"
    request.refresh_from_db()
    assert request.status == Status.SKIPPED and "Superseded" in request.review_note
    again = review.request_rerun(request=request, actor=reviewer)
    assert again.new_request_id is None and again.reason == review.ALREADY_QUEUED


def test_rerun_says_why_when_the_work_lacks_nothing(reviewer):
    request = needs_review()
    Work.objects.filter(pk=request.work_id).update(
        description="d", first_published_year=1996, subjects=["x"], cover="covers/x.jpg"
    )
    Edition.objects.filter(work=request.work_id).update(page_count=10)
    result = review.request_rerun(request=request, actor=reviewer)
    assert result.new_request_id is None and result.reason == review.NOTHING_MISSING
    request.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW  # nothing replaced it


# --- Revert -----------------------------------------------------------------------------------


def test_revert_restores_the_old_values_and_is_itself_audited(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "description"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    result = revert.audit_revert(entry=entry, actor=reviewer)

    assert set(result.reverted) == {"publisher", "description"} and not result.refused
    assert edition_of(request).publisher == "Harper"
    assert Work.objects.get(pk=request.work_id).description == ""
    undo = result.revert_entry
    assert undo.action == "revert" and undo.reverts == entry and undo.actor == reviewer
    assert undo.changes["publisher"] == {
        "old": "HarperTorch",
        "new": "Harper",
        "target": "edition",
    }
    request.refresh_from_db()
    assert request.proposal.fields["publisher"].applied is False
    assert request.proposal.fields["publisher"].reverted is True
    assert "publisher" not in request.fields_applied
    # Done once: a second revert finds nothing left to restore.
    again = revert.audit_revert(entry=entry, actor=reviewer)
    assert not again.reverted and "already reverted" in again.refused["publisher"]


def test_revert_leaves_a_field_changed_since_and_says_why(reviewer):
    request = needs_review()
    review.request_approve(request=request, actor=reviewer, fields=["publisher", "page_count"])
    Edition.objects.filter(work=request.work_id).update(publisher="Headline")
    entry = AuditLogEntry.objects.get(action="review_apply")
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert set(result.reverted) == {"page_count"}
    assert "changed since" in result.refused["publisher"]
    assert "“Headline”" in result.refused["publisher"]
    edition = edition_of(request)
    assert edition.publisher == "Headline" and edition.page_count is None


def test_revert_of_an_automatic_apply_and_of_formats_and_dates(reviewer):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work)
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    record = ol_record(
        edition.isbn13, isbn13=[edition.isbn13], format="Paperback", publication_date="2003"
    )
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [record]})],
    )
    entry = AuditLogEntry.objects.get(action="auto_apply")
    assert {"format", "publication_date", "publisher"} <= set(entry.changes)
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert not result.refused, result.refused
    edition.refresh_from_db()
    assert edition.format == "" and edition.publication_date is None and edition.publisher == ""
    assert not work.credits.exists() or result.reverted.get("authors") is None


def test_entries_that_changed_nothing_cannot_be_reverted(reviewer):
    request = needs_review()
    review.request_dismiss(request=request, actor=reviewer)
    result = revert.audit_revert(entry=AuditLogEntry.objects.get(action="dismiss"), actor=reviewer)
    assert not result.reverted and "*" in result.refused
    assert not AuditLogEntry.objects.filter(action="revert").exists()


def cover_applied_with_its_entry(request, edition):
    """The fixture cover applied to an edition that had none, with the audit entry the cover
    step writes: (the stored cover, the entry)."""
    with open(FIXTURE_COVER, "rb") as f:
        stored = store_cover(verify_cover(f.read()))
    assign_cover(edition, stored, source="openlibrary", source_url=COVER_URL)
    entry = AuditLogEntry.objects.create(
        request=request,
        work_id=request.work_id,
        edition=edition,
        action="cover",
        changes={
            "cover": {
                "old": "",
                "new": stored.original_name,
                "target": "edition",
                "previous": {"cover": "", "cover_source": "", "cover_source_url": ""},
            }
        },
    )
    return stored, entry


def test_revert_of_a_cover_puts_the_work_back_without_one(reviewer):
    request = needs_review()
    edition = edition_of(request)
    stored, entry = cover_applied_with_its_entry(request, edition)
    result = revert.audit_revert(entry=entry, actor=reviewer)
    assert result.reverted["cover"] == {"old": stored.original_name, "new": "", "target": "edition"}
    edition.refresh_from_db()
    assert not edition.cover and not edition.cover_thumbnail and not edition.cover_sha256
    assert edition.cover_verified_at is None


# --- Bulk -------------------------------------------------------------------------------------


def test_bulk_approve_counts_what_it_did_and_why_not(reviewer):
    waiting = [needs_review(f"Book {i}", f"Author {i}") for i in range(3)]
    review.request_dismiss(request=waiting[0], actor=reviewer)
    result = review.requests_approve_bulk(
        queryset=EnrichmentRequest.objects.filter(pk__in=[r.pk for r in waiting]), actor=reviewer
    )
    assert (result.changed, result.unchanged, result.failed) == (2, 1, 0)
    assert result.reasons == {"dismissed already": 1}
    assert EnrichmentRequest.objects.filter(status=Status.COMPLETED).count() == 2
    # Again: each says how it was decided, a phrase the summary counts.
    again = review.requests_approve_bulk(
        queryset=EnrichmentRequest.objects.filter(pk__in=[r.pk for r in waiting]), actor=reviewer
    )
    assert presenters.bulk_summary(again, verb="approved") == (
        "0 approved, 3 left as they were (2 approved already; 1 dismissed already)."
    )


def test_bulk_approve_leaves_a_low_confidence_match_for_someone_to_check(reviewer):
    """The title or the author does not agree: the record may be another book's, whose data the
    proposal would put in the empty fields. Only a reviewer on its page approves it."""
    medium = needs_review("Book 1", "Author 1")
    low = needs_review("Lake of the Long Sun", "Gene Wolfe")
    EnrichmentRequest.objects.filter(pk=low.pk).update(confidence="low")
    automatic = needs_review("Book 3", "Author 3")
    EnrichmentRequest.objects.filter(pk=automatic.pk).update(status=Status.COMPLETED)

    result = review.requests_approve_bulk(
        queryset=EnrichmentRequest.objects.filter(pk__in=[medium.pk, low.pk, automatic.pk]),
        actor=reviewer,
    )

    assert presenters.bulk_summary(result, verb="approved") == (
        "1 approved, 2 left as they were (1 of low confidence (check each on its page); "
        "1 applied automatically already)."
    )
    low.refresh_from_db()
    assert low.status == Status.NEEDS_REVIEW and not low.fields_applied
    assert edition_of(low).page_count is None


def test_bulk_dismiss_keeps_the_reason_on_each(reviewer):
    waiting = [needs_review(f"Book {i}", f"Author {i}") for i in range(2)]
    result = review.requests_dismiss_bulk(
        queryset=EnrichmentRequest.objects.filter(pk__in=[r.pk for r in waiting]),
        actor=reviewer,
        reason="wrong editions",
    )
    assert result.changed == 2
    assert set(EnrichmentRequest.objects.values_list("review_note", flat=True)) == {
        "Dismissed: wrong editions"
    }


def test_enrich_selected_works_says_why_some_were_not_queued(reviewer):
    lacking = make_work("Lacking")
    queued = make_work("Queued")
    queue.works_enqueue_enrichment(work_ids=[queued.pk], dispatch=False)
    complete = make_work("Complete", description="d", first_published_year=2000, subjects=["x"])
    complete_edition = make_edition(complete, publisher="P", page_count=10)
    Edition.objects.filter(pk=complete_edition.pk).update(cover="covers/x.jpg")
    result = review.works_enrich_bulk(
        queryset=Work.objects.filter(pk__in=[lacking.pk, queued.pk, complete.pk]), actor=reviewer
    )
    assert result.changed == 1
    assert result.reasons == {review.ALREADY_QUEUED: 1, review.NOTHING_MISSING: 1}


def waiting_requests(count: int) -> list[int]:
    """Many requests waiting for review, created directly (the engine is tested elsewhere)."""
    works = Work.objects.bulk_create([Work(title=f"Book {i}") for i in range(count)])
    Edition.objects.bulk_create([Edition(work=w, publisher="") for w in works])
    merged = merge_candidates([candidate(publisher="Penguin", page_count=200)])
    proposal = build_proposal(
        current={"publisher": "", "page_count": None},
        merged=merged,
        tier="medium",
        scores=Scores(isbn=0, title=3, author=2),
    )
    requests = EnrichmentRequest.objects.bulk_create(
        [
            EnrichmentRequest(
                work=w,
                trigger="command",
                status="needs_review",
                confidence="medium",
                proposal=proposal,
            )
            for w in works
        ]
    )
    return [r.pk for r in requests]


def test_a_large_bulk_operation_is_worked_in_chunks_with_progress(
    reviewer, no_task_queue, django_capture_on_commit_callbacks
):
    ids = waiting_requests(bulk_operations.BULK_INLINE_MAX + 50)
    operation = bulk_operations.bulk_operation_start(
        action=BulkOperation.Action.APPROVE,
        actor=reviewer,
        queryset=EnrichmentRequest.objects.filter(status="needs_review"),
        selection="all",
        query_string="status__exact=needs_review",
        select_across=True,
    )
    assert operation.total == len(ids) and operation.object_ids == sorted(ids)

    # A short time budget: one chunk, then the rest goes to a new task.
    with django_capture_on_commit_callbacks(execute=True):
        first = bulk_operations.bulk_operation_run(operation_id=operation.pk, time_budget=0)
    assert first.status == "running" and first.done == review.BULK_CHUNK_SIZE
    assert no_task_queue[-1].func == "enrichment.tasks.run_bulk_operation"

    final = bulk_operations.bulk_operation_run(operation_id=operation.pk, time_budget=60)
    assert final.status == "completed" and final.done == final.total == len(ids)
    assert final.changed == len(ids) and final.failed == 0
    assert not EnrichmentRequest.objects.filter(status="needs_review").exists()
    assert set(Edition.objects.values_list("publisher", flat=True)) == {"Penguin"}
    # Idempotent: running it again does nothing.
    assert bulk_operations.bulk_operation_run(operation_id=operation.pk).changed == len(ids)


def test_the_review_task_runs_a_bulk_operation(reviewer):
    from enrichment import tasks

    ids = waiting_requests(3)
    operation = bulk_operations.bulk_operation_start(
        action=BulkOperation.Action.DISMISS,
        actor=reviewer,
        queryset=EnrichmentRequest.objects.filter(pk__in=ids),
        options={"reason": "duplicates"},
    )
    assert tasks.run_bulk_operation(operation.pk) == {
        "status": "completed",
        "done": 3,
        "total": 3,
    }
    assert EnrichmentRequest.objects.filter(review_note="Dismissed: duplicates").count() == 3
