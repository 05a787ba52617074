"""The cover campaign (`manage.py dump_campaign`): catalog editions -> covers through the dump's
chain, written as enrichment requests waiting for review; nothing downloaded."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from enrichment.candidates import CoverRef
from enrichment.dump import campaign, lookup
from enrichment.models import EnrichmentRequest
from tests.enrichment.dump.test_provider import (
    MISSING_WORK,
    NO_COVER,
    OWN_COVER,
    SIBLING_COVER,
    WORK_COVER,
)
from tests.factories import make_edition

pytestmark = pytest.mark.django_db(transaction=True)

NOT_IN_DUMP = "9780000000002"


def run(*options) -> dict:
    out = StringIO()
    call_command("dump_campaign", *options, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_each_step_of_the_chain_becomes_a_cover_proposal_waiting_for_review(synthetic, settings):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.example.org"
    editions = {
        isbn13: make_edition(isbn13=isbn13)
        for isbn13 in (OWN_COVER, WORK_COVER, SIBLING_COVER, MISSING_WORK, NO_COVER, NOT_IN_DUMP)
    }

    summary = run("--batch-size", "2")

    assert summary["editions"] == 6
    assert summary["batches"] == 3
    assert summary["by_step"] == {"edition": 1, "work": 1, "sibling": 2}
    assert (summary["covers"], summary["no_cover"], summary["not_in_dump"]) == (4, 1, 1)
    requests = {r.edition.isbn13: r for r in EnrichmentRequest.objects.select_related("edition")}
    assert set(requests) == {OWN_COVER, WORK_COVER, SIBLING_COVER, MISSING_WORK}
    own = requests[OWN_COVER]
    assert own.work_id == editions[OWN_COVER].work_id
    assert own.status == EnrichmentRequest.Status.NEEDS_REVIEW
    # The queue's "triggered by" says where the proposal came from.
    assert own.get_trigger_display() == "Dump cover campaign"
    assert own.proposal.cover.proposed[:2] == [
        CoverRef(
            "openlibrary_dump", "https://covers.example.org/b/id/99000101-L.jpg", "99000101", "L"
        ),
        CoverRef(
            "openlibrary_dump", "https://covers.example.org/b/id/99000101-M.jpg", "99000101", "M"
        ),
    ]
    assert not own.proposal.cover.applied
    notes = {isbn13: r.match_details.candidates[0].notes for isbn13, r in requests.items()}
    assert notes == {
        OWN_COVER: ["cover from the edition"],
        WORK_COVER: ["cover from the work OL99000001W"],
        SIBLING_COVER: ["cover from sibling edition OL99000004M of work OL99000002W"],
        MISSING_WORK: ["cover from sibling edition OL99000008M of work OL99000009W"],
    }
    sibling = requests[SIBLING_COVER].proposal.cover.proposed
    assert [ref.cover_id for ref in sibling] == ["99000104", "99000104", "99000114", "99000114"]


def test_a_second_run_writes_nothing_again(synthetic):
    make_edition(isbn13=OWN_COVER)
    make_edition(isbn13=WORK_COVER)

    assert run()["covers"] == 2
    again = run()

    assert (again["editions"], again["covers"]) == (0, 0)
    assert EnrichmentRequest.objects.count() == 2


def test_editions_with_a_cover_or_a_request_in_flight_are_left_alone(synthetic):
    covered = make_edition(isbn13=OWN_COVER)
    covered.cover.save("synthetic-cover.jpg", ContentFile(b"synthetic"), save=True)
    in_work_with_cover = make_edition(isbn13=SIBLING_COVER)
    in_work_with_cover.work.cover.save("synthetic-w.jpg", ContentFile(b"synthetic"), save=True)
    busy = make_edition(isbn13=WORK_COVER)
    EnrichmentRequest.objects.create(work=busy.work, edition=busy, trigger="command")
    make_edition(isbn13=None, isbn10="")

    summary = run()

    assert (summary["editions"], summary["covers"]) == (0, 0)
    assert EnrichmentRequest.objects.count() == 1


def test_the_proposal_shows_on_the_review_page(synthetic, admin_client):
    make_edition(isbn13=WORK_COVER)
    run()
    request = EnrichmentRequest.objects.get()

    page = admin_client.get(reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert "99000201-L.jpg" in body
    assert "Cover from the work OL99000001W" in body


def test_without_a_dump_the_command_says_so(drop_dump_tables):
    make_edition()

    with pytest.raises(CommandError, match="No Open Library dump is loaded"):
        run()
    assert not EnrichmentRequest.objects.exists()


def test_the_lean_chain_agrees_with_the_providers_for_every_step(synthetic):
    asked = [OWN_COVER, WORK_COVER, SIBLING_COVER, MISSING_WORK, NO_COVER, NOT_IN_DUMP]

    lean = lookup.covers_by_isbn(asked)
    full = lookup.editions_by_isbn(asked)

    assert set(lean) == set(full)
    for isbn13, found in lean.items():
        [match] = full[isbn13]
        assert (found.edition_id, found.cover_ids, found.cover_from, found.cover_edition_id) == (
            match.edition.edition_id,
            match.cover_ids,
            match.cover_from,
            match.cover_edition_id,
        )


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        run("--batch-size", "0")
    assert campaign.DEFAULT_BATCH_SIZE == 1000
