"""A series a provider names (its subtitle's series statement, "Book Six of the Elric Saga") is
proposed as the work's series and number: filled when the catalog has none, never over one."""

import pytest

from enrichment import apply, engine, queue, revert
from enrichment.candidates import Contributor
from enrichment.merge import merge_candidates
from enrichment.models import AuditLogEntry, EnrichmentRequest
from enrichment.proposals import Scores, build_proposal
from enrichment.providers import settle
from tests.enrichment.fakes import FakeProvider, candidate
from tests.factories import make_edition, make_isbn13, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cover_downloads(monkeypatch):
    monkeypatch.setattr("enrichment.apply.covers_dispatch", lambda request_ids, actor_id=None: None)


def stormbringer(isbn13: str, *, provider: str = "openlibrary", subtitle: str):
    # As every provider hands a record on (settle.settle_candidate reads the subtitle).
    return settle.settle_candidate(
        candidate(
            provider=provider,
            title="Stormbringer",
            subtitle=subtitle,
            authors=[Contributor("Michael Moorcock")],
            isbn13=[isbn13],
        )
    )


def enrich(work, isbn13: str, *records) -> EnrichmentRequest:
    ids = queue.works_enqueue_enrichment(dispatch=False, work_ids=[work.pk])
    claimed = queue.requests_claim(request_ids=ids)
    engine.process_requests(claimed, providers=[FakeProvider(answers={isbn13: list(records)})])
    return EnrichmentRequest.objects.get(pk=ids[0])


def test_a_series_named_in_the_subtitle_fills_a_work_without_one():
    isbn13 = make_isbn13()
    work = make_work("Stormbringer", authors=["Michael Moorcock"])
    make_edition(work, isbn13=isbn13)

    request = enrich(work, isbn13, stormbringer(isbn13, subtitle="Book Six of the Elric Saga"))

    work.refresh_from_db()
    assert (work.series, work.series_number) == ("Elric Saga", "6")
    assert work.subtitle == ""  # the statement is no subtitle
    # "Every series" on the work's page shows it, as an import's series.
    assert [(e.name, e.number, e.position) for e in work.series_entries.all()] == [
        ("Elric Saga", "6", 0)
    ]
    entry = AuditLogEntry.objects.get(request=request)
    assert entry.changes["series"] == {"old": "", "new": "Elric Saga", "target": "work"}
    assert entry.changes["series_number"] == {"old": "", "new": "6", "target": "work"}


def test_a_series_the_work_has_is_never_overwritten_and_another_series_number_not_proposed():
    isbn13 = make_isbn13()
    work = make_work("Stormbringer", authors=["Michael Moorcock"], series="The Eternal Champion")
    make_edition(work, isbn13=isbn13)

    request = enrich(work, isbn13, stormbringer(isbn13, subtitle="Book Six of the Elric Saga"))

    work.refresh_from_db()
    assert (work.series, work.series_number) == ("The Eternal Champion", "")
    proposed = request.proposal.fields["series"]
    assert (proposed.proposed, proposed.fills_empty, proposed.applied) == (
        "Elric Saga",
        False,
        False,
    )
    # Book six of the Elric Saga is not book six of the series the librarian wrote.
    assert "series_number" not in request.proposal.fields


def test_the_number_of_the_series_the_work_has_fills_it():
    isbn13 = make_isbn13()
    work = make_work("Stormbringer", authors=["Michael Moorcock"], series="Elric saga")
    make_edition(work, isbn13=isbn13)

    enrich(work, isbn13, stormbringer(isbn13, subtitle="Book Six of the Elric Saga"))

    work.refresh_from_db()
    assert (work.series, work.series_number) == ("Elric saga", "6")


def test_the_series_and_its_number_come_from_one_record():
    numbered = stormbringer(make_isbn13(), provider="google_books", subtitle="Elric Saga, Book 6")
    other = stormbringer(make_isbn13(), subtitle="A Michael Moorcock Novel")
    assert (other.series, other.series_number) == ("Michael Moorcock", "")

    merged = merge_candidates([other, numbered], provider_order=["openlibrary", "google_books"])
    proposal = build_proposal(current={}, merged=merged, tier="high", scores=Scores())

    # The first record's series; the second's number belongs to another series.
    assert proposal.fields["series"].proposed == "Michael Moorcock"
    assert "series_number" not in proposal.fields


def test_a_reviewers_series_replaces_the_primary_entry_and_a_revert_puts_it_back(librarian):
    isbn13 = make_isbn13()
    work = make_work("Stormbringer", authors=["Michael Moorcock"], series="Elric")
    work.series_entries.create(name="Elric", number="", position=0)
    make_edition(work, isbn13=isbn13)
    request = enrich(work, isbn13, stormbringer(isbn13, subtitle="Book Six of the Elric Saga"))

    applied = apply.apply_proposal(
        enrichment_request=request, fields=["series"], actor=librarian, only_empty=False
    )

    assert [(e.name, e.number) for e in work.series_entries.all()] == [("Elric Saga", "")]
    revert.audit_revert(entry=applied.audit_entry, actor=librarian)
    work.refresh_from_db()
    assert work.series == "Elric"
    assert [(e.name, e.number) for e in work.series_entries.all()] == [("Elric", "")]
