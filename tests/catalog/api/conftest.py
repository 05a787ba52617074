"""Shared by the catalog API tests: clients that log in with a token or a session, users with
the admin's permissions, and a fresh throttle count for each test."""

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_throttle_counts import forget_api_throttle_counts

# Every endpoint is called both ways: `Authorization: Token …` and the admin's session.
AUTH_MODES = ["token", "session"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    forget_api_throttle_counts()


def user_with(username: str, *perms: str) -> User:
    """A user holding these permissions ("catalog.import_books", …), and no others."""
    user = User.objects.create_user(username, password="pw")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def client_for(user: User | None, auth: str = "token") -> APIClient:
    client = APIClient()
    if user is None:
        return client
    if auth == "token":
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    else:
        client.force_login(user)  # a real session cookie: SessionAuthentication reads it
    return client


@pytest.fixture
def importer() -> User:
    """A user who may import, and nothing else."""
    return user_with("ivy", "catalog.import_books")


@pytest.fixture(params=AUTH_MODES)
def auth(request) -> str:
    return request.param


@pytest.fixture
def api_as(auth) -> Callable[..., APIClient]:
    """api_as(user) -> a client logged in as `user` the way this test's parameter says."""
    return lambda user: client_for(user, auth)


def error_of(response) -> dict:
    """The JSON error every refusal carries: {"code", "message", "fields"?}."""
    return json.loads(response.content)["error"]
