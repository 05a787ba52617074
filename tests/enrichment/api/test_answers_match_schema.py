"""The enrichment endpoints' real answers, successes and errors alike, read against the OpenAPI
schema /api/v1/schema/ serves: a client generated from it must read each one (the catalog's
endpoints and a request's detail are checked beside their own tests)."""

import pytest
from django.urls import reverse

from tests.api_schema import assert_answer_matches_schema
from tests.enrichment.api.conftest import token_client
from tests.enrichment.test_review import needs_review
from tests.factories import make_work

pytestmark = pytest.mark.django_db


def check(client, path: str, method: str, response, status: int) -> None:
    assert response.status_code == status, response.content
    assert_answer_matches_schema(client, path, method, response)


def test_status_and_queue_answers(api, nobody):
    waiting = needs_review()
    bare = make_work("Bare")
    status_url = reverse("api:enrichment-status")
    ids = f"{waiting.work_id},{bare.pk},999999"
    path = "/api/v1/enrichment/status"
    check(api, path, "get", api.get(status_url, {"work_ids": ids}), 200)
    check(api, path, "get", api.get(status_url, {"work_ids": "abc"}), 400)
    check(api, path, "get", token_client(None).get(status_url, {"work_ids": ids}), 401)
    check(api, path, "get", token_client(nobody).get(status_url, {"work_ids": ids}), 403)

    queue_url = reverse("api:enrichment-queue")
    path = "/api/v1/enrichment/queue"
    answer = api.get(queue_url)
    assert [row["id"] for row in answer.json()["results"]] == [waiting.pk]
    check(api, path, "get", answer, 200)
    check(api, path, "get", api.get(queue_url, {"status": "bogus"}), 400)


def test_trigger_answers(api, nobody):
    work = make_work("Bare")
    path, url = "/api/v1/enrichment/trigger", reverse("api:enrichment-trigger")
    check(api, path, "post", api.post(url, {"work_ids": [work.pk]}, format="json"), 202)
    check(api, path, "post", api.post(url, {"work_ids": [999999]}, format="json"), 400)
    forbidden = token_client(nobody).post(url, {"work_ids": [work.pk]}, format="json")
    check(api, path, "post", forbidden, 403)

    path, url = "/api/v1/enrichment/trigger-all", reverse("api:enrichment-trigger-all")
    check(api, path, "post", api.post(url, {}, format="json"), 202)
    neither = {"covers": False, "metadata": False}
    check(api, path, "post", api.post(url, neither, format="json"), 400)


def test_approve_and_dismiss_answers(api):
    approved, dismissed = needs_review(), needs_review("Stardust")
    path = "/api/v1/enrichment/{id}/approve"
    url = reverse("api:enrichment-approve", args=[approved.pk])
    check(api, path, "post", api.post(url, {}, format="json"), 200)
    check(api, path, "post", api.post(url, {}, format="json"), 409)
    missing = reverse("api:enrichment-approve", args=[999999])
    check(api, path, "post", api.post(missing, {}, format="json"), 404)

    path = "/api/v1/enrichment/{id}/dismiss"
    url = reverse("api:enrichment-dismiss", args=[dismissed.pk])
    check(api, path, "post", api.post(url, {"reason": "wrong book"}, format="json"), 200)
    check(api, path, "post", api.post(url, {}, format="json"), 409)
