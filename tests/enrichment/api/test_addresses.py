"""One address per object: an id in an API address is written one way, its plain digits. With
Django's `<int:…>`, `enrichment/0001` answered request 1 (and `0001/dismiss` dismissed it), so
one request had countless addresses, each cached and compared apart; now another spelling is the
API's 404, naming the address meant."""

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.enrichment.api.test_review_actions import catalog_state
from tests.enrichment.test_review import needs_review

pytestmark = pytest.mark.django_db


def test_a_request_asked_with_leading_zeros_is_a_404_naming_its_address(api):
    request = needs_review()

    response = api.get(f"/api/v1/enrichment/000{request.pk}")  # zeros whatever the id

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": f"No endpoint at this address; there is one at /api/v1/enrichment/{request.pk}.",
    }


def test_a_dismissal_sent_to_an_id_with_leading_zeros_does_nothing(api):
    request = needs_review()
    before = catalog_state(request)

    response = api.post(
        f"/api/v1/enrichment/00{request.pk}/dismiss", {"reason": "x"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        f"No endpoint at this address; there is one at /api/v1/enrichment/{request.pk}/dismiss."
    )
    assert catalog_state(request) == before
    assert request.status == EnrichmentRequest.Status.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("/api/v1/enrichment/operations/007", "/api/v1/enrichment/operations/7"),
        ("/api/v1/imports/007/rows", "/api/v1/imports/7/rows"),
        ("/api/v1/imports/07/", "/api/v1/imports/7"),  # its slash too
    ],
)
def test_every_address_with_an_id_names_the_one_without_leading_zeros(api, asked, meant):
    response = api.get(asked)

    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        f"No endpoint at this address; there is one at {meant}."
    )


def test_id_zero_is_still_the_endpoints_own_404(api):
    response = api.get("/api/v1/enrichment/0")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No enrichment request has the id 0."


def test_the_links_the_api_gives_have_no_leading_zeros():
    assert reverse("api:enrichment-request", args=["007"]) == "/api/v1/enrichment/7"


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0"])
def test_an_address_with_no_endpoint_is_a_json_404_whatever_the_accept_header(api, accept):
    """It was a 406 "This endpoint does not answer in text/html": a browser or a client asking
    for another type was told about its Accept header, not that the address is wrong."""
    response = api.get("/api/v1/enrichment/0007", HTTP_ACCEPT=accept)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["message"] == (
        "No endpoint at this address; there is one at /api/v1/enrichment/7."
    )
