"""What a JSON body's escapes may say: half of a UTF-16 surrogate pair alone (`"\\ud800"`) is no
character, and a body holding one is a 400 naming it, nothing done. As a key it was a 500 (the
error naming the key could not be written as UTF-8); as a value, a field's own wording at best."""

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.enrichment.api.test_review_actions import catalog_state
from tests.enrichment.test_review import needs_review

pytestmark = pytest.mark.django_db


def post(api, url, body: str):
    return api.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('{"\\ud800": 1}', "\\ud800"),  # a key
        ('{"work_ids": [1], "note\\uDC00": 1}', "\\udc00"),
        ('{"work_ids": ["\\udbff"]}', "\\udbff"),  # in a list
    ],
)
def test_a_lone_surrogate_in_a_trigger_is_a_400_naming_it(api, body, named):
    response = post(api, reverse("api:enrichment-trigger"), body)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": f"JSON parse error - the body holds {named}, half of a UTF-16 surrogate pair "
        "alone, which is no character: send the character itself, or both halves.",
    }
    assert not EnrichmentRequest.objects.filter(trigger="api").exists()


def test_a_decision_whose_body_holds_a_lone_surrogate_does_nothing(api):
    request = needs_review()
    before = catalog_state(request)

    approved = post(
        api, reverse("api:enrichment-approve", args=[request.pk]), '{"fields": ["\\ud83d"]}'
    )
    dismissed = post(
        api, reverse("api:enrichment-dismiss", args=[request.pk]), '{"reason": "\\ude00"}'
    )

    assert (approved.status_code, dismissed.status_code) == (400, 400)
    assert approved.json()["error"]["code"] == dismissed.json()["error"]["code"] == "parse_error"
    assert catalog_state(request) == before


def test_both_halves_of_a_pair_are_their_character(api):
    request = needs_review()

    response = post(
        api, reverse("api:enrichment-dismiss", args=[request.pk]), '{"reason": "\\ud83d\\udcda"}'
    )

    assert response.status_code == 200, response.content
    request.refresh_from_db()
    assert request.review_note == "Dismissed: 📚"
