"""Fixtures of the enrichment endpoints' tests: users holding the admin's permissions, API
clients authenticated by token, and the task queue recorded instead of used."""

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_throttle_counts import forget_api_throttle_counts

#: The admin's permissions each role holds.
VIEW_PERMISSIONS = ("view_work", "view_enrichmentrequest", "view_bulkoperation")
REVIEW_PERMISSIONS = (*VIEW_PERMISSIONS, "review_enrichment")


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Each test starts with a fresh per-user count (user ids are reused between tests)."""
    forget_api_throttle_counts()


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    """What would be handed to django-q2 is recorded (sent_tasks), never queued."""
    return sent_tasks


def user_with(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def token_client(user: User | None) -> APIClient:
    """An API client sending the user's token (none for None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def nobody() -> User:
    return user_with("nobody")


@pytest.fixture
def viewer() -> User:
    return user_with("viewer", *VIEW_PERMISSIONS)


@pytest.fixture
def reviewer() -> User:
    return user_with("reviewer", *REVIEW_PERMISSIONS)


@pytest.fixture
def api(reviewer) -> APIClient:
    """A reviewer's client (reads and acts), by token."""
    return token_client(reviewer)


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return token_client(viewer)
