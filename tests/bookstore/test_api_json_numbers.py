"""A JSON body's numbers, read by the API's parser (bookstore.api_parsers): a number too long for
Python to read is bad input the error explains in the API's terms."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


@pytest.fixture
def reviewer_client() -> APIClient:
    user = User.objects.create_user("rev", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="review_enrichment"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("digits", [4301, 20_000])
def test_a_number_of_thousands_of_digits_is_a_parse_error_in_the_apis_terms(
    reviewer_client, digits
):
    """The error told the client to "use sys.set_int_max_str_digits() to increase the limit",
    Python's advice to whoever runs the server, which no client can follow."""
    body = '{"work_ids": [' + "9" * digits + "]}"

    response = reviewer_client.post(
        reverse("api:enrichment-trigger"), body, content_type="application/json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "sys." not in error["message"] and "set_int_max_str_digits" not in error["message"]
    assert f"{digits} digits" in error["message"]


def test_a_long_but_readable_number_is_still_read_as_the_number_it_is(reviewer_client):
    body = '{"work_ids": [' + "9" * 4300 + "]}"  # as many digits as Python reads: no parse error

    response = reviewer_client.post(
        reverse("api:enrichment-trigger"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "less than or equal to" in response.json()["error"]["fields"]["work_ids.0"]
