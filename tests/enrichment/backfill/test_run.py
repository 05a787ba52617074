"""One backfill month through the whole pipeline (enrichment.backfill.run): fake discovery
sources and a fake title search, real catalog checks and writes, the month's metrics; a month
no source answered goes back to retry; a cancelled month's worker writes nothing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from catalog.models import Edition, Work
from enrichment import tasks
from enrichment.backfill import claims, months, run
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.sources.base import SourceAnswer
from enrichment.candidates import LookupStatus
from enrichment.models import BackfillMonth, EnrichmentRequest
from tests.enrichment.backfill.months_support import (  # noqa: F401 (fixtures)
    ASKED,
    fake_sources,
    record,
    search_provider,
)
from tests.factories import make_edition, make_isbn13, make_work

pytestmark = pytest.mark.django_db
Status = BackfillMonth.Status


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def claim(label: str = "2024-03", **fields) -> BackfillMonth:
    BackfillMonth.objects.create(year=int(label[:4]), month=int(label[5:]), **fields)
    [month] = claims.backfill_months_claim(limit=1)
    return month


def process(month: BackfillMonth) -> BackfillMonth:
    return run.backfill_month_process(month_id=month.pk, token=month.claim_token)


def a_month_of_books(fake_sources, search_provider) -> dict[str, str]:  # noqa: F811
    """Five mentions of four books: one the catalog holds, one with its catalogue ISBN, one
    only a title search finds, one nobody finds; the ISBN book is named by both sources."""
    held, fourth_wing, found = make_isbn13(), make_isbn13(), make_isbn13()
    make_edition(make_work("The Held Book", authors=["Ann Holder"]), isbn13=held)
    fake_sources["fake_catalogue"] = SourceAnswer(
        books=[
            DiscoveredBook("The Held Book", ["Ann Holder"], isbns=[held], year=2024, month=3),
            DiscoveredBook(
                "Fourth Wing",
                ["Rebecca Yarros"],
                isbns=[fourth_wing],
                year=2024,
                month=3,
                genres=["Fantasy"],
            ),
        ],
        calls=2,
    )
    fake_sources["fake_model"] = SourceAnswer(
        books=[
            DiscoveredBook("Fourth Wing", ["Rebecca Yarros"]),
            DiscoveredBook("A Title Search Finds Me", ["Sue Searchable"], description="Proposed."),
            DiscoveredBook("Nobody Knows This Novel", ["Ned Unknown"], genres=["Mystery"]),
        ],
        calls=1,
    )
    search_provider.records["A Title Search Finds Me"] = record(
        "A Title Search Finds Me", "Sue Searchable", found
    )
    return {"fourth_wing": fourth_wing, "found": found}


def test_a_month_discovers_drops_resolves_writes_and_queues_its_books(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    isbns = a_month_of_books(fake_sources, search_provider)
    month = claim()

    month = process(month)

    assert ASKED == [("fake_catalogue", 2024, 3), ("fake_model", 2024, 3)]
    assert (month.status, month.error, month.claim_token) == (Status.COMPLETED, "", "")
    assert month.books_discovered == 4  # Fourth Wing named twice is one book
    assert month.duplicates_dropped == 1
    assert month.isbns_resolved == 2
    assert month.resolution_rate == pytest.approx(2 / 3, abs=1e-4)
    assert month.synthetic_works == 1
    assert month.queued_for_enrichment == 2
    # The sources' own requests and the title searches (one per book without an ISBN).
    assert month.provider_calls == {"fake_catalogue": 2, "fake_model": 1, "google_books": 2}
    assert month.sources == {
        "fake_catalogue": {"books": 2, "calls": 2, "error": ""},
        "fake_model": {"books": 3, "calls": 1, "error": ""},
    }
    assert search_provider.search_calls == [
        ("A Title Search Finds Me", "Sue Searchable"),
        ("Nobody Knows This Novel", "Ned Unknown"),
    ]
    # The catalog: two resolved works with their edition, one synthetic work, no copy of the
    # held book.
    assert Work.objects.filter(title="The Held Book").count() == 1
    fourth_wing = Edition.objects.get(isbn13=isbns["fourth_wing"]).work
    found = Edition.objects.get(isbn13=isbns["found"]).work
    synthetic = Work.objects.get(title="Nobody Knows This Novel")
    assert not fourth_wing.synthetic and not found.synthetic
    assert synthetic.synthetic and not synthetic.editions.exists()
    assert synthetic.discovery["month"] == "2024-03"
    assert synthetic.discovery["source"] == "fake_model"
    assert fourth_wing.discovery["also_from"] == ["fake_model"]
    queued = EnrichmentRequest.objects.filter(status="pending")
    assert set(queued.values_list("work_id", flat=True)) == {fourth_wing.pk, found.pk}
    assert set(queued.values_list("trigger", flat=True)) == {run.ENRICHMENT_TRIGGER}


def test_the_same_month_run_again_finds_everything_it_wrote_the_first_time(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    a_month_of_books(fake_sources, search_provider)
    first = process(claim())
    works_before = set(Work.objects.values_list("pk", flat=True))
    requests_before = EnrichmentRequest.objects.count()
    assert months.backfill_months_rerun(months=[first], by="ruth") == 1
    [again] = claims.backfill_months_claim(limit=1)

    again = process(again)

    assert again.status == Status.COMPLETED
    # The same works, not copies (its synthetic work included), and none queued again.
    assert set(Work.objects.values_list("pk", flat=True)) == works_before
    assert EnrichmentRequest.objects.count() == requests_before
    assert (again.books_discovered, again.duplicates_dropped) == (4, 4)
    assert (again.isbns_resolved, again.synthetic_works, again.queued_for_enrichment) == (0, 0, 0)
    # No new book; its synthetic work was asked about again (one title search), in vain.
    assert again.resolution_rate == 0.0
    assert again.provider_calls == {"fake_catalogue": 2, "fake_model": 1, "google_books": 1}
    assert Work.objects.get(title="Nobody Knows This Novel").discovery["tries"] == 1
    # The first run's figures are kept beside the new ones.
    [earlier] = again.earlier_runs
    assert (earlier["status"], earlier["books_discovered"], earlier["isbns_resolved"]) == (
        "completed",
        4,
        2,
    )
    assert (earlier["synthetic_works"], earlier["run_again_by"]) == (1, "ruth")


def test_a_month_run_again_adds_only_the_books_a_source_knows_now(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    isbns = a_month_of_books(fake_sources, search_provider)
    first = process(claim())
    works_before = Work.objects.count()
    # The catalogue source learnt of one more book of the month since.
    late = make_isbn13()
    fake_sources["fake_catalogue"].books.append(
        DiscoveredBook("A Late Listing", ["Lee Later"], isbns=[late], year=2024, month=3)
    )
    months.backfill_months_rerun(months=[first], by="ruth")
    [again] = claims.backfill_months_claim(limit=1)

    again = process(again)

    assert Work.objects.count() == works_before + 1
    assert Edition.objects.filter(isbn13=isbns["fourth_wing"]).count() == 1
    late_work = Edition.objects.get(isbn13=late).work
    assert late_work.discovery["month"] == "2024-03"
    assert (again.books_discovered, again.duplicates_dropped, again.isbns_resolved) == (5, 4, 1)
    # Of the two books needing an ISBN (the new one, the synthetic work asked about again).
    assert (again.resolution_rate, again.queued_for_enrichment) == (0.5, 1)


def test_a_month_run_again_once_a_provider_is_fixed_upgrades_its_synthetic_works_in_place(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    """A provider key was wrong during the first run: its title-search books became synthetic
    works. Run again once the key is fixed, the month resolves the same works: no copy."""
    isbns = a_month_of_books(fake_sources, search_provider)
    search_provider.status = LookupStatus.AUTH_REFUSED  # the wrong key
    first = process(claim())
    assert (first.isbns_resolved, first.synthetic_works) == (1, 2)
    waiting = {w.title: w.pk for w in Work.objects.filter(synthetic=True)}
    assert set(waiting) == {"A Title Search Finds Me", "Nobody Knows This Novel"}
    works_before = Work.objects.count()

    search_provider.status = None  # the key is fixed
    months.backfill_months_rerun(months=[first], by="ruth")
    [again] = claims.backfill_months_claim(limit=1)
    again = process(again)

    assert Work.objects.count() == works_before
    found = Work.objects.get(pk=waiting["A Title Search Finds Me"])
    assert not found.synthetic
    assert list(found.editions.values_list("isbn13", flat=True)) == [isbns["found"]]
    assert found.discovery["resolved_by"] == "google_books"
    assert EnrichmentRequest.objects.filter(work=found, status="pending").exists()
    unknown = Work.objects.get(pk=waiting["Nobody Knows This Novel"])
    assert unknown.synthetic  # every provider answered and none knew it
    assert unknown.enrichment_status == Work.EnrichmentStatus.UNRESOLVED
    assert unknown.discovery["tries"] == 1
    # This run resolved one book: the others the catalog held (discovered = duplicates +
    # resolved + synthetic), and it made no new synthetic work.
    assert (again.books_discovered, again.duplicates_dropped, again.isbns_resolved) == (4, 3, 1)
    assert (again.synthetic_works, again.queued_for_enrichment) == (0, 1)
    assert again.resolution_rate == 0.5  # of the two books it asked the providers about
    assert again.provider_calls["google_books"] == 2


def test_a_synthetic_work_met_again_after_the_months_search_time_is_not_counted_as_tried(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
    settings,
):
    a_month_of_books(fake_sources, search_provider)
    first = process(claim())
    months.backfill_months_rerun(months=[first], by="ruth")
    [again] = claims.backfill_months_claim(limit=1)
    settings.Q_TIMEOUT = 0  # the task's search time is up before any search

    again = process(again)

    waiting = Work.objects.get(title="Nobody Knows This Novel")
    assert waiting.synthetic and "tries" not in waiting.discovery  # never asked: no try
    assert search_provider.search_calls[2:] == []  # the first run's two searches only
    assert again.status == Status.COMPLETED


def test_a_month_reports_each_title_search_as_it_goes(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    a_month_of_books(fake_sources, search_provider)
    heard: list[tuple[int, int]] = []
    month = claim()

    run.backfill_month_process(
        month_id=month.pk, token=month.claim_token, progress=lambda *p: heard.append(p)
    )

    # Two of its books have no ISBN (the others need no search): one call after each search.
    assert heard == [(1, 2), (2, 2)]


def test_a_month_no_source_answered_is_not_completed_but_retried_with_their_errors(
    fake_sources,  # noqa: F811
    settings,
):
    settings.BACKFILL_MAX_RETRIES = 1
    fake_sources["fake_catalogue"] = SourceAnswer(error="The Open Library dump is not loaded.")
    fake_sources["fake_model"] = SourceAnswer(calls=1, error="HTTP 503 from the model server")

    month = process(claim())

    assert (month.status, month.retry_count) == (Status.RETRY, 1)
    assert month.error == (
        "No discovery source answered: Fake catalogue: The Open Library dump is not loaded; "
        "Fake model: HTTP 503 from the model server"
    )
    assert month.sources["fake_model"] == {
        "books": 0,
        "calls": 1,
        "error": "HTTP 503 from the model server",
    }
    assert month.provider_calls == {"fake_catalogue": 0, "fake_model": 1}
    assert not Work.objects.exists()

    [month] = claims.backfill_months_claim(limit=1)
    month = process(month)
    assert (month.status, month.retry_count) == (Status.FAILED, 1)  # past the maximum


def test_a_month_retried_counts_the_requests_of_every_try_of_its_run(
    fake_sources,  # noqa: F811
    settings,
):
    """A month that failed once and then completed sent both tries' requests: its provider
    calls (and each source's requests) add them up, where the last try's replaced the first's
    and the page undercounted what the month had spent. A run started again starts from zero."""
    settings.BACKFILL_MAX_RETRIES = 3
    fake_sources["fake_catalogue"] = SourceAnswer(error="The Open Library dump is not loaded.")
    fake_sources["fake_model"] = SourceAnswer(calls=3, error="HTTP 503 from the model server")
    month = process(claim())
    assert (month.status, month.provider_calls) == (
        Status.RETRY,
        {"fake_catalogue": 0, "fake_model": 3},
    )

    fake_sources["fake_catalogue"] = SourceAnswer(calls=2)
    fake_sources["fake_model"] = SourceAnswer(calls=1)
    [month] = claims.backfill_months_claim(limit=1)
    month = process(month)

    assert month.status == Status.COMPLETED
    assert month.provider_calls == {"fake_catalogue": 2, "fake_model": 4}
    assert month.sources["fake_model"] == {"books": 0, "calls": 4, "error": ""}
    assert months.calls_text(month.provider_calls) == "Fake model 4 · Fake catalogue 2"

    assert months.backfill_months_rerun(months=[month], by="ann") == 1
    [month] = claims.backfill_months_claim(limit=1)
    month = process(month)
    assert month.provider_calls == {"fake_catalogue": 2, "fake_model": 1}
    assert month.earlier_runs[0]["provider_calls"] == {"fake_catalogue": 2, "fake_model": 4}


def test_a_month_with_one_source_failing_and_another_answering_no_book_is_partly_failed(
    fake_sources,  # noqa: F811
):
    fake_sources["fake_catalogue"] = SourceAnswer()  # answered: nothing that month
    fake_sources["fake_model"] = SourceAnswer(error="timed out after 60 s")

    month = process(claim())

    # Never "completed": the failed source may have named books the month now lacks.
    assert (month.status, month.books_discovered, month.resolution_rate) == (
        Status.PARTIAL,
        0,
        None,
    )
    assert month.error == (
        "Some sources failed: Fake model: timed out after 60 s (the month may lack their books)"
    )
    assert month.sources["fake_model"]["error"] == "timed out after 60 s"
    assert month.completed_at is not None and month.claim_token == ""
    # Done: the scheduler does not take it again; a person's Retry (or --retry) does.
    assert claims.backfill_months_claim(limit=5) == []
    assert months.backfill_months_retry(months=[month]) == 1


def test_a_month_whose_sources_all_answered_is_completed_without_an_error(
    fake_sources,  # noqa: F811
):
    fake_sources["fake_catalogue"] = SourceAnswer()
    fake_sources["fake_model"] = SourceAnswer()

    month = process(claim())

    assert (month.status, month.error) == (Status.COMPLETED, "")


def test_a_month_without_any_enabled_source_fails_with_a_clear_error(settings):
    settings.BACKFILL_SOURCES = ["llm"]  # not set up: BACKFILL_LLM_URL is empty
    settings.BACKFILL_LLM_URL = ""

    month = process(claim())

    assert month.status == Status.FAILED and month.retry_count == 0
    assert month.error == (
        "No discovery source is enabled: BACKFILL_SOURCES names none that is set up."
    )


def test_an_unexpected_error_sends_the_month_to_retry_never_leaves_it_processing(
    fake_sources,  # noqa: F811
    monkeypatch,
):
    fake_sources["fake_catalogue"] = SourceAnswer(books=[DiscoveredBook("Any", ["Body"])])

    def broken(books):
        raise RuntimeError("the catalog check broke")

    monkeypatch.setattr(run.dedupe, "catalog_duplicates", broken)

    month = process(claim())

    assert (month.status, month.retry_count, month.claim_token) == (Status.RETRY, 1, "")
    assert month.error == "Internal error: the catalog check broke"


def database_restarted(monkeypatch) -> None:
    """The month's catalog check meets a database that went away: its connection is broken
    (no longer usable) once the error is raised."""

    def restarted(books):
        monkeypatch.setattr(connection, "is_usable", lambda: False)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(run.dedupe, "catalog_duplicates", restarted)


def test_a_statement_the_database_refuses_counts_a_retry_as_any_error(
    fake_sources,  # noqa: F811
    monkeypatch,
):
    """An OperationalError on a connection still usable (a statement timeout, SQLite's limits)
    would be refused again: it is the month's error, its retries bounded, not an outage."""
    fake_sources["fake_catalogue"] = SourceAnswer(books=[DiscoveredBook("Any", ["Body"])])

    def refused(books):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(run.dedupe, "catalog_duplicates", refused)

    month = process(claim())

    assert (month.status, month.retry_count) == (Status.RETRY, 1)
    assert month.error == "Internal error: canceling statement due to statement timeout"


def test_a_database_outage_puts_the_month_back_to_retry_without_counting_a_retry(
    fake_sources,  # noqa: F811
    monkeypatch,
    settings,
):
    """A month that has used its retries is not failed by a PostgreSQL restart under it: the
    outage was not the month's fault."""
    fake_sources["fake_catalogue"] = SourceAnswer(books=[DiscoveredBook("Any", ["Body"])])

    database_restarted(monkeypatch)

    month = process(claim(retry_count=settings.BACKFILL_MAX_RETRIES))

    assert (month.status, month.claim_token) == (Status.RETRY, "")
    assert month.retry_count == settings.BACKFILL_MAX_RETRIES  # not one more
    assert month.error.startswith("Stopped by an outage of the database or the task queue")
    assert "no retry was counted" in month.error


def test_a_database_still_gone_leaves_the_month_to_the_stale_recovery(
    fake_sources,  # noqa: F811
    monkeypatch,
):
    fake_sources["fake_catalogue"] = SourceAnswer(books=[DiscoveredBook("Any", ["Body"])])

    database_restarted(monkeypatch)
    monkeypatch.setattr(run.outages, "database_back", lambda deadline: False)
    month = claim()

    with pytest.raises(OperationalError):  # the task fails, as a worker killed would
        process(month)

    month.refresh_from_db()
    assert (month.status, month.retry_count) == (Status.PROCESSING, 0)


def test_a_month_cancelled_while_its_sources_answer_writes_no_work_and_no_outcome(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    def cancel_meanwhile(year, month, limit):
        # A librarian cancels the month while this source is being asked.
        months.backfill_months_cancel(months=BackfillMonth.objects.all())
        return SourceAnswer(books=[DiscoveredBook("Written Never", ["Nobody"])], calls=4)

    fake_sources["fake_catalogue"] = cancel_meanwhile

    month = process(claim())

    assert (month.status, month.books_discovered, month.provider_calls) == (
        Status.CANCELLED,
        0,
        {},
    )
    assert not Work.objects.exists()
    assert search_provider.search_calls == []  # stopped before asking any provider


def test_a_task_for_a_month_it_does_not_hold_changes_nothing(fake_sources):  # noqa: F811
    fake_sources["fake_catalogue"] = SourceAnswer(books=[DiscoveredBook("Any", ["Body"])])
    month = claim()

    assert run.backfill_month_process(month_id=month.pk, token="0" * 32).status == Status.PROCESSING
    assert ASKED == []
    # The task of the same month, after it finished: nothing is done twice.
    assert tasks.process_backfill_month(month.pk, month.claim_token) == {
        "month": "2024-03",
        "status": "completed",
    }
    assert tasks.process_backfill_month(month.pk, month.claim_token)["status"] == "completed"
    assert len(ASKED) == 2 and Work.objects.count() == 1


def test_the_daily_task_upgrades_a_months_synthetic_work_once_a_provider_resolves_it(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
    monkeypatch,
):
    a_month_of_books(fake_sources, search_provider)
    process(claim())
    synthetic = Work.objects.get(synthetic=True)
    isbn13 = make_isbn13()
    # The budgets have reset: the title search now knows the book.
    search_provider.records["Nobody Knows This Novel"] = record(
        "Nobody Knows This Novel", "Ned Unknown", isbn13
    )
    monkeypatch.setattr(
        "enrichment.backfill.synthetic.enabled_providers", lambda **options: [search_provider]
    )

    report = tasks.retry_synthetic_works()

    assert (report["tried"], report["upgraded"], report["still_synthetic"]) == (1, 1, 0)
    synthetic.refresh_from_db()
    assert not synthetic.synthetic
    assert synthetic.editions.get().isbn13 == isbn13


def test_two_books_of_a_month_resolving_to_one_isbn_count_once_as_resolved(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
):
    shared = make_isbn13()
    fake_sources["fake_model"] = SourceAnswer(
        books=[
            DiscoveredBook("Alpha Story", ["Ann Alpha"]),
            DiscoveredBook("Beta Story", ["Bob Beta"]),  # 76 % alike, another author: kept
        ]
    )
    search_provider.records["Alpha Story"] = record("Alpha Story", "Ann Alpha", shared)
    search_provider.records["Beta Story"] = record("Beta Story", "Bob Beta", shared)

    month = process(claim())

    assert month.status == Status.COMPLETED
    assert (month.books_discovered, month.duplicates_dropped, month.isbns_resolved) == (2, 1, 1)
    assert (month.resolution_rate, month.synthetic_works, month.queued_for_enrichment) == (
        1.0,
        0,
        1,
    )
    assert Edition.objects.get(isbn13=shared).work.title == "Alpha Story"
    assert not Work.objects.filter(title="Beta Story").exists()


class WorkerKilled(BaseException):
    """What SIGKILL does to a worker: nothing after it runs, nothing uncommitted is kept (not an
    Exception: the month's own error handling never sees it)."""


def test_a_worker_killed_between_writing_a_months_works_and_queueing_them_loses_none(
    fake_sources,  # noqa: F811
    search_provider,  # noqa: F811
    monkeypatch,
):
    isbns = a_month_of_books(fake_sources, search_provider)

    def killed(**kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patched:
        patched.setattr(run.queue, "works_enqueue_enrichment", killed)
        with pytest.raises(WorkerKilled):
            process(claim())
    # The sweep, once the month has been silent for BACKFILL_STALE_MINUTES: back to retry.
    later = timezone.now() + timedelta(minutes=settings.BACKFILL_STALE_MINUTES + 1)
    assert claims.backfill_months_recover_stale(now=later).retried == 1
    [again] = claims.backfill_months_claim(limit=1, now=later)

    again = process(again)

    assert again.status == Status.COMPLETED
    # Its books are its own (not duplicates of the killed run's), written once and queued.
    assert (again.duplicates_dropped, again.queued_for_enrichment) == (1, 2)
    fourth_wing = Edition.objects.get(isbn13=isbns["fourth_wing"]).work
    found = Edition.objects.get(isbn13=isbns["found"]).work
    queued = EnrichmentRequest.objects.filter(status="pending")
    assert set(queued.values_list("work_id", flat=True)) == {fourth_wing.pk, found.pk}
    assert Work.objects.filter(title="Nobody Knows This Novel").count() == 1
