"""What an endpoint answers in, by the request's Accept header (bookstore.api_negotiation)."""

import pytest
from django.urls import reverse

from tests.api_schema import assert_answer_matches_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


@pytest.mark.parametrize("accept", ["", " "])
def test_an_empty_accept_header_is_answered_as_if_none_were_sent(admin_api, accept):
    """An empty Accept (sent so by some HTTP libraries and proxies) was a 406 'This endpoint
    does not answer in "": ask for application/json.', a preference the client never stated."""
    works = admin_api.get(reverse("api:work-list"), HTTP_ACCEPT=accept)
    schema = admin_api.get(reverse("api:schema"), HTTP_ACCEPT=accept)

    assert works.status_code == 200 and works["Content-Type"] == "application/json"
    assert schema.status_code == 200
    assert schema.content.startswith(b"openapi: 3.")  # the schema's default, YAML


def test_an_accept_header_naming_only_other_types_is_still_406(admin_api):
    response = admin_api.get(reverse("api:work-list"), HTTP_ACCEPT="text/html, image/*")

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


@pytest.mark.parametrize(
    "accept",
    ["application/json;q=0", "application/json; q=0.0", "*/*;q=0", "application/json;q=0, */*"],
)
@pytest.mark.parametrize("query", ["", "?format=json"])
def test_a_client_refusing_json_is_answered_406_not_json(admin_api, accept, query):
    """RFC 9110: a type of quality 0 is "not acceptable". The API ignored the quality and
    answered in JSON, the one type the client had said it could not read."""
    response = admin_api.get(reverse("api:work-list") + query, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"
    assert "ask for application/json" in response.json()["error"]["message"]
    assert_answer_matches_schema(admin_api, "/api/v1/works/", "get", response)


def test_a_client_refusing_json_gets_the_schema_in_a_type_it_takes(admin_api):
    response = admin_api.get(reverse("api:schema"), HTTP_ACCEPT="application/json;q=0, */*")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi;")  # YAML


@pytest.mark.parametrize(
    "accept", ["application/json;q=0.1", "application/json;q=0, application/json;indent=2"]
)
def test_a_low_but_not_zero_quality_or_a_more_specific_type_is_still_json(admin_api, accept):
    response = admin_api.get(reverse("api:work-list"), HTTP_ACCEPT=accept)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("quality", ["abc", "nan", "-1", "2", "1.5"])
def test_a_quality_that_is_no_number_from_0_to_1_is_a_400_naming_it(admin_api, quality):
    """`application/json;q=abc, */*;q=0` was answered 200 in JSON: the quality was ignored,
    read as "any", though the client may have meant to refuse JSON."""
    response = admin_api.get(
        reverse("api:work-list"), HTTP_ACCEPT=f"application/json;q={quality}, */*;q=0"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "invalid"  # as every bad input's
    assert error["fields"]["Accept"] == (
        f"application/json is given the quality '{quality}': a quality is a number from 0 to 1, "
        "such as q=0.5."
    )
