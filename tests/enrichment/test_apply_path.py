"""The one apply path (enrichment.apply.apply_proposal) and the typed proposal it applies.

The engine's auto-apply, a reviewer's approval and bulk approve all go through apply_proposal;
these tests hold the rules a reader of the catalog would notice: each edition holds only its own
ISBN's record, a cover is replaced only by a reviewer's choice, and a proposal stored as JSON
comes back as it was (rows stored before the typed classes too).
"""

import io

import pytest
from django.contrib.auth.models import User
from PIL import Image

from enrichment import cover_apply, engine, queue, review
from enrichment.candidates import Contributor, CoverRef
from enrichment.covers import choose
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import MatchDetails, Proposal, ProposedCover, ProposedField, Scores
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
FIXTURE_COVER = "tests/fixtures/covers/synthetic-cover-400x600.jpg"


def cover_bytes(variant: int) -> bytes:
    """The fixture cover, mirrored or not: two real-looking covers with different bytes."""
    image = Image.open(FIXTURE_COVER).convert("RGB")
    if variant:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def cover_host(monkeypatch, sent_tasks):
    """No network: each cover URL answers with its own image (the URL's last digit picks it)."""
    seen = []

    def fetch(url, **kwargs):
        seen.append(url)
        return cover_bytes(int(url.rsplit("-", 1)[0][-1]) % 2)

    monkeypatch.setattr(choose, "fetch_cover_bytes", fetch)
    return seen


def record(isbn13: str, *, publisher: str, cover_id: str):
    """A record that lists the ISBN it was asked for: a high-confidence match."""
    return candidate(
        title="Coraline",
        authors=[Contributor("Neil Gaiman")],
        isbn13=[isbn13],
        publisher=publisher,
        page_count=162 + int(cover_id),
        covers=[
            CoverRef(
                "openlibrary", f"https://covers.openlibrary.org/b/id/{cover_id}-L.jpg", cover_id
            )
        ],
        queried_isbn=isbn13,
    )


def enrich(request: EnrichmentRequest, provider: FakeProvider) -> None:
    """What a worker does: claim, look up, decide, then the cover task."""
    claimed = queue.requests_claim(request_ids=[request.pk])
    engine.process_requests(claimed, providers=[provider])
    cover_apply.requests_fetch_covers(request_ids=[request.pk])


def test_each_edition_holds_its_own_isbns_record_and_cover(cover_host):
    # Edition 1 has the higher ISBN string: a rule by "lowest ISBN" once put edition 2's cover
    # on it while its metadata came from its own record.
    work = make_work("Coraline", authors=["Neil Gaiman"])
    first = make_edition(work, isbn13="9780060557812", publisher="")
    second = make_edition(work, isbn13="9780007119301", publisher="")
    provider = FakeProvider(
        answers={
            first.isbn13: [record(first.isbn13, publisher="HarperCollins", cover_id="11")],
            second.isbn13: [record(second.isbn13, publisher="Bloomsbury", cover_id="22")],
        }
    )

    # The work's own request is for its primary edition (the first with an ISBN)...
    enrich(EnrichmentRequest.objects.create(work=work, trigger="command"), provider)
    # ...and a request for the other edition brings that edition's own record.
    enrich(EnrichmentRequest.objects.create(work=work, edition=second, trigger="command"), provider)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.publisher, first.page_count) == ("HarperCollins", 173)
    assert (second.publisher, second.page_count) == ("Bloomsbury", 184)
    assert first.cover_source_url.endswith("/b/id/11-L.jpg")
    assert second.cover_source_url.endswith("/b/id/22-L.jpg")
    assert first.cover_sha256 != second.cover_sha256
    for entry in AuditLogEntry.objects.all():
        assert entry.edition_id in (first.pk, second.pk)
        if "publisher" in entry.changes:
            expected = {first.pk: "HarperCollins", second.pk: "Bloomsbury"}[entry.edition_id]
            assert entry.changes["publisher"]["new"] == expected


def test_only_a_reviewers_choice_replaces_a_cover_and_it_goes_through_the_cover_task(
    cover_host, sent_tasks
):
    reviewer = User.objects.create_user("reviewer", is_staff=True)
    work = make_work("Coraline", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812", publisher="")
    provider = FakeProvider(
        answers={edition.isbn13: [record(edition.isbn13, publisher="Harper", cover_id="11")]}
    )
    enrich(EnrichmentRequest.objects.create(work=work, trigger="command"), provider)
    edition.refresh_from_db()
    kept = edition.cover_sha256
    assert edition.cover_source_url.endswith("/11-L.jpg")

    # A second lookup offers another cover: the engine never replaces the one the work has.
    provider.answers[edition.isbn13] = [record(edition.isbn13, publisher="Harper", cover_id="22")]
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    enrich(request, provider)
    edition.refresh_from_db()
    assert edition.cover_sha256 == kept
    request.refresh_from_db()
    assert not request.proposal.cover.fills_empty and not request.proposal.cover.applied

    # A reviewer who ticks it queues its download, which then replaces the cover.
    sent_tasks.clear()
    result = review.request_approve(request=request, actor=reviewer, fields=["cover"])
    assert result.cover == "queued"
    request.refresh_from_db()
    assert request.cover_status == "pending" and request.cover_replace
    cover_apply.requests_fetch_covers(request_ids=[request.pk], actor=reviewer)
    edition.refresh_from_db()
    assert edition.cover_sha256 != kept and edition.cover_source_url.endswith("/22-L.jpg")
    entry = AuditLogEntry.objects.filter(action="cover").latest("pk")
    assert entry.actor == reviewer and entry.changes["cover"]["old"]


def test_the_engine_and_a_reviewer_write_the_same_audit_entry_shape(cover_host):
    reviewer = User.objects.create_user("reviewer", is_staff=True)
    work = make_work("Coraline", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812", publisher="Old Press")
    provider = FakeProvider(
        answers={edition.isbn13: [record(edition.isbn13, publisher="Harper", cover_id="11")]}
    )
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    enrich(request, provider)
    review.request_approve(request=request, actor=reviewer, fields=["publisher"])

    auto, chosen = AuditLogEntry.objects.filter(action__in=["auto_apply", "review_apply"]).order_by(
        "pk"
    )
    assert (auto.action, auto.actor_label, auto.edition_id) == (
        "auto_apply",
        "enrichment worker",
        edition.pk,
    )
    assert (chosen.action, chosen.actor, chosen.edition_id) == (
        "review_apply",
        reviewer,
        edition.pk,
    )
    assert chosen.changes == {
        "publisher": {"old": "Old Press", "new": "Harper", "target": "edition"}
    }
    assert set(auto.changes["page_count"]) == {"old", "new", "target"}
    request.refresh_from_db()
    assert request.proposal.fields["publisher"].applied
    assert set(request.fields_applied) >= {"page_count", "publisher"}
    edition.refresh_from_db()
    assert edition.publisher == "Harper"


# --- The typed proposal (pure) -----


def test_a_proposal_survives_its_json_and_old_rows_load():
    proposal = Proposal(
        fields={
            "page_count": ProposedField(
                name="page_count",
                current=None,
                proposed=370,
                source="openlibrary",
                target="edition",
                fills_empty=True,
                tier="high",
                agree=["google_books"],
                score=Scores(isbn=5, title=5, author=4),
            )
        },
        cover=ProposedCover(
            proposed=[CoverRef("openlibrary", "https://covers.openlibrary.org/b/id/1-L.jpg", "1")],
            source="openlibrary",
        ),
    )
    assert Proposal.from_json(proposal.to_json()) == proposal
    # A row as the untyped code stored it (no "name", extra keys, a partial cover ref).
    old = {
        "publisher": {"current": "", "proposed": "Ace", "source": "openlibrary", "x": 1},
        "cover": {"proposed": [{"provider": "openlibrary", "url": "https://e.org/c.jpg"}]},
    }
    loaded = Proposal.from_json(old)
    assert loaded.fields["publisher"].target == "edition"
    assert loaded.fields["publisher"].score == Scores()
    assert loaded.cover.proposed[0].url == "https://e.org/c.jpg"
    assert loaded.cover.source == "openlibrary"
    assert Proposal.from_json(None) == Proposal() and not Proposal.from_json("garbage")
    assert MatchDetails.from_json({"candidates": [{"title": "no provider"}]}).candidates == []


def test_the_safe_selection_never_replaces_and_a_chosen_one_may():
    proposal = Proposal(
        fields={
            name: ProposedField(
                name=name, current=current, proposed="x", source="openlibrary",
                target="edition", fills_empty=not current,
            )
            for name, current in [("publisher", "Harper"), ("language", "")]
        },
        cover=ProposedCover(proposed=[CoverRef("openlibrary", "https://e.org/c.jpg")]),
    )  # fmt: skip
    safe = proposal.select(None, has_cover=True, authors_done=False, only_empty=True)
    assert (safe.fields, safe.authors, safe.cover) == (["language"], True, False)
    chosen = proposal.select(
        ["publisher", "cover"], has_cover=True, authors_done=True, only_empty=False
    )
    assert (chosen.fields, chosen.authors, chosen.cover) == (["publisher"], False, True)
    proposal.mark_applied(["publisher"])
    assert not proposal.select(["publisher"], has_cover=True, authors_done=True, only_empty=False)
