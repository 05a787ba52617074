"""A cursor belongs to the list that gave it: read by another list (GET works/'s in the
enrichment queue) its position meant a row there, silently. It is a 400 naming both lists."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from enrichment.models import EnrichmentRequest
from tests.catalog.api.conftest import client_for, error_of, user_with
from tests.factories import make_work

pytestmark = pytest.mark.django_db
WORKS_URL, QUEUE_URL = reverse("api:work-list"), reverse("api:enrichment-queue")


@pytest.fixture
def client():
    reader = user_with("rita", "catalog.view_work", "enrichment.view_enrichmentrequest")
    works = [make_work(f"Synthetic {i}") for i in range(3)]
    for work in works:
        EnrichmentRequest.objects.create(work=work, trigger="command")
    return client_for(reader)


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.mark.parametrize(("given_by", "used_on"), [(WORKS_URL, QUEUE_URL), (QUEUE_URL, WORKS_URL)])
def test_another_lists_cursor_is_a_400_naming_both_lists(client, given_by, used_on):
    next_link = client.get(given_by, {"limit": 1}).json()["next"]

    response = client.get(used_on, {"cursor": cursor_of(next_link)})

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "cursor": f"This cursor is from another list ({given_by}), not {used_on}: use it there, "
        "or start this list again without it."
    }


@pytest.mark.parametrize("url", [WORKS_URL, QUEUE_URL])
def test_a_lists_own_cursors_still_go_forward_and_back(client, url):
    first = client.get(url, {"limit": 2}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert len(second["results"]) == 1 and second["next"] is None
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
