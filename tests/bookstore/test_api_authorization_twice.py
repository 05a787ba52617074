"""An Authorization header sent twice (a client's default and its own, or one a proxy adds)
reaches the application joined by a comma, as HTTP combines a repeated field (gunicorn does:
test_production_server pins it). DRF answered "Token string should not contain spaces", which
no key sent did; it is told what happened, and what to send."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_throttle_counts import forget_api_throttle_counts

pytestmark = pytest.mark.django_db
WORKS_URL = reverse("api:work-list")
TOLD = {
    "code": "authentication_failed",
    "message": "Authorization was sent more than once, or with more than one credential: "
    'send one header, "Authorization: Token <key>".',
}


@pytest.fixture(autouse=True)
def fresh_throttle():
    forget_api_throttle_counts()


@pytest.mark.parametrize("header", ["Token {key}, Token {key}", "Token {key},Token other"])
def test_an_authorization_header_sent_twice_is_a_401_saying_so(header):
    key = Token.objects.create(user=User.objects.create_user("script", password="pw")).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=key))

    response = client.get(WORKS_URL)

    assert response.status_code == 401
    assert response.json()["error"] == TOLD


def test_one_authorization_header_still_authenticates():
    user = User.objects.create_user("script", password="pw")
    user.user_permissions.add(*user.user_permissions.model.objects.filter(codename="view_work"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    assert client.get(WORKS_URL).status_code == 200
