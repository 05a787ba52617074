"""What an endpoint answers in, by the request's Accept header (bookstore.api_negotiation)."""

import pytest
from django.urls import reverse

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
