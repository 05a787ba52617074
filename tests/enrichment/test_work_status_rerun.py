"""A work's enrichment status once a re-run ended without changing it: no provider matched, or
it failed (targets.RequestTargets.refresh_ended_unchanged, the one rule). Such an end never takes
back what an earlier enrichment established: the works list's badge and filter, the dashboard
and the work page all say "Enriched", and the work's last try says how the re-run ended."""

import re

import pytest
from django.urls import reverse

from catalog.models import Work
from enrichment import engine, queue, review
from enrichment.candidates import LookupStatus
from enrichment.models import EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_nothing_added import (
    NOTHING_ADDED,
    complete_but_a_cover,
    enrichment_cell,
    matched,
)
from tests.enrichment.test_review import cover_applied_with_its_entry, needs_review
from tests.enrichment.test_work_status_taken_back import auto_applied, status_of

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
WORKS_URL = reverse("admin:catalog_work_changelist")

KNOWS_NOTHING = FakeProvider()  # every ISBN "not found", every title search empty
BROKEN = FakeProvider(status=LookupStatus.UNPARSEABLE)  # a fault on every lookup


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def rerun(work: Work, provider: FakeProvider, *, reviewer) -> EnrichmentRequest:
    """A reviewer's re-run of the work's latest request, worked by the engine to its end (one
    attempt: a fault fails it)."""
    latest = EnrichmentRequest.objects.filter(work=work).latest("pk")
    new_id = review.request_rerun(request=latest, actor=reviewer).new_request_id
    assert new_id is not None
    EnrichmentRequest.objects.filter(pk=new_id).update(max_attempts=1)
    engine.process_requests(queue.requests_claim(request_ids=[new_id]), providers=[provider])
    return EnrichmentRequest.objects.get(pk=new_id)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_enriched_work_whose_rerun_finds_nothing_still_reads_enriched_everywhere(
    reviewer, admin_client
):
    work, _entry = auto_applied()
    later = rerun(work, KNOWS_NOTHING, reviewer=reviewer)
    assert later.status == Status.SKIPPED and later.confidence == "none"

    work.refresh_from_db()
    assert (work.enrichment_status, work.enrichment_confidence) == ("enriched", "high")
    # The works list: its badge, and each status filter.
    listed = admin_client.get(WORKS_URL).content.decode()
    assert re.findall(r'<td class="field-enrichment_state">([^<]*)</td>', listed) == ["Enriched"]
    enriched = admin_client.get(WORKS_URL, {"enrichment_status": "enriched"}).content.decode()
    assert work.title in enriched
    unknown = admin_client.get(WORKS_URL, {"enrichment_status": "unresolved"}).content.decode()
    assert work.title not in unknown
    # The dashboard counts no work unknown to every provider.
    dashboard = text_of(admin_client.get(reverse("admin:enrichment_dashboard")).content.decode())
    assert "0 works unknown to every provider" in dashboard
    # The work page: enriched, and its last try says that this one found nothing.
    page = text_of(
        admin_client.get(reverse("admin:catalog_work_change", args=[work.pk])).content.decode()
    )
    assert re.search(r"Status:? Enriched Confidence:? High", page)
    assert f": no match — request #{later.pk}" in page


def test_a_failed_rerun_takes_back_nothing_an_earlier_one_established(reviewer):
    work, _entry = auto_applied()
    later = rerun(work, BROKEN, reviewer=reviewer)
    assert later.status == Status.FAILED
    assert status_of(work) == "enriched"
    # Nothing of a first try stands (a low match dismissed): the re-run's end is the state.
    dismissed = needs_review("Stardust")
    review.request_dismiss(request=dismissed, actor=reviewer)
    rerun(dismissed.work, KNOWS_NOTHING, reviewer=reviewer)
    assert status_of(dismissed.work) == "unresolved"
    rerun(dismissed.work, BROKEN, reviewer=reviewer)
    assert status_of(dismissed.work) == "failed"


def test_a_proposal_superseded_by_a_rerun_that_finds_nothing_leaves_what_it_applied(reviewer):
    # A medium match waits for review; its cover was applied. The reviewer re-runs it (the
    # proposal is superseded), and nothing is found this time: the cover it applied stands.
    request = needs_review()
    edition = request.work.editions.get()
    cover_applied_with_its_entry(request, edition)
    EnrichmentRequest.objects.filter(pk=request.pk).update(cover_status="applied")
    later = rerun(request.work, KNOWS_NOTHING, reviewer=reviewer)
    assert EnrichmentRequest.objects.get(pk=request.pk).superseded_by_id == later.pk
    assert status_of(request.work) == "enriched"
    # A superseded proposal of which nothing was applied (its cover never downloaded) leaves
    # nothing standing: the re-run's failure is the work's state.
    waiting = needs_review("Stardust")
    rerun(waiting.work, BROKEN, reviewer=reviewer)
    assert status_of(waiting.work) == "failed"


def test_a_work_matched_with_nothing_to_add_is_not_unknown_to_every_provider_after_an_empty_rerun(
    reviewer, admin_client
):
    # A provider matched the book earlier, with nothing to add: a re-run that finds nothing
    # (or fails) does not make it "No provider knows it"; it still reads what it read.
    work = complete_but_a_cover()
    matched(work, publisher="HarperTorch", page_count=370)
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED
    rerun(work, KNOWS_NOTHING, reviewer=reviewer)
    assert status_of(work) == "enriched"
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED
    unknown = admin_client.get(WORKS_URL, {"enrichment_status": "unresolved"}).content.decode()
    assert work.title not in unknown
    rerun(work, BROKEN, reviewer=reviewer)
    assert enrichment_cell(admin_client, work) == NOTHING_ADDED
