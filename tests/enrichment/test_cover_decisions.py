"""A reviewer's decision and the cover step: nothing of a dismissed proposal is applied, its
queued cover included (request_status.request_cover_may_apply, the one rule).

The issue this guards: a medium match queues its cover at once and waits for review; dismissed,
or superseded by a reviewer's Re-run, before the cover task ran, the cover was still downloaded
and applied afterwards, the dismissed request's page said "Cover download queued", and the work
kept "Dismissed by a reviewer" beside a cover the dismissal had turned down.

Covers are really downloaded, from a server on 127.0.0.1 (the operator's covers address, as
test_covers_fetch_sockets does) serving `synthetic-cover-400x600.jpg`, drawn with Pillow by
tests/fixtures/covers/synthetic.py.
"""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User

from catalog.models import Edition, Work
from enrichment import cover_apply, engine, queue, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider, candidate
from tests.enrichment.providers.local_server import LocalServer
from tests.enrichment.test_author_requests import decide
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import change_url, librarian
from tests.factories import make_author, make_edition, make_work
from tests.fixtures.covers import synthetic

pytestmark = pytest.mark.django_db
CoverStatus = EnrichmentRequest.CoverStatus
JPEG = synthetic.read("synthetic-cover-400x600.jpg")


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    """Record what would be handed to django-q2: the test runs the cover task itself."""
    return sent_tasks


@pytest.fixture
def cover_host(settings):
    """A cover host on 127.0.0.1 that serves the synthetic JPEG at any path; `seen` lists them."""
    with LocalServer() as server:
        server.answer = lambda handler: server.send(
            handler,
            [JPEG],
            headers={"Content-Type": "image/jpeg", "Content-Length": str(len(JPEG))},
        )
        settings.OPENLIBRARY_COVERS_URL = server.url
        yield SimpleNamespace(url=server.url, seen=server.requests)


def waiting_with_cover(cover_host, title="Neverwhere") -> EnrichmentRequest:
    """A medium match by the real engine: its cover queued at once, the rest waiting."""
    url = f"{cover_host.url}/b/id/1-L.jpg"
    request = needs_review(title, covers=[CoverRef("openlibrary", url, "1", "L")])
    assert request.cover_status == CoverStatus.PENDING
    return request


def run_cover_task(request: EnrichmentRequest) -> dict:
    """What the covers cluster runs for this request's queued cover."""
    return cover_apply.covers_fetch_task(request_ids=[request.pk])


def edition_of(request) -> Edition:
    return Edition.objects.get(work=request.work_id)


def cover_line(client, request) -> str:
    """The request page's line about its cover, as text."""
    page = client.get(change_url(request)).content.decode()
    line = re.search(r'<p class="small">(Cover:.*?)</p>', page, re.S)
    assert line, page
    return re.sub(r"\s+", " ", line.group(1))


@pytest.fixture
def reviewer():
    return librarian()


# --- Dismissed or superseded before the cover task ran -----


def test_a_cover_queued_when_its_proposal_is_dismissed_is_never_downloaded(
    cover_host, reviewer, client
):
    request = waiting_with_cover(cover_host)
    review.request_dismiss(request=request, actor=reviewer, reason="wrong edition")

    outcome = run_cover_task(request)

    assert cover_host.seen == []  # not even downloaded
    assert not edition_of(request).cover
    assert not AuditLogEntry.objects.filter(action="cover").exists()
    assert outcome.get("applied", 0) == 0
    request.refresh_from_db()
    assert request.cover_status == CoverStatus.NONE
    assert Work.objects.get(pk=request.work_id).enrichment_status == "dismissed"
    client.force_login(reviewer)
    line = cover_line(client, request)
    assert "Not downloaded: dismissed by libby." in line and "queued" not in line, line


def test_a_cover_queued_when_a_rerun_supersedes_its_proposal_is_never_downloaded(
    cover_host, reviewer, client
):
    request = waiting_with_cover(cover_host)
    rerun = review.request_rerun(request=request, actor=reviewer)
    assert rerun.superseded == 1

    run_cover_task(request)

    assert cover_host.seen == []
    assert not edition_of(request).cover
    request.refresh_from_db()
    assert request.cover_status == CoverStatus.NONE
    client.force_login(reviewer)
    line = cover_line(client, request)
    assert f"Not downloaded: superseded by request #{rerun.new_request_id}." in line, line
    assert "Cover download queued" not in line


def test_a_bulk_rerun_withholds_only_the_covers_still_queued():
    """The supersede's fourth query writes the withheld covers only: a cover applied before the
    re-run stays applied (and says so), a proposal without a queued cover keeps its note."""
    queued, applied = needs_review("Neverwhere"), needs_review("Stardust")
    EnrichmentRequest.objects.filter(pk=applied.pk).update(cover_status=CoverStatus.APPLIED)
    queue.works_enqueue_enrichment(
        work_ids=[queued.work_id, applied.work_id], dispatch=False, supersede_review=True
    )
    queued.refresh_from_db()
    applied.refresh_from_db()
    assert queued.cover_status == CoverStatus.NONE
    assert queued.match_details.cover_note.startswith("Not downloaded: superseded by request #")
    assert applied.cover_status == CoverStatus.APPLIED and applied.match_details.cover_note == ""


def test_a_dismissed_requests_cover_left_queued_is_not_downloaded_by_a_later_task(cover_host):
    """A dismissal recorded before covers were withheld (or by any path that left the cover
    queued) is still asked about by the cover step itself, before it downloads anything."""
    request = waiting_with_cover(cover_host)
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        status="skipped", reviewed_at=request.created_at, review_note="Dismissed."
    )

    assert cover_apply.covers_dispatch_due() == 1  # the sweep still finds it pending
    assert run_cover_task(request) == {"withheld": 1}
    assert cover_host.seen == [] and not edition_of(request).cover
    request.refresh_from_db()
    assert request.cover_status == CoverStatus.NONE
    assert request.match_details.cover_note == "Not downloaded: dismissed."
    assert cover_apply.covers_dispatch_due() == 0  # never queued again


# --- The decision lands while the cover downloads -----


@pytest.mark.parametrize("decision", ["dismiss", "rerun"])
def test_a_decision_during_the_download_drops_the_downloaded_cover(
    cover_host, reviewer, monkeypatch, decision
):
    """The task has claimed the cover and asked the rule before downloading; the reviewer's
    decision lands during the download. The apply asks the rule again under the request's lock:
    the downloaded image is dropped."""
    request = waiting_with_cover(cover_host)
    real_choose = cover_apply.choose_cover

    def download_then_decide(refs, **kwargs):
        choice = real_choose(refs, **kwargs)
        assert choice.image is not None  # really downloaded and verified
        if decision == "dismiss":
            review.request_dismiss(request=request, actor=reviewer)
        else:
            review.request_rerun(request=request, actor=reviewer)
        return choice

    monkeypatch.setattr(cover_apply, "choose_cover", download_then_decide)

    outcome = run_cover_task(request)

    assert cover_host.seen == ["/b/id/1-L.jpg"]
    assert outcome == {"withheld": 1}
    assert not edition_of(request).cover
    assert not AuditLogEntry.objects.filter(action="cover").exists()
    request.refresh_from_db()
    assert request.cover_status == CoverStatus.NONE
    assert request.match_details.cover_note.startswith("Not downloaded: ")


# --- What still lands -----


def test_an_approved_proposals_queued_cover_lands_and_the_work_reads_enriched(cover_host, reviewer):
    """Approving keeps the cover the reviewer approves: queued again for them, applied by the
    task, and the work says what the approval made it (the cover step writes no status)."""
    request = waiting_with_cover(cover_host)
    result = review.request_approve(request=request, actor=reviewer, fields=["cover", "language"])
    assert result.cover == "queued"

    assert run_cover_task(request) == {"applied": 1}

    edition = edition_of(request)
    assert edition.cover and edition.cover_source == "openlibrary"
    work = Work.objects.get(pk=request.work_id)
    assert work.enrichment_status == "enriched"
    request.refresh_from_db()
    assert request.cover_status == CoverStatus.APPLIED and request.match_details.cover_note == ""


def test_a_high_confidence_cover_is_still_applied_by_itself(cover_host):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812")
    record = candidate(
        title="Neverwhere",
        authors=[Contributor("Neil Gaiman")],
        isbn13=["9780060557812"],
        covers=[CoverRef("openlibrary", f"{cover_host.url}/b/id/2-L.jpg", "2", "L")],
    )
    ids = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    claimed = queue.requests_claim(request_ids=ids)
    engine.process_requests(claimed, providers=[FakeProvider(answers={edition.isbn13: [record]})])
    request = EnrichmentRequest.objects.get(pk=ids[0])
    assert (request.status, request.confidence) == ("completed", "high")

    assert run_cover_task(request) == {"applied": 1}

    edition.refresh_from_db()
    assert edition.cover and cover_host.seen == ["/b/id/2-L.jpg"]
    entry = AuditLogEntry.objects.get(action="cover")
    assert entry.actor is None and entry.request_id == request.pk
    assert Work.objects.get(pk=work.pk).enrichment_status == "enriched"


def test_a_reviewer_cannot_approve_a_dismissed_proposals_cover_afterwards(cover_host):
    """Dismissed is final for that proposal: its cover needs a re-run (a new proposal)."""
    request = waiting_with_cover(cover_host)
    reviewer = User.objects.create_user("rita", is_staff=True)
    review.request_dismiss(request=request, actor=reviewer)
    with pytest.raises(review.ReviewError, match="dismissed"):
        review.request_approve(request=request, actor=reviewer, fields=["cover"])
    run_cover_task(request)
    assert not edition_of(request).cover and cover_host.seen == []


def test_an_authors_photo_from_a_medium_match_is_not_queued_so_a_dismissal_downloads_nothing(
    cover_host,
):
    """An author's photo goes through the same step, but a medium match leaves it for review
    (apply.image_safe_at: a name that only nearly agrees may be a namesake's face), where it
    queued it at once: dismissed, nothing was ever queued, and nothing is downloaded."""
    author = make_author("Ursula K. Le Guin")
    photo = CoverRef("openlibrary", f"{cover_host.url}/a/id/3-L.jpg", "3", "L")
    request = decide(author, Tier.MEDIUM, covers=[photo], birth_year=1929)
    assert (request.status, request.cover_status) == ("needs_review", "")
    review.request_dismiss(request=request, actor=librarian())

    run_cover_task(request)

    author.refresh_from_db()
    assert not author.photo and cover_host.seen == []
    request.refresh_from_db()
    assert request.cover_status == ""
