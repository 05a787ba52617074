"""A match that added nothing: the record is this book's, but every field it could fill was
filled already and no cover was applied. Stored "completed" and "enriched" (status values are a
contract), it reads "Matched, nothing added" wherever the panel says what became of it
(request_status.request_added_nothing, target_added_nothing): the queue's badge, the request's
page, the works list, its filter and the work's page."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Work
from enrichment import engine, queue, revert, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate
from tests.enrichment.test_work_status_taken_back import auto_applied
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
NOTHING_ADDED = "Matched, nothing added"


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def matched(work: Work, **record) -> EnrichmentRequest:
    """The engine's high match of the work's edition by a record holding `record` (the title
    and author agree, the ISBN is ours)."""
    edition = work.editions.get()
    answer = candidate(
        title=work.title,
        authors=[Contributor("Neil Gaiman")],
        isbn13=[edition.isbn13],
        queried_isbn=edition.isbn13,
        **record,
    )
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    engine.process_requests(
        queue.requests_claim(request_ids=ids),
        providers=[FakeProvider(answers={edition.isbn13: [answer]})],
    )
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert request.status == Status.COMPLETED and request.confidence == "high"
    return request


def complete_but_a_cover(title="Neverwhere") -> Work:
    """A work lacking only its cover: queued, and no record can fill anything else."""
    work = make_work(
        title,
        authors=["Neil Gaiman"],
        description="Richard Mayhew is a young businessman...",
        first_published_year=1996,
        subjects=["Fantasy fiction"],
    )
    make_edition(work, publisher="HarperTorch", page_count=370, language="en")
    return work


def enrichment_cell(client, work: Work) -> str:
    """The works list's Enrichment cell of the work."""
    html = client.get(reverse("admin:catalog_work_changelist"), {"q": work.title}).content
    found = re.search(r'<td class="field-enrichment_state">(.*?)</td>', html.decode(), re.S)
    assert found, "the work is listed"
    return found.group(1).strip()


def status_badge(client, request: EnrichmentRequest) -> str:
    """The status the request's page says."""
    url = reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    html = client.get(url).content.decode()
    found = re.search(r'<span class="status-badge"[^>]*>(.*?)</span>', html)
    assert found
    return found.group(1)


def listed_titles(client, **filters) -> str:
    return client.get(reverse("admin:catalog_work_changelist"), filters).content.decode()


def test_a_match_with_nothing_to_add_does_not_read_enriched(admin_client):
    work = complete_but_a_cover()
    request = matched(work, publisher="HarperTorch", page_count=370)  # what the book holds

    assert request.fields_applied == [] and request.cover_status == ""
    assert not AuditLogEntry.objects.filter(work=work).exists()  # nothing changed
    assert Work.objects.get(pk=work.pk).enrichment_status == "enriched"  # the stored contract

    assert status_badge(admin_client, request) == NOTHING_ADDED
    queue_page = admin_client.get(reverse("admin:enrichment_enrichmentrequest_changelist"))
    assert NOTHING_ADDED in queue_page.content.decode()
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED
    work_page = admin_client.get(reverse("admin:catalog_work_change", args=[work.pk]))
    assert ": matched, nothing added — <a href" in work_page.content.decode()  # its last try

    # The list's filter agrees with its column: not under "Enriched", under its own choice.
    assert work.title not in listed_titles(admin_client, enrichment_status="enriched")
    assert work.title in listed_titles(admin_client, enrichment_status="nothing_added")

    # A match that added something reads as before, even once a revert put every value back:
    # the request did add them, it did not find nothing.
    enriched, entry = auto_applied("Stardust")
    assert status_badge(admin_client, entry.request) == "Completed"
    assert enrichment_cell(admin_client, enriched) == "Enriched"
    assert enriched.title in listed_titles(admin_client, enrichment_status="enriched")
    assert enriched.title not in listed_titles(admin_client, enrichment_status="nothing_added")
    revert.audit_revert(entry=entry, actor=User.objects.get(username="admin"))
    assert EnrichmentRequest.objects.get(pk=entry.request_id).fields_applied == []
    assert status_badge(admin_client, entry.request) == "Completed"


def test_a_work_an_earlier_request_enriched_reads_enriched_after_a_rerun_added_nothing(
    admin_client,
):
    work, _entry = auto_applied("Coraline")
    again = matched(work)  # it still lacks a cover: queued again, and nothing found to add
    assert status_badge(admin_client, again) == NOTHING_ADDED  # this request added nothing
    assert enrichment_cell(admin_client, work) == "Enriched"  # the earlier one's values stand


def test_a_cover_on_its_way_reads_completed_and_one_that_never_verified_reads_nothing_added(
    admin_client,
):
    work = complete_but_a_cover()
    request = matched(work, covers=[CoverRef("openlibrary", "https://covers.example/1.jpg")])
    assert request.cover_status == "pending"
    assert status_badge(admin_client, request) == "Completed"
    assert enrichment_cell(admin_client, work) == "Enriched"

    # The cover step verified none of the candidates: nothing reached the catalog.
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="rejected")
    assert status_badge(admin_client, request) == NOTHING_ADDED
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED


def test_bulk_approve_says_a_completed_request_had_nothing_to_add():
    request = matched(complete_but_a_cover())
    result = review.requests_approve_bulk(
        queryset=EnrichmentRequest.objects.filter(pk=request.pk), actor=None
    )
    assert result.reasons == {"matched already, with nothing to add": 1}


def test_the_works_list_reads_whether_enrichment_changed_its_works_in_its_own_query(admin_client):
    """Filtered by "enriched" or "nothing added", the cells read the list's own annotation: a
    filter that replaced it with one of its own left each cell to ask again, a query a row."""
    url = reverse("admin:catalog_work_changelist")

    def queries(status: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(url, {"enrichment_status": status}).content.decode()
        # Each work under the filter its cell agrees with.
        assert ("Good Omens" in page) == (status == "nothing_added") != ("Stardust" in page)
        return len(captured)

    matched(complete_but_a_cover("Good Omens"))
    auto_applied("Stardust")
    one = {status: queries(status) for status in ("enriched", "nothing_added")}
    for title in ("Anansi Boys", "American Gods", "The Ocean at the End of the Lane"):
        matched(complete_but_a_cover(title))
        auto_applied(f"{title} II")
    assert {status: queries(status) for status in ("enriched", "nothing_added")} == one
