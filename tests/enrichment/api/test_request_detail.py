"""GET /api/v1/enrichment/{id}: one request with its typed proposal, field by field (what the
catalog holds now, what it held when proposed, the proposed value, source, scores), the cover
candidates and the match details, as plain JSON."""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Edition
from enrichment.faults import ClassifiedFault
from enrichment.models import EnrichmentRequest
from enrichment.proposals import MatchDetails
from tests.api_schema import assert_answer_matches_schema
from tests.enrichment.test_review import COVER_URL, needs_review
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


def url(pk: int) -> str:
    return reverse("api:enrichment-request", args=[pk])


def test_a_request_with_its_proposal_cover_candidates_and_match_details(api):
    request = needs_review()  # a medium match by the real engine: waits for review
    # The catalog changed since: the page shows what it holds now beside what it held then.
    Edition.objects.filter(work=request.work_id).update(publisher="Harper Perennial")

    response = api.get(url(request.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == request.pk and body["status"] == "needs_review"
    assert body["target"] == {
        "type": "work",
        "id": request.work_id,
        "title": "Neverwhere",
        "name": None,
    }
    assert body["confidence"] == "medium" and body["headline"]
    fields = {field["name"]: field for field in body["proposal"]["fields"]}
    assert fields["publisher"] == {
        "name": "publisher",
        "label": "Publisher",
        "current": "Harper Perennial",
        "current_when_proposed": "Harper",
        "proposed": "HarperTorch",
        "source": "openlibrary",
        "agree": [],
        "target": "edition",
        "fills_empty": False,
        "tier": "medium",
        "score": {"isbn": 0, "title": 5, "author": 5},
        "applied": False,
        "refused": "",
        "reverted": False,
    }
    assert fields["page_count"]["proposed"] == 370 and fields["page_count"]["current"] is None
    assert fields["subjects"]["proposed"] == ["London (England)", "Fantasy fiction"]
    assert body["proposal"]["scores"] == {"isbn": 0, "title": 5, "author": 5}
    cover = body["proposal"]["cover"]
    assert [c["url"] for c in cover["candidates"]] == [COVER_URL]
    assert cover["candidates"][0]["provider"] == "openlibrary" and cover["current"] is None
    assert body["proposal"]["authors"]["proposed"][0]["name"] == "Neil Gaiman"
    details = body["match_details"]
    assert details["query"]["title"] == "Neverwhere" and details["answered"] == ["openlibrary"]
    assert details["candidates"][0]["title_score"] == 5
    assert details["candidates"][0]["reasons"]


def test_the_cover_the_work_shows_now_is_given_beside_the_candidates(api):
    request = needs_review()
    verified = timezone.now()
    Edition.objects.filter(work=request.work_id).update(
        cover="covers/ab/current.jpg", cover_source="google_books", cover_verified_at=verified
    )

    response = api.get(url(request.pk))

    current = response.json()["proposal"]["cover"]["current"]
    # Absolute, as the works list's cover_url: it was "/media/covers/ab/current.jpg", a path a
    # client had to resolve itself, which the schema now declares a `uri` to be.
    assert current["url"] == "http://testserver/media/covers/ab/current.jpg"
    assert current["source"] == "google_books" and current["verified_at"]
    assert_answer_matches_schema(api, "/api/v1/enrichment/{id}", "get", response)


def test_links_from_provider_data_must_be_web_urls(api):
    """A provider's "javascript:" URL is never handed on (a client would put it in a link)."""
    request = needs_review()
    details, proposal = request.match_details, request.proposal
    details.candidates[0].source_url = "javascript:alert(document.cookie)"
    proposal.cover.proposed[0] = replace(proposal.cover.proposed[0], url="javascript:alert(1)")
    EnrichmentRequest.objects.filter(pk=request.pk).update(match_details=details, proposal=proposal)

    body = api.get(url(request.pk)).json()

    assert body["match_details"]["candidates"][0]["source_url"] == ""
    assert body["proposal"]["cover"]["candidates"][0]["url"] == ""
    assert "javascript" not in str(body)


def test_an_authors_request(api):
    author = make_author("Ursula K. Le Guin")
    request = EnrichmentRequest.objects.create(
        author=author,
        trigger="command",
        status="needs_review",
        confidence="high",
        proposal={
            "bio": {
                "current": "",
                "proposed": "An American author.",
                "source": "wikidata",
                "target": "author",
                "fills_empty": True,
                "score": {"isbn": 5, "title": 3, "author": 5},
            }
        },
        match_details={"held_author": {"name": "Ursula K. Le Guin"}, "answered": ["wikidata"]},
    )

    body = api.get(url(request.pk)).json()

    assert body["target"] == {"type": "author", "id": author.pk, "title": None, "name": author.name}
    assert body["proposal"]["authors"] is None  # an author's request proposes no credits
    assert body["proposal"]["fields"][0]["name"] == "bio"
    assert body["proposal"]["fields"][0]["current"] == ""  # the author holds no bio now
    assert body["match_details"]["held_author"]["name"] == "Ursula K. Le Guin"
    assert body["match_details"]["query"] is None


def test_a_request_before_any_lookup_has_empty_parts_not_missing_keys(api):
    request = EnrichmentRequest.objects.create(
        work=needs_review().work, trigger="api", status="pending"
    )

    body = api.get(url(request.pk)).json()

    assert body["proposal"] == {
        "fields": [],
        "cover": None,
        "authors": {"current": ["Neil Gaiman"], "proposed": [], "applied": False},
        "scores": None,
    }
    assert body["match_details"]["candidates"] == [] and body["match_details"]["query"] is None
    assert body["confidence"] == "" and body["reviewed_by"] is None


@pytest.mark.parametrize("pk", [987654, 2**63 - 1, 10**30])
def test_an_unknown_id_is_a_json_404(api, pk):
    response = api.get(url(pk))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert str(pk) in response.json()["error"]["message"]


def test_each_fault_names_the_lookup_that_failed(api):
    """One provider failing on a book's ISBN lookup and on its title search: two faults, each
    saying which lookup it was (the review page lists them as one line naming both)."""
    fault = ClassifiedFault(provider="openlibrary", kind="http_5xx", http_status=503)
    request = EnrichmentRequest.objects.create(
        work=make_work("Dune"),
        trigger="command",
        status="skipped",
        confidence="none",
        match_details=MatchDetails(
            faults=[replace(fault, lookup="isbn"), replace(fault, lookup="title_search"), fault]
        ),
    )

    response = api.get(url(request.pk))

    assert response.status_code == 200
    lookups = [f["lookup"] for f in response.json()["match_details"]["faults"]]
    assert lookups == ["isbn", "title_search", ""]
    assert_answer_matches_schema(api, "/api/v1/enrichment/{id}", "get", response)
