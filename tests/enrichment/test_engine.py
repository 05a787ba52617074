"""The enrichment engine against the database: queue, claims, tiers, apply, audit, retries."""

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from enrichment import engine, queue
from enrichment.candidates import Contributor, CoverRef, LookupStatus
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status


def neverwhere(**edition_fields):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812", isbn10="0060557818", **edition_fields)
    return work, edition


def ol_neverwhere(**fields):
    values = {
        "title": "Neverwhere",
        "authors": [Contributor("Neil Gaiman")],
        "isbn13": ["9780060557812"],
        "publisher": "HarperTorch",
        "page_count": 370,
        "publication_date": "2003-09",
        "language": "eng",
        "description": "Richard Mayhew is a young businessman...",
        "subjects": ["London (England)", "Fantasy fiction"],
        "first_published_year": 1996,
        "covers": [
            CoverRef("openlibrary", "https://covers.openlibrary.org/b/id/1-L.jpg", "1", "L")
        ],
        "provider_ids": {"openlibrary_edition": "OL1M", "openlibrary_work": "OL1W"},
    }
    values.update(fields)
    return candidate(**values)


def enqueue_and_run(providers, **kwargs):
    ids = queue.works_enqueue_enrichment(dispatch=False, **kwargs)
    claimed = queue.requests_claim(request_ids=ids)
    stats = engine.process_requests(claimed, providers=providers)
    return ids, stats


@pytest.fixture(autouse=True)
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


# --- The queue -----


def test_at_most_one_active_request_per_work_is_a_database_constraint():
    work = make_work()
    EnrichmentRequest.objects.create(work=work, trigger="command")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrichmentRequest.objects.create(work=work, trigger="command", status="in_progress")
    EnrichmentRequest.objects.filter(work=work).update(status="completed")
    EnrichmentRequest.objects.create(work=work, trigger="command")  # a new one once finished


def test_enqueue_picks_works_missing_cover_or_metadata_and_skips_active_ones():
    missing, _ = neverwhere()
    complete = make_work(
        "Complete", authors=["A"], description="d", first_published_year=2000, subjects=["x"]
    )
    complete_edition = make_edition(complete, publisher="P", page_count=10)
    complete_edition.cover = "covers/x.jpg"
    complete_edition.save()
    first = queue.works_enqueue_enrichment(dispatch=False)
    assert EnrichmentRequest.objects.get(pk__in=first).work == missing
    assert queue.works_enqueue_enrichment(dispatch=False) == []  # already active
    missing.refresh_from_db()
    assert missing.enrichment_status == "queued"


def test_enqueue_dispatches_batches_on_commit(
    settings, sent_tasks, django_capture_on_commit_callbacks
):
    settings.ENRICHMENT_BATCH_SIZE = 2
    for i in range(5):
        make_edition(make_work(f"Book {i}"))
    with django_capture_on_commit_callbacks(execute=True):
        ids = queue.works_enqueue_enrichment(trigger="manual_bulk")
    assert [len(task.args[0]) for task in sent_tasks] == [2, 2, 1]
    assert sorted(i for task in sent_tasks for i in task.args[0]) == sorted(ids)
    assert set(EnrichmentRequest.objects.values_list("priority", flat=True)) == {30}


def test_books_known_by_isbn_or_key_are_dispatched_before_title_searches(settings, sent_tasks):
    settings.ENRICHMENT_BATCH_SIZE, settings.ENRICHMENT_SEARCH_BATCH_SIZE = 100, 2
    searched = [make_work(f"No ISBN {i}", authors=["Someone"]).pk for i in range(5)]
    isbn = [make_edition(make_work(f"ISBN {i}")).work_id for i in range(3)]
    keyed = [make_work("Keyed", openlibrary_work_key="OL45804W").pk]
    ids = queue.works_enqueue_enrichment(dispatch=False)
    assert queue.requests_dispatch(request_ids=ids) == 4

    work_of = dict(EnrichmentRequest.objects.values_list("pk", "work_id"))
    batches = [[work_of[pk] for pk in task.args[0]] for task in sent_tasks]
    assert sorted(batches[0]) == sorted(isbn + keyed)  # one batch, first
    assert [len(batch) for batch in batches[1:]] == [2, 2, 1]
    assert sorted(pk for batch in batches[1:] for pk in batch) == sorted(searched)


def test_a_batch_decides_its_isbn_books_before_any_title_search():
    identified = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(identified)
    unknown = make_work("A Book Without An ISBN", authors=["Someone Else"])
    ids = queue.works_enqueue_enrichment(dispatch=False)
    record = candidate(
        title="Neverwhere",
        authors=[Contributor("Neil Gaiman")],
        isbn13=[edition.isbn13],
        page_count=370,
        queried_isbn=edition.isbn13,
    )
    statuses_when_searching = []

    class SearchingProvider(FakeProvider):
        def search(self, *, title, author):
            statuses_when_searching.append(
                dict(EnrichmentRequest.objects.values_list("work_id", "status"))
            )
            return super().search(title=title, author=author)

    provider = SearchingProvider(answers={edition.isbn13: [record]})
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[provider])

    assert provider.search_calls == [("A Book Without An ISBN", "Someone Else")]
    # When the search started, the ISBN book was already completed and applied.
    assert statuses_when_searching[0][identified.pk] == "completed"
    assert statuses_when_searching[0][unknown.pk] == "in_progress"
    assert EnrichmentRequest.objects.get(work=unknown).status == "skipped"


def test_import_hook_queues_the_imported_works():
    work = make_work("Imported")
    assert queue.post_import_hook(work_ids=[work.pk], trigger="post_import") == 1
    assert EnrichmentRequest.objects.get().trigger == "post_import"


def test_claims_are_exclusive():
    for i in range(4):
        make_work(f"Book {i}")
    ids = queue.works_enqueue_enrichment(dispatch=False)
    first = queue.requests_claim(request_ids=ids, limit=3)
    second = queue.requests_claim(request_ids=ids)
    assert len(first) == 3 and len(second) == 1
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert all(r.status == "in_progress" and r.attempts == 1 for r in first)


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_get_the_same_request():
    for i in range(60):
        make_work(f"Book {i}")
    ids = queue.works_enqueue_enrichment(dispatch=False)
    got: list[list[int]] = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        mine = []
        while claimed := queue.requests_claim(request_ids=ids, limit=5):
            mine += [r.pk for r in claimed]
        got.append(mine)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got[0] + got[1]) == sorted(ids)
    assert not set(got[0]) & set(got[1])


# --- Tiers and apply -----


def test_high_confidence_fills_empty_fields_only_and_writes_the_audit_log():
    work, edition = neverwhere(publisher="Avon")  # a publisher already set by a librarian
    (request_id,), stats = enqueue_and_run(
        [FakeProvider(answers={"9780060557812": [ol_neverwhere()]})]
    )
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert (request.status, request.confidence) == ("completed", "high")
    work.refresh_from_db()
    edition.refresh_from_db()
    assert edition.publisher == "Avon"  # never overwritten
    assert edition.page_count == 370 and edition.language == "en"
    assert edition.publication_date_display == "2003-09"
    assert work.description.startswith("Richard Mayhew")
    assert work.first_published_year == 1996
    assert work.subjects == ["London (England)", "Fantasy fiction"]
    assert work.openlibrary_work_key == "OL1W" and edition.openlibrary_edition_key == "OL1M"
    assert work.enrichment_status == "enriched" and work.enrichment_confidence == "high"
    assert work.last_enriched_at and work.completeness > 0

    entry = AuditLogEntry.objects.get(request=request)
    assert entry.action == "auto_apply" and entry.tier == "high"
    assert entry.changes["page_count"] == {"old": None, "new": 370, "target": "edition"}
    assert "publisher" not in entry.changes
    assert request.proposal.fields["publisher"].current == "Avon"  # still proposed, for review
    assert not request.proposal.fields["publisher"].applied
    assert request.proposal.cover.proposed[0].cover_id == "1"
    assert request.cover_status == "pending"
    assert sorted(request.fields_applied) == sorted(entry.changes)
    # The match details keep what the provider called the book beside the scores.
    [details] = request.match_details.candidates
    assert (details.title, details.title_score, details.tier) == ("Neverwhere", 5, "high")
    assert stats.statuses["completed"] == 1


def test_high_confidence_credits_authors_only_when_the_work_has_none():
    work = make_work("Neverwhere")
    make_edition(work, isbn13="9780060557812")
    enqueue_and_run([FakeProvider(answers={"9780060557812": [ol_neverwhere()]})])
    assert [a.name for a in work.authors.all()] == ["Neil Gaiman"]


def test_auto_apply_switches_are_honoured(settings):
    settings.ENRICHMENT_AUTO_APPLY_METADATA = False
    settings.ENRICHMENT_AUTO_APPLY_COVERS = False
    _work, edition = neverwhere()
    (request_id,), _ = enqueue_and_run([FakeProvider(answers={"9780060557812": [ol_neverwhere()]})])
    request = EnrichmentRequest.objects.get(pk=request_id)
    edition.refresh_from_db()
    assert edition.page_count is None and not AuditLogEntry.objects.exists()
    assert request.cover_status == ""


def test_medium_applies_the_cover_only_and_sends_metadata_to_review():
    work = make_work("The Left Hand of Darkness", authors=["Ursula K. Le Guin"])
    make_edition(work, isbn13=None)
    found = candidate(
        title="The Left Hand of Darkness",
        authors=[Contributor("Ursula K. Le Guin")],
        isbn13=["9780441478125"],
        page_count=304,
        covers=[CoverRef("openlibrary", "https://covers.openlibrary.org/b/id/2-L.jpg", "2", "L")],
    )
    (request_id,), _ = enqueue_and_run([FakeProvider(search_answers=[found])])
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert (request.status, request.confidence) == ("needs_review", "medium")
    assert request.cover_status == "pending"  # covers are safe on medium
    assert work.editions.get().page_count is None  # metadata waits for a reviewer
    assert request.proposal.fields["page_count"].proposed == 304
    assert request.match_details.via_title_search is True


def test_low_confidence_needs_review_and_applies_nothing():
    _work, _edition = neverwhere()
    other_edition = ol_neverwhere(isbn13=["9780380789016"])  # same book, other ISBN
    provider = FakeProvider(answers={"9780060557812": [other_edition]})
    (request_id,), _ = enqueue_and_run([provider])
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert (request.status, request.confidence) == ("needs_review", "low")
    assert request.cover_status == "" and not AuditLogEntry.objects.exists()
    assert any("another edition" in r for r in request.match_details.candidates[0].reasons)


def test_unknown_book_is_skipped_keeps_its_data_and_is_marked_unresolved():
    work, _edition = neverwhere(publisher="Avon")
    (request_id,), _stats = enqueue_and_run([FakeProvider()])
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert (request.status, request.confidence) == ("skipped", "none")
    assert request.match_details.reason == "No provider knows this book."
    work.refresh_from_db()
    assert work.enrichment_status == "unresolved"
    assert work.title == "Neverwhere" and work.editions.get().publisher == "Avon"


def test_a_title_only_lookalike_is_not_applied():
    work = make_work("The Hitchhiker's Guide to the Galaxy", authors=["Douglas Adams"])
    make_edition(work, isbn13=None)
    lookalike = candidate(
        title="The Hitchhiker's Guide to the Galaxy",
        authors=[Contributor("Somebody Else")],
        isbn13=["9780000000002"],
        page_count=99,
    )
    (request_id,), _ = enqueue_and_run([FakeProvider(search_answers=[lookalike])])
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert request.status in ("skipped", "needs_review")
    assert work.editions.get().page_count is None


def test_a_book_no_provider_could_be_asked_waits_for_the_quota_reset_not_unresolved():
    work, _ = neverwhere()
    (request_id,), _ = enqueue_and_run([FakeProvider(status=LookupStatus.QUOTA_EXHAUSTED)])
    request = EnrichmentRequest.objects.get(pk=request_id)
    # Pending again, the claim not counted (nobody was asked), until the budgets reset at UTC
    # midnight.
    assert (request.status, request.attempts) == ("pending", 0)
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(UTC).date()
    assert request.next_attempt_at == datetime.combine(tomorrow, time(), tzinfo=UTC)
    assert request.last_error == (
        "Waiting for providers unavailable for now: Open Library: its daily quota is spent."
    )
    work.refresh_from_db()
    assert work.enrichment_status == "waiting"


# --- Faults, retries, crashed workers ----------------------------------------------------------


def test_provider_faults_back_off_then_fail_with_the_last_error(settings):
    settings.ENRICHMENT_RETRY_BASE_SECONDS = 60
    work, _ = neverwhere()
    failing = FakeProvider(status=LookupStatus.SERVER_ERROR)
    (request_id,), _ = enqueue_and_run([failing])
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert request.status == "pending" and request.attempts == 1
    assert request.last_error == "Open Library: openlibrary.org: boom"
    work.refresh_from_db()
    assert work.enrichment_status == "waiting"  # retried on its own meanwhile
    first_delay = request.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_delay <= timedelta(seconds=60)

    for expected_delay in (120, None):
        EnrichmentRequest.objects.filter(pk=request_id).update(next_attempt_at=timezone.now())
        engine.process_requests(queue.requests_claim(request_ids=[request_id]), providers=[failing])
        request.refresh_from_db()
        if expected_delay:
            delay = (request.next_attempt_at - timezone.now()).total_seconds()
            assert request.status == "pending" and 110 < delay <= 120
    assert (request.status, request.attempts) == ("failed", 3)
    assert "boom" in request.last_error
    work.refresh_from_db()
    assert work.enrichment_status == "failed"


def test_a_backed_off_request_is_sent_again_as_soon_as_it_is_due(sent_tasks):
    neverwhere()
    ids = queue.works_enqueue_enrichment(dispatch=False)
    queue.requests_dispatch(request_ids=ids)
    engine.process_requests(
        queue.requests_claim(request_ids=ids), providers=[FakeProvider(status="server_error")]
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == "pending" and request.queued_at is None
    assert queue.requests_dispatch_due() == 0  # not due yet: its backoff runs
    later = request.next_attempt_at + timedelta(seconds=1)
    assert queue.requests_dispatch_due(now=later) == 1  # due: sent, not held for 5 minutes


def test_a_crashed_worker_is_recovered_and_its_late_apply_changes_nothing(settings):
    settings.ENRICHMENT_STALE_SECONDS = 300
    _work, _edition = neverwhere()
    ids = queue.works_enqueue_enrichment(dispatch=False)
    crashed = queue.requests_claim(request_ids=ids)  # this worker "dies" here
    EnrichmentRequest.objects.filter(pk__in=ids).update(
        claimed_at=timezone.now() - timedelta(minutes=6)
    )
    assert queue.requests_recover_stale() == 1
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == "pending" and "stopped" in request.last_error

    provider = FakeProvider(answers={"9780060557812": [ol_neverwhere()]})
    engine.process_requests(queue.requests_claim(request_ids=ids), providers=[provider])
    assert AuditLogEntry.objects.count() == 1
    # The first worker wakes up and finishes its stale copy: nothing is applied twice.
    stats = engine.process_requests(crashed, providers=[provider])
    assert stats.statuses["lost"] == 1
    assert AuditLogEntry.objects.count() == 1
    request.refresh_from_db()
    assert request.status == "completed" and request.attempts == 2


def test_a_request_that_kills_its_worker_every_time_ends_failed(settings):
    neverwhere()
    ids = queue.works_enqueue_enrichment(dispatch=False)
    for _ in range(3):
        queue.requests_claim(request_ids=ids)
        EnrichmentRequest.objects.filter(pk__in=ids).update(
            claimed_at=timezone.now() - timedelta(hours=1)
        )
        queue.requests_recover_stale()
    assert EnrichmentRequest.objects.get(pk=ids[0]).status == "failed"


def test_the_sweep_dispatches_due_requests_once(sent_tasks):
    neverwhere()
    ids = queue.works_enqueue_enrichment(dispatch=False)
    assert queue.requests_dispatch_due() == 1
    assert sent_tasks == [("enrichment.tasks.process_enrichment_batch", (ids,), {})]
    assert queue.requests_dispatch_due() == 0  # held by the queued task for now


def test_batching_serves_many_works_with_one_request_per_batch():
    isbns = []
    for i in range(250):
        edition = make_edition(make_work(f"Book {i}", authors=["A"]))
        isbns.append(edition.isbn13)
    provider = FakeProvider(batch_size=100)
    ids = queue.works_enqueue_enrichment(dispatch=False)
    for start in range(0, 250, 100):
        batch = queue.requests_claim(request_ids=ids[start : start + 100], limit=100)
        engine.process_requests(batch, providers=[provider])
    assert len(provider.lookup_calls) == 3
    assert sorted(i for call in provider.lookup_calls for i in call) == sorted(isbns)


def test_works_skipped_while_providers_were_unavailable_are_queued_again(sent_tasks):
    work, _ = neverwhere()
    # One provider answered (it does not know the book), another has no key: unresolved, and
    # asked again later (a key may be configured meanwhile).
    (_request_id,), _ = enqueue_and_run(
        [FakeProvider(), FakeProvider("google_books", status=LookupStatus.NOT_CONFIGURED)]
    )
    assert queue.requests_retry_unavailable() == []  # not before the retry delay
    later = timezone.now() + timedelta(hours=2)
    (retry_id,) = queue.requests_retry_unavailable(now=later)
    retry = EnrichmentRequest.objects.get(pk=retry_id)
    assert (retry.work, retry.trigger, retry.status) == (work, "schedule", "pending")
    assert queue.requests_retry_unavailable(now=later) == []  # once
