"""Who may call the enrichment endpoints: the admin's permissions (its view permissions to read,
"review enrichment" to trigger, approve and dismiss), by token or by session (whose POSTs need
the CSRF token). Anonymous: 401; without the permission: 403, and nothing changes."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Edition, Work
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from tests.enrichment.api.conftest import token_client, user_with
from tests.enrichment.test_review import needs_review
from tests.factories import make_work

pytestmark = pytest.mark.django_db

READS = ["status", "queue", "request", "operation"]
WRITES = ["trigger", "trigger-all", "approve", "dismiss"]


@pytest.fixture
def scene():
    """A work to trigger, a request waiting for review, a bulk operation: one of each."""
    request = needs_review()
    bare = make_work("Bare")
    operation = BulkOperation.objects.create(action="enrich_missing", total=0)
    return {
        "status": ("get", reverse("api:enrichment-status") + f"?work_ids={bare.pk}", None),
        "queue": ("get", reverse("api:enrichment-queue"), None),
        "request": ("get", reverse("api:enrichment-request", args=[request.pk]), None),
        "operation": ("get", reverse("api:enrichment-operation", args=[operation.pk]), None),
        "trigger": ("post", reverse("api:enrichment-trigger"), {"work_ids": [bare.pk]}),
        "trigger-all": ("post", reverse("api:enrichment-trigger-all"), {}),
        "approve": ("post", reverse("api:enrichment-approve", args=[request.pk]), {}),
        "dismiss": ("post", reverse("api:enrichment-dismiss", args=[request.pk]), {}),
    }


def call(client: APIClient, endpoint):
    method, url, body = endpoint
    return (
        getattr(client, method)(url, body, format="json") if body is not None else client.get(url)
    )


def database_state() -> tuple:
    """Everything a write could change."""
    return (
        list(
            EnrichmentRequest.objects.order_by("pk").values_list(
                "pk", "status", "trigger", "reviewed_by", "review_note"
            )
        ),
        list(AuditLogEntry.objects.values_list("pk", "action")),
        list(BulkOperation.objects.values_list("pk", "status")),
        list(Edition.objects.order_by("pk").values_list("publisher", "page_count", "cover")),
        list(Work.objects.order_by("pk").values_list("description", "enrichment_status")),
    )


@pytest.mark.parametrize("name", READS + WRITES)
def test_anonymous_requests_are_a_401_asking_for_a_token(scene, name):
    before = database_state()

    response = call(APIClient(), scene[name])

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert database_state() == before


@pytest.mark.parametrize("name", READS + WRITES)
def test_a_user_without_permissions_gets_403_and_nothing_changes(scene, nobody, name):
    before = database_state()

    response = call(token_client(nobody), scene[name])

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert database_state() == before


@pytest.mark.parametrize("name", READS)
def test_view_permissions_read(scene, viewer_api, name):
    assert call(viewer_api, scene[name]).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_view_permissions_do_not_act_and_nothing_changes(scene, viewer_api, name):
    before = database_state()

    response = call(viewer_api, scene[name])

    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [("trigger", 202), ("trigger-all", 202), ("approve", 200), ("dismiss", 200)],
)
def test_a_reviewer_acts(scene, api, name, expected):
    before = database_state()

    response = call(api, scene[name])

    assert response.status_code == expected, response.content
    assert database_state() != before


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("status", "view_work"),
        ("queue", "view_enrichmentrequest"),
        ("request", "view_enrichmentrequest"),
    ],
)
def test_each_read_needs_its_own_view_permission(scene, name, needs):
    """Reviewing is not reading: each read asks the admin's view permission of what it shows."""
    others = {"view_work", "view_enrichmentrequest", "view_bulkoperation"} - {needs}
    lacking = user_with("lacking", "review_enrichment", *others)
    holding = user_with("holding", needs)

    assert call(token_client(lacking), scene[name]).status_code == 403
    assert call(token_client(holding), scene[name]).status_code == 200


def test_an_operation_is_read_with_its_view_permission_or_by_a_reviewer_as_in_the_admin(scene):
    """Reviewers start bulk operations (trigger-all answers with one's address): the admin lets
    them follow every one, and so does the API."""
    lacking = user_with("lacking", "view_work", "view_enrichmentrequest")
    viewer = user_with("viewer_of_operations", "view_bulkoperation")
    reviewer = user_with("reviewer_only", "review_enrichment")

    assert call(token_client(lacking), scene["operation"]).status_code == 403
    assert call(token_client(viewer), scene["operation"]).status_code == 200
    assert call(token_client(reviewer), scene["operation"]).status_code == 200


# --- Session authentication (the admin's own pages) ---------------------------------------------


def test_a_session_reads(scene, viewer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)

    assert call(client, scene["queue"]).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_a_session_post_without_the_csrf_token_is_refused_and_nothing_changes(
    scene, reviewer, name
):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reviewer)
    before = database_state()

    response = call(client, scene[name])

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert database_state() == before


def test_a_session_post_with_the_csrf_token_acts(scene, reviewer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reviewer)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token

    _method, url, body = scene["trigger"]
    response = client.post(url, body, format="json", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 202 and response.json()["queued"] == 1
