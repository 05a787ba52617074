"""Authors on the works' queue: the same claiming, apply path, cover (photo) pipeline, audit log,
review page and revert (enrichment.targets says what each kind of request holds).

The engine that finds authors' records is tested in test_author_engine.py; here each request's
proposal is recorded as the engine records it (apply.request_apply_decision), so what a
librarian sees of the apply, review and revert rules is tested on its own.
"""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import Author
from enrichment import apply, cover_apply, queue, revert, review
from enrichment.candidates import CoverRef
from enrichment.covers import choose
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import CoverRejection, Proposal, ProposedField, Scores
from enrichment.selectors import current_requests
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
FIXTURE_IMAGE = "tests/fixtures/covers/synthetic-cover-400x600.jpg"
PHOTO_URL = "https://covers.openlibrary.org/a/id/6257600-L.jpg"


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def proposed(author: Author, **values) -> Proposal:
    """A proposal as the author engine builds it: each value beside what the author holds."""
    proposal = Proposal()
    for name, value in values.items():
        current = getattr(author, name)
        proposal.fields[name] = ProposedField(
            name=name,
            current=current,
            proposed=value,
            source="wikidata",
            target="author",
            fills_empty=current in ("", None),
            tier="high",
            score=Scores(isbn=5, title=0, author=4),
        )
    return proposal


def claimed_request(author: Author) -> EnrichmentRequest:
    [request_id] = queue.authors_enqueue_enrichment(author_ids=[author.pk], dispatch=False)
    [claimed] = queue.requests_claim(request_ids=[request_id])
    return claimed


def decide(author: Author, tier: Tier, covers=(), **values) -> EnrichmentRequest:
    request = claimed_request(author)
    status = apply.request_apply_decision(
        request=request, tier=tier, proposal=proposed(author, **values), covers=list(covers)
    )
    assert status != "lost"
    return EnrichmentRequest.objects.get(pk=request.pk)


def reviewer(username="libby") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def test_only_authors_missing_something_are_queued_once():
    complete = make_author(
        "Ursula K. Le Guin", bio="American author.", birth_year=1929, openlibrary_key="OL31299A"
    )
    missing = make_author("Sergei Lukyanenko")
    first = queue.authors_enqueue_enrichment(dispatch=False)
    again = queue.authors_enqueue_enrichment(dispatch=False)
    assert [r.author_id for r in EnrichmentRequest.objects.filter(pk__in=first)] == [missing.pk]
    assert again == []  # one active request per author
    assert complete.enrichment_requests.count() == 0
    missing.refresh_from_db()
    assert missing.enrichment_status == "queued"


def test_high_confidence_fills_only_the_authors_empty_fields_and_audits_them():
    author = make_author("Ursula K. Le Guin", bio="Her own bio, typed by a librarian.")
    request = decide(
        author, Tier.HIGH, bio="A bio from Wikipedia.", birth_year=1929, wikidata_id="Q181659"
    )
    author.refresh_from_db()
    assert author.bio == "Her own bio, typed by a librarian."  # never overwritten silently
    assert (author.birth_year, author.wikidata_id) == (1929, "Q181659")
    assert request.status == Status.COMPLETED
    assert sorted(request.fields_applied) == ["birth_year", "wikidata_id"]
    assert author.enrichment_status == "enriched"
    assert author.completeness > 0 and author.last_enriched_at is not None
    [entry] = AuditLogEntry.objects.filter(author=author)
    assert entry.work is None and entry.action == AuditLogEntry.Action.AUTO_APPLY
    assert entry.actor_label == "enrichment worker"
    assert entry.changes["birth_year"] == {"old": None, "new": 1929, "target": "author"}


def test_low_confidence_applies_nothing_and_waits_for_review():
    author = make_author("Sergei Lukyanenko")
    request = decide(author, Tier.LOW, birth_year=1968, short_description="Russian writer")
    author.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW
    assert author.birth_year is None and author.short_description == ""
    assert author.enrichment_status == "needs_review"
    assert not AuditLogEntry.objects.filter(author=author).exists()


def test_a_reviewer_replaces_a_chosen_value_and_a_revert_puts_it_back():
    author = make_author("Ursula K. Le Guin", bio="Old bio.")
    request = decide(author, Tier.LOW, bio="New bio.", birth_year=1929)
    user = reviewer()
    result = review.request_approve(request=request, actor=user, fields=["bio"])
    author.refresh_from_db()
    assert result.applied["bio"]["old"] == "Old bio." and author.bio == "New bio."
    assert author.birth_year is None  # not chosen
    entry = AuditLogEntry.objects.get(author=author, action=AuditLogEntry.Action.REVIEW_APPLY)
    assert entry.actor == user
    outcome = revert.audit_revert(entry=entry, actor=user)
    author.refresh_from_db()
    assert outcome.reverted and author.bio == "Old bio."
    assert outcome.revert_entry is not None and outcome.revert_entry.author == author


def test_a_revert_is_refused_when_the_field_was_changed_since():
    author = make_author("Ursula K. Le Guin")
    decide(author, Tier.HIGH, birth_year=1929)
    Author.objects.filter(pk=author.pk).update(birth_year=1930)  # a librarian's correction
    entry = AuditLogEntry.objects.get(author=author)
    outcome = revert.audit_revert(entry=entry, actor=reviewer())
    author.refresh_from_db()
    assert author.birth_year == 1930 and "changed since" in outcome.refused["birth_year"]


def test_dismissing_an_authors_proposal_changes_nothing_and_rerun_queues_it_again():
    author = make_author("Sergei Lukyanenko")
    request = decide(author, Tier.LOW, birth_year=1968)
    user = reviewer()
    review.request_dismiss(request=request, actor=user, reason="another Lukyanenko")
    author.refresh_from_db()
    assert author.birth_year is None and author.enrichment_status == "dismissed"
    assert AuditLogEntry.objects.get(author=author).action == AuditLogEntry.Action.DISMISS
    rerun = review.request_rerun(request=request, actor=user)
    new = EnrichmentRequest.objects.get(pk=rerun.new_request_id)
    assert new.author == author and new.status == Status.PENDING


def test_the_photo_goes_through_the_cover_pipeline_with_its_licence(monkeypatch):
    author = make_author("Ursula K. Le Guin")
    image = io.BytesIO()
    Image.open(FIXTURE_IMAGE).convert("RGB").save(image, "JPEG", quality=90)
    monkeypatch.setattr(choose, "fetch_cover_bytes", lambda url, **kw: image.getvalue())
    photo = CoverRef("wikidata", PHOTO_URL, licence="CC BY-SA 2.0", artist="Marian Wood Kolisch")
    request = decide(author, Tier.HIGH, covers=[photo], birth_year=1929)
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING
    cover_apply.requests_fetch_covers(request_ids=[request.pk])
    author.refresh_from_db()
    assert author.photo.name.startswith("covers/") and author.photo_sha256
    assert (author.photo_licence, author.photo_artist) == ("CC BY-SA 2.0", "Marian Wood Kolisch")
    assert author.photo_source == "wikidata" and author.photo_source_url == PHOTO_URL
    entry = AuditLogEntry.objects.get(author=author, action=AuditLogEntry.Action.COVER)
    assert entry.changes["cover"]["target"] == "author"
    revert.audit_revert(entry=entry, actor=reviewer())
    author.refresh_from_db()
    assert not author.photo and author.photo_licence == "" and author.photo_sha256 == ""


def test_a_medium_match_queues_no_photo_it_waits_for_a_reviewer():
    """A medium author match is a name that only nearly agrees (initials, a surname, a pinyin /
    Wade-Giles romanisation) beside a shared work: its portrait may be a namesake's, so it is
    proposed for review, not applied, as its other values are; a reviewer's approval applies it."""
    author = make_author("Lu Xun")
    request = decide(author, Tier.MEDIUM, covers=[CoverRef("wikidata", PHOTO_URL)])
    assert request.status == Status.NEEDS_REVIEW
    assert request.cover_status == ""  # no download queued by the engine
    assert request.proposal.cover is not None and request.proposal.cover.fills_empty
    assert not AuditLogEntry.objects.filter(author=author).exists()
    author.refresh_from_db()
    assert not author.photo and author.enrichment_status == "needs_review"
    review.request_approve(request=request, actor=reviewer(), fields=["cover"])
    request.refresh_from_db()
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING  # the reviewer's choice


def test_a_medium_match_applies_none_of_its_values_either():
    author = make_author("Lu Xun")
    request = decide(author, Tier.MEDIUM, covers=[CoverRef("wikidata", PHOTO_URL)], birth_year=1881)
    author.refresh_from_db()
    assert request.status == Status.NEEDS_REVIEW and request.cover_status == ""
    assert author.birth_year is None and request.fields_applied == []


def test_a_high_match_still_queues_its_photo_by_itself():
    author = make_author("Lu Xun")
    request = decide(author, Tier.HIGH, covers=[CoverRef("wikidata", PHOTO_URL)])
    assert request.status == Status.COMPLETED
    assert request.cover_status == EnrichmentRequest.CoverStatus.PENDING


def test_the_photo_steps_notes_call_it_a_photo_those_stored_before_too(client):
    """The cover step's notes said "this cover" of an author's photo: the give-up it writes
    now says photo, and a note or a rejection stored before reads so on the request's page and
    in the API."""
    author = make_author("Ursula K. Le Guin")
    request = decide(author, Tier.HIGH, covers=[CoverRef("wikidata", PHOTO_URL)], birth_year=1929)
    assert request.cover_status == "pending"
    # Three workers stopped while downloading it: the sweep gives it up.
    EnrichmentRequest.objects.filter(pk=request.pk).update(
        cover_attempts=cover_apply.MAX_COVER_ATTEMPTS,
        cover_claim_token="w3",
        cover_claimed_at=timezone.now() - timedelta(days=1),
    )
    assert cover_apply.covers_give_up_stale() == 1
    request.refresh_from_db()
    assert request.match_details.cover_note == (
        "The worker stopped while downloading this photo 3 times: given up."
    )

    details = request.match_details
    details.cover_note = "The worker stopped while downloading this cover 3 times: given up."
    details.cover_rejections = [
        CoverRejection(
            "wikidata",
            PHOTO_URL,
            "timeout",
            "not tried: the time for this cover's downloads ran out",
        )
    ]
    EnrichmentRequest.objects.filter(pk=request.pk).update(match_details=details)
    client.force_login(reviewer())
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    html = page.content.decode()
    assert "downloading this photo 3 times" in html and "the time for this photo" in html
    assert "this cover" not in html
    answer = client.get(reverse("api:enrichment-request", args=[request.pk])).json()
    said = answer["match_details"]
    assert said["cover_note"].startswith("The worker stopped while downloading this photo")
    assert said["cover_rejections"][0]["message"].endswith("this photo's downloads ran out")


def test_the_queues_image_column_calls_an_authors_image_a_photo(client):
    """The queue's image column was headed "Current → proposed" and an author's row said
    "No verified cover" and "Proposed cover …" of their photo."""
    author = make_author("Sergei Lukyanenko")
    decide(author, Tier.LOW, covers=[CoverRef("wikidata", "https://example.org/p.jpg")])
    queue.works_enqueue_enrichment(work_ids=[make_work("Night Watch").pk], dispatch=False)
    client.force_login(reviewer())
    url = reverse("admin:enrichment_enrichmentrequest_changelist")

    def heading(query: str) -> str:
        html = client.get(url + query).content.decode()
        found = re.search(
            r'class="column-(images|covers|photos)">\s*<div class="text"><span>([^<]*)<', html
        )
        assert found, "the image column is listed"
        return found.group(2)

    assert heading("?target=authors") == "Photo"
    assert heading("?target=works") == "Cover"
    assert heading("") == "Cover / photo"

    row = client.get(url + "?target=authors").content.decode()
    titles = re.findall(r'class="cover-thumb[^"]*" title="([^"]*)"', row)
    assert titles == ["No verified photo", "Proposed photo on a host not on the allowlist"]


def test_an_author_with_a_photo_keeps_it():
    author = make_author("Ursula K. Le Guin", photo="covers/ab/kept.jpg")
    request = decide(author, Tier.HIGH, covers=[CoverRef("openlibrary", PHOTO_URL)])
    assert request.cover_status == ""  # nothing to fill: no download queued
    assert request.proposal.cover is not None and not request.proposal.cover.fills_empty


def test_the_queue_shows_one_current_request_per_author_beside_the_works():
    author = make_author("Sergei Lukyanenko")
    work = make_work("Night Watch", authors=["Sergei Lukyanenko"])
    older = decide(author, Tier.LOW, birth_year=1968)
    review.request_dismiss(request=older, actor=None, reason="")
    newer = queue.authors_enqueue_enrichment(author_ids=[author.pk], dispatch=False)
    work_requests = queue.works_enqueue_enrichment(work_ids=[work.pk], dispatch=False)
    expected = {*newer, *work_requests}
    assert set(current_requests().values_list("pk", flat=True)) == expected
    counted = current_requests(for_counting=True).values_list("pk", flat=True)
    assert set(counted) == expected


def test_the_review_page_of_an_authors_request(client):
    author = make_author("Sergei Lukyanenko")
    request = decide(
        author,
        Tier.LOW,
        covers=[CoverRef("wikidata", PHOTO_URL, licence="CC BY-SA 4.0")],
        birth_year=1968,
        short_description="Russian science fiction writer",
    )
    client.force_login(reviewer())
    page = client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Open the author" in html and reverse("admin:catalog_author_change", args=[author.pk])
    assert "Russian science fiction writer" in html and "Born (year)" in html
    assert "No photo" in html and "CC BY-SA 4.0" in html  # the portrait's licence is shown
    assert "id 5/5 · works 0/5 · name 4/5" in html
    # The queue lists it among the works' requests, and filters to authors only.
    listed = client.get(
        reverse("admin:enrichment_enrichmentrequest_changelist") + "?target=authors"
    )
    assert listed.status_code == 200 and "Sergei Lukyanenko" in listed.content.decode()
    found = client.get(reverse("admin:enrichment_enrichmentrequest_changelist") + "?q=Lukyan")
    assert "Sergei Lukyanenko" in found.content.decode()


def test_an_authors_request_nobody_knew_says_no_record_of_this_author(client):
    """As the demo's author requests read: "No provider gave a record of this book." was said
    of a person."""
    author = make_author("Iain M. Banks")
    request = EnrichmentRequest.objects.create(
        author=author,
        trigger="manual_bulk",
        status=EnrichmentRequest.Status.SKIPPED,
        confidence="none",
        attempts=1,
        match_details={"answered": ["openlibrary"], "reason": "No source knows this author."},
    )
    client.force_login(reviewer())
    html = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()
    assert "No provider gave a record of this author." in html
    assert "this book" not in html


def test_the_review_buttons_apply_to_an_author_and_the_audit_log_links_it(client):
    author = make_author("Sergei Lukyanenko")
    request = decide(author, Tier.LOW, birth_year=1968)
    client.force_login(reviewer())
    url = reverse("admin:enrichment_enrichmentrequest_approve", args=[request.pk])
    response = client.post(url, {"_chosen": "1", "fields": ["birth_year"]})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.birth_year == 1968
    audit = client.get(reverse("admin:enrichment_auditlogentry_changelist"))
    html = audit.content.decode()
    assert audit.status_code == 200
    assert reverse("admin:catalog_author_change", args=[author.pk]) in html
    entry = AuditLogEntry.objects.get(author=author)
    detail = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and "Sergei Lukyanenko" in detail.content.decode()
