"""The daily retry of synthetic works (`synthetic.synthetic_works_retry`) and their upgrade in
place (`synthetic.synthetic_work_upgrade`), against the real provider clients on a local server
answering recorded bodies (providers_support.py). The books are built here."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Author, Work, WorkAuthor
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.resolve import ResolvedBook, books_resolve
from enrichment.backfill.synthetic import synthetic_work_upgrade, synthetic_works_retry
from enrichment.backfill.works import works_from_backfill
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.backfill.providers_support import LORD_OF_THE_RINGS
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


def synthetic_work(title: str, *authors: str, month: str = "1954-07") -> Work:
    """A synthetic work as a month writes it: no provider could be asked then."""
    book = DiscoveredBook(title=title, authors=list(authors), source="llm", year=1954, month=7)
    written = works_from_backfill(books_resolve([book], providers=[]).books, month_label=month)
    return Work.objects.get(pk=written.synthetic_work_ids[0])


def test_the_daily_retry_upgrades_a_resolved_work_in_place(
    provider_server, sent_tasks, django_capture_on_commit_callbacks
):
    rings = synthetic_work("The Lord of the Rings", "J.R.R. Tolkien")
    unknown = synthetic_work("A Book Nobody Knows", "Nobody")

    with django_capture_on_commit_callbacks(execute=True):
        report = synthetic_works_retry()

    assert (report.tried, report.upgraded, report.still_synthetic) == (2, 1, 1)
    assert report.stopped == "" and report.duplicates == []
    # Google knows neither; Open Library's search finds The Lord of the Rings.
    assert report.calls == {"google_books": 2, "openlibrary": 2}
    upgraded = Work.objects.get(pk=rings.pk)  # the same work
    assert not upgraded.synthetic
    assert upgraded.enrichment_status == Work.EnrichmentStatus.QUEUED
    assert list(upgraded.editions.values_list("isbn13", flat=True)) == [LORD_OF_THE_RINGS]
    assert upgraded.discovery["resolved_by"] == "openlibrary"
    assert upgraded.discovery["resolved_at"]
    assert upgraded.discovery["title"] == "The Lord of the Rings"  # the discovery is kept
    entry = AuditLogEntry.objects.get(work=upgraded)
    assert entry.action == AuditLogEntry.Action.RESOLVE
    assert entry.changes == {
        "synthetic": {"old": True, "new": False, "target": "work"},
        "isbn13": {"old": "", "new": LORD_OF_THE_RINGS, "target": "edition"},
    }
    assert (entry.provider, entry.actor, entry.actor_label) == (
        "openlibrary",
        None,
        "enrichment worker",
    )
    assert entry.edition == upgraded.editions.get()
    # Its History says so (it read "Changed Synthetic (no ISBN yet), ISBN-13").
    (history,) = LogEntry.objects.filter(object_id=str(upgraded.pk))
    assert history.get_change_message() == (
        f"Resolved by the enrichment worker: Open Library found its ISBN {LORD_OF_THE_RINGS}, so "
        f"it is no longer synthetic (enrichment audit entry #{entry.pk})."
    )
    # Queued for the normal enrichment, and handed to the workers once committed.
    request = EnrichmentRequest.objects.get(work=upgraded)
    assert request.status == EnrichmentRequest.Status.PENDING
    assert request.trigger == EnrichmentRequest.Trigger.BACKFILL
    assert [task.func for task in sent_tasks] == ["enrichment.tasks.process_enrichment_batch"]
    # The other stays synthetic, its try recorded.
    still = Work.objects.get(pk=unknown.pk)
    assert still.synthetic and still.enrichment_status == Work.EnrichmentStatus.UNRESOLVED
    assert still.discovery["tries"] == 1 and still.discovery["last_try_at"]
    assert still.discovery["unresolved"]["asked"] == ["google_books", "openlibrary"]
    assert not EnrichmentRequest.objects.filter(work=still).exists()


def test_the_works_tried_longest_ago_go_first(provider_server):
    now = timezone.now()
    recent = synthetic_work("Tried Yesterday", "Someone")
    old = synthetic_work("Tried Last Week", "Someone")
    never = synthetic_work("Never Tried", "Someone")
    for work, when, tries in ((recent, now - timedelta(days=1), 3), (old, now - timedelta(7), 5)):
        work.discovery = {**work.discovery, "last_try_at": when.isoformat(), "tries": tries}
        work.save()

    report = synthetic_works_retry(limit=2)

    assert report.tried == 2
    tries = dict(Work.objects.values_list("title", "discovery__tries"))
    assert tries == {"Never Tried": 1, "Tried Last Week": 6, "Tried Yesterday": 3}
    assert Work.objects.get(pk=never.pk).discovery["last_try_at"] > now.isoformat()


def test_the_retry_stops_when_every_providers_budget_is_spent(provider_server, settings):
    settings.GOOGLE_BOOKS_DAILY_BUDGET = 1
    settings.OPENLIBRARY_DAILY_BUDGET = 1
    first = synthetic_work("First Unknown Book", "Nobody")
    later = [synthetic_work(f"Unknown Book {i}", "Nobody") for i in range(3)]

    report = synthetic_works_retry()

    assert (report.tried, report.upgraded, report.still_synthetic) == (1, 0, 1)
    assert "Every provider is unavailable for now" in report.stopped
    assert "Google Books: its daily quota is spent" in report.stopped
    assert "Open Library: its daily quota is spent" in report.stopped
    assert report.calls == {"google_books": 1, "openlibrary": 1}
    assert len(provider_server.requests) == 2
    assert Work.objects.get(pk=first.pk).discovery["tries"] == 1
    # Not tried: they keep their place for tomorrow.
    for work in later:
        assert "tries" not in Work.objects.get(pk=work.pk).discovery


def test_an_isbn_another_work_holds_is_not_upgraded_but_left_to_a_person(provider_server):
    rings = synthetic_work("The Lord of the Rings", "J.R.R. Tolkien")
    holder = make_work("The Lord of the Rings (50th anniversary)", authors=["Tolkien"])
    make_edition(holder, isbn13=LORD_OF_THE_RINGS)

    report = synthetic_works_retry()

    assert (report.upgraded, report.still_synthetic) == (0, 1)
    assert report.duplicates == [(rings.pk, holder.pk)]
    still = Work.objects.get(pk=rings.pk)
    assert still.synthetic and not still.editions.exists()
    assert still.discovery["duplicate_of"] == holder.pk
    assert still.discovery["duplicate_isbn13"] == LORD_OF_THE_RINGS
    assert not AuditLogEntry.objects.exists()
    assert not EnrichmentRequest.objects.exists()


def test_the_retry_searches_with_the_title_and_authors_a_librarian_corrected(provider_server):
    # The source credited the book's editor: no provider's record is his.
    rings = synthetic_work("The Lord of the Rings", "Christopher Tolkien")
    assert synthetic_works_retry().upgraded == 0
    tolkien = Author.objects.create(name="J. R. R. Tolkien")
    WorkAuthor.objects.filter(work=rings).update(author=tolkien)

    report = synthetic_works_retry()

    assert report.upgraded == 1
    assert not Work.objects.get(pk=rings.pk).synthetic


def test_a_librarian_upgrading_a_work_is_named_in_the_audit_entry(sent_tasks):
    rings = synthetic_work("The Lord of the Rings", "J.R.R. Tolkien")
    librarian = get_user_model().objects.create_user("librarian")
    resolved = ResolvedBook(
        DiscoveredBook("The Lord of the Rings", ["J.R.R. Tolkien"]),
        isbn13=LORD_OF_THE_RINGS,
        provider="openlibrary",
    )

    entry = synthetic_work_upgrade(work=rings, resolved=resolved, actor=librarian)

    assert (entry.actor, entry.actor_label) == (librarian, "librarian")
    assert (
        EnrichmentRequest.objects.get(work=rings).trigger == EnrichmentRequest.Trigger.MANUAL_BULK
    )
    # Asked again: the work is no longer synthetic, nothing more happens.
    assert synthetic_work_upgrade(work=rings, resolved=resolved) is None
    assert AuditLogEntry.objects.count() == 1 and rings.editions.count() == 1
